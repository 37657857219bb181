"""Which change tells whom what: each kind of notification, once where it must be once."""

from __future__ import annotations

from datetime import UTC, timedelta

import pytest
from django.utils import timezone

from backend.events.models import Notification, WebhookDelivery
from backend.events.services import notification_send
from knowledge.models import Article
from knowledge.services.announce import article_owners_remind
from knowledge.services.questions import answer_accept, answer_post, question_ask
from referrals.services.attribution import attributions_finalize
from referrals.services.claims import claim_create, claim_reject
from referrals.services.signups import signup_activate, signup_cancel
from tests.concurrency import run_concurrently
from tests.events.conftest import subscribe
from tests.ops.conftest import ingest, make_share
from tests.referrals.conftest import personal_code


def feed(employee) -> list[tuple[str, dict]]:
    return [
        (n.kind, n.params) for n in Notification.objects.filter(employee=employee).order_by("pk")
    ]


def test_a_sign_up_tells_the_referrer_which_answer_helped_never_who(employee) -> None:
    article = Article.objects.create(
        slug="esim", language="nl", title="Zo zet je eSIM aan", status="published"
    )
    share = make_share(employee, article=article)

    attribution = ingest(share_token=share.token, email="friend.anna@example.com")

    assert feed(employee) == [
        (
            "attribution.attributed",
            {"attribution_id": attribution.pk, "article_title": "Zo zet je eSIM aan"},
        )
    ]


def test_confirmation_tells_the_referrer_and_celebrates_milestones_once(employee) -> None:
    long_ago = timezone.now() - timedelta(days=30)
    first = ingest(code=personal_code(employee).code, occurred_at=long_ago)
    signup_activate(source="crm", external_id=first.signup.external_id, activated_at=long_ago)
    attributions_finalize()
    second = ingest(code=personal_code(employee).code, occurred_at=long_ago)
    signup_activate(source="crm", external_id=second.signup.external_id, activated_at=long_ago)
    attributions_finalize()
    attributions_finalize()

    kinds = [kind for kind, _ in feed(employee)]
    assert kinds == [
        "attribution.attributed",
        "attribution.confirmed",
        "milestone.reached",
        "attribution.attributed",
        "attribution.confirmed",
    ]
    assert Notification.objects.get(kind="milestone.reached").params == {"count": 1}


def test_a_withdrawal_tells_the_referrer(employee) -> None:
    attribution = ingest(code=personal_code(employee).code)

    signup_cancel(
        source="crm", external_id=attribution.signup.external_id, cancelled_at=timezone.now()
    )

    assert feed(employee)[-1] == (
        "attribution.reversed",
        {"attribution_id": attribution.pk, "reason": "withdrawn"},
    )


def test_a_claim_decision_carries_ops_reason_with_contact_details_masked(
    employee, sales_ops
) -> None:
    claim = claim_create(employee=employee, kind="email", value="buur@example.com")

    claim_reject(
        claim_id=claim.pk,
        actor=sales_ops,
        reason="No sign-up for buur@example.com or 06 1234 5678 yet.",
    )

    assert feed(employee) == [
        (
            "claim.decided",
            {"claim_id": claim.pk, "status": "rejected", "reason": "No sign-up for … or … yet."},
        )
    ]


def test_an_answer_tells_the_asker_and_acceptance_tells_the_author_once(
    employee, other_employee
) -> None:
    question = question_ask(asker=employee, title="Werkt eSIM op een iPad?", language="nl")
    answer_post(question=question, author=employee, body="Zelf gevonden.")
    answer = answer_post(question=question, author=other_employee, body="Ja.")

    answer_accept(answer=answer, actor=employee)
    answer_accept(answer=answer, actor=employee)

    params = {"question_id": question.pk, "question_title": "Werkt eSIM op een iPad?"}
    assert feed(employee) == [("question.answered", params)]
    assert feed(other_employee) == [("answer.accepted", params)]


