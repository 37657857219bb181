"""Every endpoint against every kind of caller, with the status each must get.

The list of endpoints is read from the URL configuration: an endpoint added without an
entry here fails `test_every_endpoint_has_an_entry`. Object endpoints are called with an
object owned by `employee`; every other employee (colleague, editor, sales ops, staff)
must get 404 for it, never its data.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.core.cache import cache
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone
from rest_framework.test import APIClient

from backend.accounts.mails import password_link
from backend.accounts.models import Employee
from backend.accounts.roles import Role
from backend.events.models import Notification
from backend.events.services import device_register
from knowledge.models import Category
from knowledge.services.articles import article_create, article_publish
from knowledge.services.questions import answer_accept, answer_post, question_ask
from referrals.models import Attribution, Campaign
from referrals.services.claims import claim_create
from referrals.services.codes import referral_code_create
from referrals.services.shares import share_create
from tests.conftest import login
from tests.factories import EmployeeFactory
from tests.referrals.conftest import personal_code, signup_client, signup_payload

ROLES = ("anonymous", "employee", "other_employee", "editor", "sales_ops", "staff", "signup_key")
EMPLOYEES = ("employee", "other_employee", "editor", "sales_ops", "staff")


@dataclass
class World:
    people: dict[str, Employee]
    clients: dict[str, APIClient]
    refresh: dict[str, str]
    objects: dict[str, Any] = field(default_factory=dict)


def build_world() -> World:
    people = {
        "employee": EmployeeFactory(display_name="Owner Olga"),
        "other_employee": EmployeeFactory(display_name="Colleague Cas"),
        "editor": EmployeeFactory(display_name="Editor Els", roles=[Role.EDITOR]),
        "sales_ops": EmployeeFactory(display_name="Ops Otto", roles=[Role.SALES_OPS]),
        "staff": EmployeeFactory(display_name="Admin Ada", is_staff=True),
    }
    clients: dict[str, APIClient] = {"anonymous": APIClient()}
    refresh: dict[str, str] = {}
    for role, person in people.items():
        clients[role] = login(person)
        refresh[role] = clients[role].refresh_token  # type: ignore[attr-defined]
    clients["signup_key"] = signup_client("crm")
    world = World(people=people, clients=clients, refresh=refresh)
    owner = people["employee"]
    editor = people["editor"]
    category = Category.objects.create(slug="plans", name_nl="Abonnementen", name_en="Plans")
    article = article_publish(
        article=article_create(
            editor=editor,
            slug="esim-activeren",
            language="nl",
            title="eSIM activeren",
            summary="eSIM in drie stappen.",
            friend_text="Open de app en kies eSIM.",
            category=category,
        ),
        editor=editor,
    )
    world.objects["article"] = article
    question = question_ask(asker=owner, title="Werkt eSIM op een iPad?", language="nl")
    answer = answer_post(question=question, author=people["other_employee"], body="Ja.")
    world.objects["question"], world.objects["answer"] = question, answer
    accepted = question_ask(asker=owner, title="Kan ik bellen in Turkije?", language="nl")
    answer_accept(
        answer=answer_post(question=accepted, author=editor, body="Ja, met een bundel."),
        actor=owner,
    )
    world.objects["answered_question"] = accepted
    world.objects["code"] = referral_code_create(employee=owner, label="Poster", campaign=None)
    world.objects["share"] = share_create(
        employee=owner, channel="whatsapp", article_slug=article.slug
    )
    payload = signup_payload(code=personal_code(owner).code)
    created = clients["signup_key"].post("/api/v1/signups/", payload, format="json")
    assert created.status_code == 201, created.content
    world.objects["signup"] = payload["external_id"]
    world.objects["attribution"] = Attribution.objects.get(
        signup__external_id=payload["external_id"]
    )
    world.objects["claim"] = claim_create(
        employee=people["other_employee"], kind="email", value=payload["customer"]["email"]
    )
    world.objects["notification"] = Notification.objects.filter(employee=owner).first()
    world.objects["device"] = device_register(
        employee=owner, platform="fcm", token="owner-phone", tz="Europe/Amsterdam"
    )
    return world


Body = Callable[[World, str], Any]


@dataclass(frozen=True)
class Rule:
    expect: dict[str, int]
    url: Callable[[World], str] | None = None
    body: Body | None = None


def statuses(**by_role: int) -> dict[str, int]:
    missing = set(ROLES) - set(by_role)
    assert not missing, f"no expected status for {missing}"
    return by_role


def anyone(ok: int) -> dict[str, int]:
    return dict.fromkeys(ROLES, ok)


def employees(ok: int) -> dict[str, int]:
    """Any signed-in employee, each acting on their own data."""
    return {**dict.fromkeys(EMPLOYEES, ok), "anonymous": 401, "signup_key": 401}


def owner(ok: int) -> dict[str, int]:
    """An object belonging to `employee`: everyone else gets 404."""
    return {**dict.fromkeys(EMPLOYEES, 404), "employee": ok, "anonymous": 401, "signup_key": 401}


def role(name: str, ok: int) -> dict[str, int]:
    return {**dict.fromkeys(EMPLOYEES, 403), name: ok, "anonymous": 401, "signup_key": 401}


def signup_system(ok: int) -> dict[str, int]:
    return {**dict.fromkeys(ROLES, 401), "signup_key": ok}


def credentials_of(world: World, caller: str) -> dict[str, str]:
    return {"email": world.people["employee"].email, "password": "correct-horse-battery"}


def own_refresh(world: World, caller: str) -> dict[str, str]:
    return {"refresh": world.refresh.get(caller, world.refresh["employee"])}


def new_signup(world: World, caller: str) -> dict[str, Any]:
    return signup_payload()


def moment(name: str) -> Body:
    return lambda world, caller: {name: timezone.now().isoformat()}


share_token = lambda w: w.objects["share"].token  # noqa: E731
ARTICLE = "/api/v1/knowledge/articles/esim-activeren/"
revision = lambda w, c: {"revision": w.objects["article"].revision}  # noqa: E731
question_url = lambda w: f"/api/v1/knowledge/questions/{w.objects['question'].pk}/"  # noqa: E731
code_of = lambda w: w.objects["code"].code  # noqa: E731
OPS_ATTRIBUTION = lambda w: f"/api/v1/ops/attributions/{w.objects['attribution'].pk}/"  # noqa: E731
OPS_CLAIM = lambda w: f"/api/v1/ops/claims/{w.objects['claim'].pk}/"  # noqa: E731

MATRIX: dict[str, Rule] = {
    "POST /api/v1/auth/token/": Rule(anyone(200), body=credentials_of),
    "POST /api/v1/auth/token/refresh/": Rule(anyone(200), body=own_refresh),
    # Single sign-on is off in the test settings: a clear 404 for everyone.
    "POST /api/v1/auth/sso/token/": Rule(anyone(404), body=lambda w, c: {"id_token": "a.b.c"}),
    # Invitations and reset: anyone; the answer never tells whether the email is known.
    "POST /api/v1/auth/password/reset/": Rule(
        anyone(202), body=lambda w, c: {"email": w.people["employee"].email}
    ),
    "POST /api/v1/auth/password/reset/confirm/": Rule(
        anyone(204),
        body=lambda w, c: {
            **dict(
                zip(
                    ("uid", "token"),
                    password_link(w.people["employee"]).split("/")[-3:-1],
                    strict=True,
                )
            ),
            "new_password": "een-nieuw-wachtwoord-2026",
        },
    ),
    "GET /account/set-password/<str:uidb64>/<str:token>/": Rule(
        anyone(200), url=lambda w: password_link(w.people["employee"])
    ),
    "POST /account/set-password/<str:uidb64>/<str:token>/": Rule(
        anyone(200), url=lambda w: password_link(w.people["employee"]), body=lambda w, c: None
    ),
    "POST /api/v1/auth/logout/": Rule(employees(204), body=own_refresh),
    "GET /api/v1/me/": Rule(employees(200)),
    "PATCH /api/v1/me/": Rule(employees(200), body=lambda w, c: {"language": "en"}),
    # Notifications and devices: the employee's own.
    "GET /api/v1/notifications/": Rule(employees(200)),
    "POST /api/v1/notifications/<int:notification_id>/read/": Rule(
        owner(200), url=lambda w: f"/api/v1/notifications/{w.objects['notification'].pk}/read/"
    ),
    "POST /api/v1/notifications/read-all/": Rule(employees(200)),
    "GET /api/v1/notifications/preferences/": Rule(employees(200)),
    "PUT /api/v1/notifications/preferences/": Rule(
        employees(200), body=lambda w, c: {"push_enabled": False}
    ),
    "POST /api/v1/devices/": Rule(
        employees(201), body=lambda w, c: {"platform": "fcm", "token": f"token-of-{c}"}
    ),
    "DELETE /api/v1/devices/<int:device_id>/": Rule(
        owner(204), url=lambda w: f"/api/v1/devices/{w.objects['device'].pk}/"
    ),
    "GET /api/schema/": Rule(anyone(200)),
    "GET /api/docs/": Rule(anyone(200)),
    "GET /api/redoc/": Rule(anyone(200)),
    "GET /healthz": Rule(anyone(200)),
    "GET /readyz": Rule(anyone(200)),
    # Knowledge: everyone reads published answers; editors write.
    "GET /api/v1/knowledge/articles/": Rule(employees(200)),
    "POST /api/v1/knowledge/articles/": Rule(
        role("editor", 201),
        body=lambda w, c: {"language": "en", "title": "Activating an eSIM", "category": "plans"},
    ),
    "GET /api/v1/knowledge/articles/<slug:slug>/": Rule(employees(200), url=lambda w: ARTICLE),
    "PATCH /api/v1/knowledge/articles/<slug:slug>/": Rule(
        role("editor", 200),
        url=lambda w: ARTICLE,
        body=lambda w, c: {**revision(w, c), "title": "eSIM activeren in 3 stappen"},
    ),
    "POST /api/v1/knowledge/articles/<slug:slug>/publish/": Rule(
        role("editor", 200), url=lambda w: ARTICLE + "publish/", body=revision
    ),
    "POST /api/v1/knowledge/articles/<slug:slug>/archive/": Rule(
        role("editor", 200), url=lambda w: ARTICLE + "archive/", body=revision
    ),
    "POST /api/v1/knowledge/articles/<slug:slug>/verify/": Rule(
        role("editor", 200), url=lambda w: ARTICLE + "verify/", body=lambda w, c: {}
    ),
    "GET /api/v1/knowledge/articles/<slug:slug>/revisions/": Rule(
        role("editor", 200), url=lambda w: ARTICLE + "revisions/"
    ),
    "POST /api/v1/knowledge/articles/<slug:slug>/feedback/": Rule(
        employees(200), url=lambda w: ARTICLE + "feedback/", body=lambda w, c: {"helpful": True}
    ),
    "GET /api/v1/knowledge/categories/": Rule(employees(200)),
    "GET /api/v1/knowledge/notices/": Rule(employees(200)),
    "GET /api/v1/knowledge/insights/": Rule(role("editor", 200)),
    "GET /api/v1/knowledge/questions/": Rule(employees(200)),
    "POST /api/v1/knowledge/questions/": Rule(
        employees(201), body=lambda w, c: {"title": "Is 5G er al in Zeeland?"}
    ),
    "GET /api/v1/knowledge/questions/<int:question_id>/": Rule(employees(200), url=question_url),
    "POST /api/v1/knowledge/questions/<int:question_id>/answers/": Rule(
        employees(201),
        url=lambda w: question_url(w) + "answers/",
        body=lambda w, c: {"body": "Ja, sinds dit jaar."},
    ),
    "POST /api/v1/knowledge/answers/<int:answer_id>/accept/": Rule(
        # The asker or an editor; colleagues see the question but may not accept for them.
        {**role("editor", 200), "employee": 200},
        url=lambda w: f"/api/v1/knowledge/answers/{w.objects['answer'].pk}/accept/",
    ),
    "POST /api/v1/knowledge/questions/<int:question_id>/publish/": Rule(
        role("editor", 201),
        url=lambda w: f"/api/v1/knowledge/questions/{w.objects['answered_question'].pk}/publish/",
    ),
    # Referrals: the employee's own codes, shares and results.
    "GET /api/v1/referrals/codes/": Rule(employees(200)),
    "POST /api/v1/referrals/codes/": Rule(employees(201), body=lambda w, c: {"label": "Flyer"}),
    "POST /api/v1/referrals/codes/<str:code>/revoke/": Rule(
        owner(200), url=lambda w: f"/api/v1/referrals/codes/{code_of(w)}/revoke/"
    ),
    "GET /api/v1/referrals/codes/<str:code>/qr/": Rule(
        owner(200), url=lambda w: f"/api/v1/referrals/codes/{code_of(w)}/qr/"
    ),
    "GET /api/v1/referrals/shares/": Rule(employees(200)),
    "POST /api/v1/referrals/shares/": Rule(
        employees(201), body=lambda w, c: {"channel": "sms", "article": "esim-activeren"}
    ),
    "GET /api/v1/referrals/shares/<str:token>/qr/": Rule(
        owner(200), url=lambda w: f"/api/v1/referrals/shares/{share_token(w)}/qr/"
    ),
    "GET /api/v1/referrals/attributions/": Rule(employees(200)),
    "GET /api/v1/referrals/impact/": Rule(employees(200)),
    "GET /api/v1/referrals/campaigns/": Rule(employees(200)),
    "GET /api/v1/referrals/claims/": Rule(employees(200)),
    "POST /api/v1/referrals/claims/": Rule(
        employees(201),
        body=lambda w, c: {"kind": "phone", "value": "+31612345678", "note": "My neighbour"},
    ),
    # The friend: no account.
    "GET /s/<str:token>": Rule(anyone(200), url=lambda w: f"/s/{share_token(w)}"),
    "GET /s/<str:token>/preview.png": Rule(
        anyone(200), url=lambda w: f"/s/{share_token(w)}/preview.png"
    ),
    # Without the page's signed form token nobody may post (see test_landing_experience).
    "POST /s/<str:token>/feedback": Rule(
        anyone(403), url=lambda w: f"/s/{share_token(w)}/feedback", body=lambda w, c: None
    ),
    "GET /api/v1/public/codes/<str:code>/": Rule(
        anyone(200), url=lambda w: f"/api/v1/public/codes/{w.objects['code'].code}/"
    ),
    "GET /api/v1/public/shares/<str:token>/": Rule(
        anyone(200), url=lambda w: f"/api/v1/public/shares/{share_token(w)}/"
    ),
    "POST /api/v1/public/shares/<str:token>/feedback/": Rule(
        anyone(201),
        url=lambda w: f"/api/v1/public/shares/{share_token(w)}/feedback/",
        body=lambda w, c: {"helpful": True},
    ),
    # The sign-up system, with its API key.
    "POST /api/v1/signups/": Rule(signup_system(201), body=new_signup),
    "POST /api/v1/signups/batch/": Rule(
        signup_system(200), body=lambda w, c: {"items": [signup_payload()]}
    ),
    "POST /api/v1/signups/<str:external_id>/activate/": Rule(
        signup_system(200),
        url=lambda w: f"/api/v1/signups/{w.objects['signup']}/activate/",
        body=moment("activated_at"),
    ),
    "POST /api/v1/signups/<str:external_id>/cancel/": Rule(
        signup_system(200),
        url=lambda w: f"/api/v1/signups/{w.objects['signup']}/cancel/",
        body=moment("cancelled_at"),
    ),
    # Sales ops: review, decisions, claims, export and reports.
    "GET /api/v1/ops/attributions/": Rule(role("sales_ops", 200)),
    "GET /api/v1/ops/attributions/export/": Rule(role("sales_ops", 200)),
    "GET /api/v1/ops/attributions/<int:attribution_id>/": Rule(
        role("sales_ops", 200), url=lambda w: f"{OPS_ATTRIBUTION(w)}"
    ),
    "POST /api/v1/ops/attributions/<int:attribution_id>/decide/": Rule(
        role("sales_ops", 200),
        url=lambda w: f"{OPS_ATTRIBUTION(w)}decide/",
        body=lambda w, c: {"action": "reject", "version": 1, "reason": "Matrix"},
    ),
    "POST /api/v1/ops/attributions/bulk-decide/": Rule(
        role("sales_ops", 200),
        body=lambda w, c: {
            "action": "reject",
            "reason": "Matrix",
            "items": [{"id": w.objects["attribution"].pk, "version": 1}],
        },
    ),
    "GET /api/v1/ops/claims/": Rule(role("sales_ops", 200)),
    "GET /api/v1/ops/claims/<int:claim_id>/": Rule(role("sales_ops", 200), url=OPS_CLAIM),
    "POST /api/v1/ops/claims/<int:claim_id>/accept/": Rule(
        role("sales_ops", 200),
        url=lambda w: f"{OPS_CLAIM(w)}accept/",
        body=lambda w, c: {
            "signup": w.objects["attribution"].signup_id,
            "version": 1,
            "reason": "Matrix",
        },
    ),
    "POST /api/v1/ops/claims/<int:claim_id>/reject/": Rule(
        role("sales_ops", 200),
        url=lambda w: f"{OPS_CLAIM(w)}reject/",
        body=lambda w, c: {"reason": "Matrix"},
    ),
    "GET /api/v1/ops/reports/funnel/": Rule(role("sales_ops", 200)),
    # SCIM: only an identity provider's SCIM token (tests/accounts/test_scim.py) opens these;
    # an employee's JWT or a sign-up key is refused like no credentials.
    **{
        f"{method} /scim/v2/{route}": Rule(
            anyone(401),
            url=lambda w, r=route: (
                "/scim/v2/"
                + r.replace("<str:scim_id>", str(w.people["employee"].pk))
                .replace("<str:type_id>", "User")
                .replace("<str:schema_id>", "urn:ietf:params:scim:schemas:core:2.0:User")
            ),
            body=lambda w, c: {"schemas": [], "userName": "x@ceo-telecom.example"},
        )
        for method, route in [
            ("GET", "Users"),
            ("POST", "Users"),
            ("GET", "Users/<str:scim_id>"),
            ("PUT", "Users/<str:scim_id>"),
            ("PATCH", "Users/<str:scim_id>"),
            ("DELETE", "Users/<str:scim_id>"),
            ("GET", "ServiceProviderConfig"),
            ("GET", "ResourceTypes"),
            ("GET", "ResourceTypes/<str:type_id>"),
            ("GET", "Schemas"),
            ("GET", "Schemas/<str:schema_id>"),
        ]
    },
    "GET /api/v1/ops/campaigns/": Rule(role("sales_ops", 200)),
    "POST /api/v1/ops/campaigns/": Rule(role("sales_ops", 201), body=lambda w, c: CAMPAIGN),
    "GET /api/v1/ops/campaigns/<int:campaign_id>/": Rule(
        role("sales_ops", 200), url=lambda w: f"/api/v1/ops/campaigns/{matrix_campaign()}/"
    ),
    "PATCH /api/v1/ops/campaigns/<int:campaign_id>/": Rule(
        role("sales_ops", 200),
        url=lambda w: f"/api/v1/ops/campaigns/{matrix_campaign()}/",
        body=lambda w, c: {"friend_perk_en": "Two months free"},
    ),
}

CAMPAIGN = {
    "name": "Matrix",
    "starts_at": "2030-01-01T00:00:00Z",
    "ends_at": "2030-02-01T00:00:00Z",
    "friend_perk_nl": "Eerste maand gratis",
    "friend_perk_en": "First month free",
}


def matrix_campaign() -> int:
    return Campaign.objects.create(**{**CAMPAIGN, "name": "Matrix existing"}).pk


# Plain Django views do not say which methods they take; these do.
FUNCTION_VIEW_METHODS = {
    "/s/<str:token>": ["GET"],
    "/s/<str:token>/preview.png": ["GET"],
    "/s/<str:token>/feedback": ["POST"],
    "/account/set-password/<str:uidb64>/<str:token>/": ["GET", "POST"],
}

# Admin pages have their own sign-in and are tested with the admin.
EXCLUDED_PREFIXES = ("/admin/", "/static/")


def _discover(patterns: list[Any], prefix: str = "") -> list[str]:
    found: list[str] = []
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            found += _discover(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            route = "/" + prefix + str(pattern.pattern)
            if route.startswith(EXCLUDED_PREFIXES):
                continue
            view = getattr(pattern.callback, "cls", None) or getattr(
                pattern.callback, "view_class", None
            )
            if view is None:
                methods = FUNCTION_VIEW_METHODS.get(route, ["(undeclared)"])
                found += [f"{method} {route}" for method in methods]
                continue
            methods = [
                m.upper()
                for m in view.http_method_names
                if m not in ("options", "head") and hasattr(view, m)
            ]
            found += [f"{method} {route}" for method in methods]
    return found


def test_every_endpoint_has_an_entry() -> None:
    discovered = set(_discover(get_resolver().url_patterns))

    assert discovered - set(MATRIX) == set(), "endpoints without an authorization entry"
    assert set(MATRIX) - discovered == set(), "entries for endpoints that do not exist"


@pytest.mark.parametrize("endpoint", sorted(MATRIX))
def test_every_caller_gets_the_expected_status(endpoint: str, db: None) -> None:
    rule = MATRIX[endpoint]
    method, route = endpoint.split(" ", 1)
    world = build_world()
    url = rule.url(world) if rule.url else route
    got: dict[str, int] = {}
    shapeless: list[str] = []

    for caller in ROLES:
        # Each caller starts from the same state: what one call changes is rolled back,
        # and rate-limit counters start empty.
        cache.clear()
        with transaction.atomic():
            body = rule.body(world, caller) if rule.body else None
            client = world.clients[caller]
            response = getattr(client, method.lower())(url, body, format="json")
            got[caller] = response.status_code
            # The friend's HTML pages answer with an HTML page, not the JSON error shape.
            html = response.get("Content-Type", "").startswith("text/html")
            if (
                response.status_code >= 400
                and not html
                and not {"code", "message"} <= set(response.json())
            ):
                shapeless.append(caller)
            transaction.set_rollback(True)

    assert got == rule.expect
    assert shapeless == [], "error responses outside the error shape"
