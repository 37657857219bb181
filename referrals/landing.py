"""What the friend sees: the same content for the HTML landing page and its JSON twin."""

from __future__ import annotations

from dataclasses import dataclass, fields

from django.conf import settings

from knowledge.models import Article, ArticleStatus
from referrals.codes import format_code
from referrals.links import signup_url
from referrals.models.campaigns import campaign_is_running, campaign_perk
from referrals.sql import PublicShare, SharedAnswer

LANGUAGES = ("nl", "en")


@dataclass(frozen=True)
class LandingContent:
    token: str
    language: str
    answer_language: str | None
    title: str | None
    summary: str | None
    friend_text: str | None
    answer_retired: bool
    referrer_first_name: str
    code: str | None
    perk: str | None
    signup_url: str


def _offered_code(share: PublicShare) -> str | None:
    """The code the page offers: the shared one while it attributes, else (decided for
    answers shared before a revocation) the owner's live personal code, else none."""
    return share.code if share.code_attributes else share.live_personal_code


def _answer_in(answer: SharedAnswer, language: str) -> SharedAnswer:
    """The published translation of the shared answer in `language`, else the answer."""
    if answer.language == language:
        return answer
    translation = (
        Article.objects.filter(
            translation_group=answer.translation_group,
            language=language,
            status=ArticleStatus.PUBLISHED,
        )
        .values_list(*(f.name for f in fields(SharedAnswer)))
        .first()
    )
    return SharedAnswer(*translation) if translation else answer


def landing_content(share: PublicShare, *, language: str | None = None) -> LandingContent:
    """The page speaks the language the friend chose (`language`, from the URL), else the
    answer's, else the employee's."""
    answer = share.answer
    live = answer is not None and answer.status == ArticleStatus.PUBLISHED
    default = answer.language if answer is not None else share.referrer_language
    chosen = language if language in LANGUAGES else default
    chosen = chosen if chosen in LANGUAGES else "en"
    shown = _answer_in(answer, chosen) if live and answer is not None else None
    code = _offered_code(share)
    campaign = share.campaign if code == share.code else None
    perk = campaign_perk(campaign, chosen) if campaign and campaign_is_running(campaign) else None
    return LandingContent(
        token=share.token,
        language=chosen,
        answer_language=shown.language if shown else None,
        title=shown.title if shown else None,
        summary=(shown.summary or shown.friend_text) if shown else None,
        friend_text=(shown.friend_text or shown.summary) if shown else None,
        answer_retired=answer is not None and not live,
        referrer_first_name=share.referrer_first_name,
        code=format_code(code) if code else None,
        perk=perk,
        signup_url=(
            signup_url(code=code, share_token=share.token if code == share.code else None)
            if code
            else settings.SIGNUP_URL
        ),
    )


# Page copy per language. Short, warm, no jargon: this is read on a phone by a friend.
COPY: dict[str, dict[str, str]] = {
    "nl": {
        "page_title": "Een tip van {name}",
        "intro": "{name} werkt bij ons en deelde dit antwoord met je.",
        "intro_code": "{name} werkt bij ons en nodigt je uit om klant te worden.",
        "intro_shared": "{name} deelde dit antwoord met je.",
        "only_in": "Dit antwoord is er alleen in het Engels.",
        "language_label": "Taal",
        "expired_title": "Probeer het nog eens",
        "expired_text": (
            "Dit formulier is verlopen of kwam niet van deze pagina. Open de link opnieuw."
        ),
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
        "intro_shared": "{name} shared this answer with you.",
        "only_in": "This answer is only available in Dutch.",
        "language_label": "Language",
        "expired_title": "Please try again",
        "expired_text": "This form expired or did not come from this page. Open the link again.",
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