def test_article_owners_hear_of_expiry_staleness_and_outdated_translations_once(
    editor,
) -> None:
    today = timezone.localdate()
    expiring = Article.objects.create(
        slug="bundel", language="nl", title="Bundel", status="published", owner=editor,
        verified_until=today + timedelta(days=14),
    )  # fmt: skip
    Article.objects.create(
        slug="later", language="nl", title="Later", status="published", owner=editor,
        verified_until=today + timedelta(days=15),
    )  # fmt: skip
    stale = Article.objects.create(
        slug="oud", language="nl", title="Oud", status="published", owner=editor,
        verified_until=today - timedelta(days=1),
    )  # fmt: skip
    source = Article.objects.create(
        slug="roaming", language="nl", title="Roaming", status="published", content_revision=3,
        verified_until=today + timedelta(days=60),
    )  # fmt: skip
    translation = Article.objects.create(
        slug="roaming-en", language="en", title="Roaming", status="published", owner=editor,
        translation_group=source.translation_group, translation_source=source,
        translation_source_revision=2, verified_until=today + timedelta(days=60),
    )  # fmt: skip

    assert article_owners_remind(today=today) == 3
    assert article_owners_remind(today=today) == 0

    assert feed(editor) == [
        (
            "article.expiring",
            {
                "article_slug": "bundel",
                "article_title": "Bundel",
                "verified_until": expiring.verified_until.isoformat(),
            },
        ),
        (
            "article.stale",
            {
                "article_slug": "oud",
                "article_title": "Oud",
                "verified_until": stale.verified_until.isoformat(),
            },
        ),
        ("translation.outdated", {"article_slug": translation.slug, "article_title": "Roaming"}),
    ]


def test_parameters_outside_a_kinds_allow_list_are_refused(employee) -> None:
    from backend.api.errors import InvalidInput

    with pytest.raises(InvalidInput):
        notification_send(
            employee_id=employee.pk,
            kind="attribution.attributed",
            params={"attribution_id": 1, "friend_email": "x@example.com"},
        )
    assert not Notification.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_milestone_raced_by_two_transactions_is_told_once(make_employee) -> None:
    employee = make_employee()

    def celebrate(_: int) -> bool:
        sent = notification_send(
            employee_id=employee.pk,
            kind="milestone.reached",
            params={"count": 5},
            dedupe_key="milestone:5",
        )
        return sent is not None

    results = run_concurrently(celebrate, 6)

    assert sorted(results) == [False] * 5 + [True]
    assert Notification.objects.filter(employee=employee).count() == 1


def test_integrators_hear_a_claim_decision_without_its_free_text(
    employee, sales_ops, allow_private_targets
) -> None:
    subscribe("http://127.0.0.1:9/crm", "claim.decided")
    claim = claim_create(employee=employee, kind="email", value="buur@example.com")

    claim_reject(claim_id=claim.pk, actor=sales_ops, reason="Buur belde zelf, 0612345678.")

    delivery = WebhookDelivery.objects.get()
    assert delivery.subject == f"claim:{claim.pk}"
    assert delivery.payload == {
        "type": "claim.decided",
        "timestamp": claim_decided_at(claim),
        "data": {
            "claim_id": claim.pk,
            "status": "rejected",
            "employee_number": employee.employee_number,
            "attribution_id": None,
        },
    }


def claim_decided_at(claim) -> str:
    claim.refresh_from_db()
    return claim.decided_at.astimezone(UTC).isoformat()


def test_the_periodic_jobs_are_the_queues_and_run_as_tasks(editor) -> None:
    from procrastinate.contrib.django import app

    import knowledge.tasks
    import referrals.tasks

    crons = {task.task.name: task.cron for task in app.periodic_registry.periodic_tasks.values()}
    referrals.tasks.finalize_attributions(timestamp=0)
    referrals.tasks.rollup_funnel(timestamp=0)
    referrals.tasks.purge_visitor_data(timestamp=0)
    knowledge.tasks.article_owners_remind_job(timestamp=0)

    assert crons == {
        "referrals.finalize_attributions": "15 2 * * *",
        "referrals.purge_visitor_data": "45 3 * * *",
        "referrals.rollup_funnel": "*/10 * * * *",
        "knowledge.article_owners_remind": "0 7 * * *",
        "events.purge_delivery_log": "30 4 * * *",
        "accounts.purge_expired_tokens": "20 4 * * *",
    }
