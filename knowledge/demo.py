"""Demo content: the seed knowledge base, an active outage notice and a few questions.

Idempotent: articles are matched by slug, the notice is only re-pinned once it has ended,
and questions are only added when there are none.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from backend.accounts.models import Employee
from knowledge.models import Article, Question
from knowledge.services.articles import article_update
from knowledge.services.importer import ImportResult, articles_import_directory
from knowledge.services.questions import answer_accept, answer_post, question_ask

SEED_DIR = Path(__file__).resolve().parent / "seed"
NOTICE_SLUGS = ("storing-mobiel-netwerk-utrecht", "mobile-network-outage-utrecht")
EDITOR_NUMBER = "E1002"


@dataclass
class KnowledgeSeedResult:
    imported: ImportResult
    notices_pinned: int
    questions_created: int


def _pin_notices(editor: Employee | None) -> int:
    now = timezone.now()
    pinned = 0
    for article in Article.objects.filter(slug__in=NOTICE_SLUGS).order_by("pk"):
        if article.notice_active:
            continue
        article_update(
            article=article,
            editor=editor,
            data={
                "notice_starts_at": now - timedelta(hours=2),
                "notice_ends_at": now + timedelta(days=2),
            },
            expected_revision=None,
        )
        pinned += 1
    return pinned


def _seed_questions() -> int:
    if Question.objects.exists():
        return 0
    people = {
        e.employee_number: e
        for e in Employee.objects.filter(employee_number__in=["E1001", "E1012", "E1005"])
    }
    if len(people) < 3:
        return 0
    answered = question_ask(
        asker=people["E1001"],
        title="Kan mijn neef zijn Belgische prepaidkaart houden als hij hier komt wonen?",
        details="Hij verhuist naar Utrecht en wil zijn nummer houden.",
        language="nl",
    )
    answer = answer_post(
        question=answered,
        author=people["E1012"],
        body="Een Belgisch nummer kan niet naar een Nederlands nummer worden overgezet. Hij kan "
        "zijn Belgische kaart houden voor roaming (EU-tarief), maar bij langdurig verblijf mag de "
        "Belgische provider een toeslag rekenen. Advies: een Nederlands sim-only abonnement.",
    )
    answer_accept(answer=answer, actor=people["E1001"])
    question_ask(
        asker=people["E1005"],
        title="Werkt onze eSIM ook in een iPad?",
        details="Een vriendin wil mobiel internet op haar iPad zonder tweede abonnement.",
        language="nl",
    )
    return 2


@transaction.atomic
def demo_knowledge_seed() -> KnowledgeSeedResult:
    editor = Employee.objects.filter(employee_number=EDITOR_NUMBER).first()
    imported = articles_import_directory(directory=SEED_DIR, owner=editor)
    return KnowledgeSeedResult(
        imported=imported,
        notices_pinned=_pin_notices(editor),
        questions_created=_seed_questions(),
    )


def demo_knowledge_part() -> list[str]:
    """Knowledge's share of `seed_demo` (registered in apps.py): the articles, the outage
    notice and questions, then the search index over them."""
    from knowledge.search.store import index_rebuild

    knowledge = demo_knowledge_seed()
    search_index = index_rebuild()
    return [
        f"knowledge: {knowledge.imported.created} articles created, "
        f"{knowledge.notices_pinned} outage notice(s) pinned",
        f"search index: {search_index.documents} articles indexed",
    ]
