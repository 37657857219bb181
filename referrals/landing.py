"""What the friend sees: the same content for the HTML landing page and its JSON twin."""

from __future__ import annotations

from dataclasses import dataclass

from knowledge.models import ArticleStatus
from referrals.links import signup_url
from referrals.models import Share


@dataclass(frozen=True)
class LandingContent:
    token: str
    language: str
    title: str | None
    friend_text: str | None
    answer_retired: bool
    referrer_first_name: str
    code: str
    perk: str | None
    signup_url: str


def landing_content(share: Share) -> LandingContent:
    """Precondition: `share` comes from `share_get_public` (code, owner, campaign and
    article loaded). The page speaks the answer's language, else the employee's."""
    code = share.code
    owner = code.owner
    article = share.article
    live = article is not None and article.status == ArticleStatus.PUBLISHED
    language = article.language if article is not None else owner.language
    campaign = code.campaign
    return LandingContent(
        token=share.token,
        language=language if language in COPY else "en",
        title=article.title if live and article else None,
        friend_text=(article.friend_text or article.summary) if live and article else None,
        answer_retired=article is not None and not live,
        referrer_first_name=owner.first_name,
        code=code.display,
        perk=campaign.perk(language) if campaign is not None and campaign.is_running() else None,
        signup_url=signup_url(code=code.code, share_token=share.token),
    )


# Page copy per language. Short, warm, no jargon: this is read on a phone by a friend.
COPY: dict[str, dict[str, str]] = {
    "nl": {
        "page_title": "Een tip van {name}",
        "intro": "{name} werkt bij ons en deelde dit antwoord met je.",
        "intro_code": "{name} werkt bij ons en nodigt je uit om klant te worden.",
        "retired": "Dit antwoord is niet meer actueel en is daarom weggehaald.",
        "code_label": "Jouw code van {name}",
        "code_help": "Vul deze code in als je klant wordt.",
        "copy": "Kopieer code",
        "copied": "Gekopieerd",
        "cta": "Word klant met deze code",
        "perk": "Jouw voordeel",
        "feedback_q": "Had je hier iets aan?",
        "yes": "Ja, dit hielp",
        "no": "Niet echt",
        "thanks": "Dank je wel voor je reactie!",
        "gone_title": "Deze link werkt niet (meer)",
        "gone_text": (
            "De link is verlopen of bestaat niet. Vraag degene die hem stuurde om een nieuwe."
        ),
        "slow_title": "Even rustig aan",
        "slow_text": "Je opende deze pagina heel vaak. Probeer het over een minuut opnieuw.",
        "footer": "Je gegevens blijven privé: we bewaren geen IP-adres.",
    },
    "en": {
        "page_title": "A tip from {name}",
        "intro": "{name} works with us and shared this answer with you.",
        "intro_code": "{name} works with us and invites you to become a customer.",
        "retired": "This answer is out of date and was taken down.",
        "code_label": "Your code from {name}",
        "code_help": "Enter this code when you sign up.",
        "copy": "Copy code",
        "copied": "Copied",
        "cta": "Become a customer with this code",
        "perk": "What you get",
        "feedback_q": "Did this help?",
        "yes": "Yes, it helped",
        "no": "Not really",
        "thanks": "Thank you for letting us know!",
        "gone_title": "This link does not work (any more)",
        "gone_text": (
            "The link has expired or does not exist. Ask the person who sent it for a new one."
        ),
        "slow_title": "Slow down a little",
        "slow_text": "This page was opened very often. Please try again in a minute.",
        "footer": "Your privacy matters: we do not store your IP address.",
    },
}


def copy_for(language: str, **names: str) -> dict[str, str]:
    texts = COPY.get(language, COPY["en"])
    return {key: value.format(**names) if names else value for key, value in texts.items()}
