"""DRF or pydantic for the request and response shapes: µs per item on the hot paths.

    .venv/bin/python -m bench.shapes [--repeat 7]

In memory, no database (any query fails the run): the shapes alone, without requests.

- Sign-up items (`referrals/apis/signups.py::SignupItemSerializer`, with its customer):
  the serializer's `is_valid`, the input plan as the views use it, and a pydantic v2 model
  with the same fields, types, lengths, pattern, choices and strict JSON types. All three
  normalise and hash the identifiers with the same project functions, which are also
  timed alone. One item, and a batch of 1,000 (as `SignupBatchApi` validates it).
- A page of 20 article list items (`knowledge/apis/serializers.py::ArticleListItemSerializer`,
  rendering `knowledge.records.ArticleCard`) and the `/me` profile
  (`backend/accounts/apis.py::EmployeeProfileSerializer`): the serializer's `.data`, the
  project's `render`/`render_many`, and pydantic models with `from_attributes=True` and
  `model_dump(mode="json")`.

Before timing, every path's output is checked against the serializer's, and every
sign-up path must refuse the bad items of `REFUSED`, so the numbers compare the same
work. Where the pydantic model does less: DRF's `CharField` also refuses NUL and lone
surrogate characters. `/me`'s personal code comes from a stub reader (in the app, one
indexed query), the same call in every path.

pydantic is not a dependency of the project: install it into a scratch virtualenv
(`.venv/bin/pip install pydantic`; `make install` does not remove it).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import timeit
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Annotated, Any, Literal
from unittest import mock

try:
    import pydantic
    from pydantic import (
        AfterValidator,
        AwareDatetime,
        BaseModel,
        BeforeValidator,
        ConfigDict,
        Field,
        PlainSerializer,
        StrictBool,
        StringConstraints,
        TypeAdapter,
        field_validator,
        model_validator,
    )
    from pydantic_core import PydanticCustomError
except ImportError:
    sys.exit(
        "bench.shapes compares with pydantic v2, which the project does not depend on.\n"
        "Install it into a scratch virtualenv: .venv/bin/pip install 'pydantic>=2'"
    )

import django
import rest_framework

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings_test")
django.setup()

from django.conf import settings  # noqa: E402
from django.core.exceptions import ValidationError  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402
from rest_framework import serializers  # noqa: E402

from backend.accounts import extensions  # noqa: E402
from backend.accounts.apis import EmployeeProfileSerializer  # noqa: E402
from backend.accounts.identifiers import (  # noqa: E402
    hash_normalized,
    normalize_account,
    normalize_email,
    normalize_phone,
)
from backend.accounts.models import Employee  # noqa: E402
from backend.accounts.selectors import employee_personal_code  # noqa: E402
from backend.api.moments import MESSAGES, moment_refusal  # noqa: E402
from backend.api.rendering import (  # noqa: E402
    RecordSerializer,
    render,
    render_many,
)
from knowledge.apis.serializers import ArticleListItemSerializer  # noqa: E402
from knowledge.records import ArticleCard, CategoryRef, NoticeWindow  # noqa: E402
from referrals.apis.signups import (  # noqa: E402
    _BATCH,
    _ITEM,
    EXTERNAL_ID,
    SignupBatchApi,
    SignupItemSerializer,
)
from referrals.models import SalesChannel  # noqa: E402
from referrals.services.signups.inputs import MAX_BATCH  # noqa: E402

# --- The sign-up item as a pydantic model ------------------------------------------------


def _normalized(normalize: Callable[[str], str]) -> AfterValidator:
    def check(value: str) -> str:
        try:
            return normalize(value)
        except ValidationError as exc:
            raise PydanticCustomError(str(exc.code), exc.messages[0]) from None

    return AfterValidator(check)


def _json_string(value: Any) -> Any:
    # Lax pydantic also reads a number as a Unix time; the contract says a string.
    if not isinstance(value, str):
        raise PydanticCustomError("invalid_type", "Must be a date-time string.")
    return value


def _event_moment(value: datetime) -> datetime:
    refusal = moment_refusal(value, planned=False)
    if refusal:
        raise PydanticCustomError(refusal, str(MESSAGES[refusal]))
    return value.astimezone(timezone.get_current_timezone())


def _text(max_length: int, *, blank: bool = False, pattern: str | None = None) -> Any:
    # DRF's CharField: strict str, surrounding whitespace trimmed, then the length.
    return Annotated[
        str,
        Field(strict=True),
        StringConstraints(
            strip_whitespace=True,
            min_length=0 if blank else 1,
            max_length=max_length,
            pattern=pattern,
        ),
    ]


# Unknown fields are refused, as by StrictInputSerializer.
INPUT = ConfigDict(extra="forbid")


class SignupCustomer(BaseModel):
    model_config = INPUT

    # Absent is None; an explicit null is refused, as by the serializer.
    email: Annotated[_text(254), _normalized(normalize_email)] = None
    phone: Annotated[_text(40), _normalized(normalize_phone)] = None
    account: Annotated[_text(60), _normalized(normalize_account)] = None

    @model_validator(mode="after")
    def hashed(self) -> SignupCustomer:
        given = {kind: value for kind, value in self.__dict__.items() if value is not None}
        if not given:
            raise PydanticCustomError("required", "Give at least one of email, phone or account.")
        for kind, value in given.items():
            setattr(self, kind, hash_normalized(kind, value))
        return self


class SignupItem(BaseModel):
    model_config = INPUT

    external_id: _text(100, pattern=EXTERNAL_ID)
    occurred_at: Annotated[
        AwareDatetime, BeforeValidator(_json_string), AfterValidator(_event_moment)
    ]
    code: _text(32, blank=True) = ""
    share_token: _text(64, blank=True) = ""
    customer: SignupCustomer
    product: _text(100, blank=True) = ""
    sales_channel: Literal[tuple(SalesChannel.values)]
    is_new_customer: StrictBool


class SignupBatch(BaseModel):
    model_config = INPUT

    items: Annotated[list[SignupItem], Field(min_length=1, max_length=MAX_BATCH)]

    @field_validator("items")
    @classmethod
    def distinct(cls, items: list[SignupItem]) -> list[SignupItem]:
        seen: set[str] = set()
        for item in items:
            if item.external_id in seen:
                raise PydanticCustomError(
                    "duplicate_external_id",
                    f"external_id {item.external_id} appears more than once.",
                )
            seen.add(item.external_id)
        return items


# --- The article list item and the profile as pydantic models ----------------------------


def _drf_datetime(value: datetime) -> str:
    # DRF's DateTimeField output: in the current time zone, ISO 8601, UTC as `Z`.
    text = value.astimezone(timezone.get_current_timezone()).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


Moment = Annotated[datetime, PlainSerializer(_drf_datetime, return_type=str, when_used="json")]
OUTPUT = ConfigDict(from_attributes=True)


class CategoryRefOut(BaseModel):
    model_config = OUTPUT
    slug: str
    name_nl: str
    name_en: str


class NoticeOut(BaseModel):
    model_config = OUTPUT
    starts_at: Moment
    ends_at: Moment
    active: bool


class ArticleListItemOut(BaseModel):
    model_config = OUTPUT
    slug: str
    language: str
    title: str
    summary: str
    friend_text: str
    category: CategoryRefOut | None
    tags: list[str]
    status: str
    verified_until: date | None
    stale: bool
    translation_outdated: bool
    notice: NoticeOut | None
    updated_at: Moment
    highlight: str | None


class EmployeeProfileOut(BaseModel):
    model_config = OUTPUT
    id: int
    email: str
    employee_number: str
    display_name: str
    department: str
    team: str
    language: str
    roles: list[str]
    is_staff: bool
    ranking_opt_out: bool
    personal_code: str | None = None

    @model_validator(mode="wrap")
    @classmethod
    def with_personal_code(cls, data: Any, handler: Any) -> EmployeeProfileOut:
        profile: EmployeeProfileOut = handler(data)
        if isinstance(data, Employee):
            profile.personal_code = employee_personal_code(employee=data)
        return profile


ARTICLE_PAGE = TypeAdapter(list[ArticleListItemOut])

# --- Inputs ------------------------------------------------------------------------------


def signup_item(number: int) -> dict[str, Any]:
    """A sign-up as the benchmark's load script sends them: an email, a phone for every
    third, a typed code for most, a share token for some."""
    occurred = (timezone.now() - timedelta(hours=2)).astimezone(timezone.get_current_timezone())
    customer = {"email": f"Friend-{number}@Example.net"}
    if number % 3 == 0:
        customer["phone"] = f"06-1{number % 10_000_000:07d}"
    item: dict[str, Any] = {
        "external_id": f"b-run-{number}",
        "occurred_at": occurred.isoformat(timespec="seconds"),
        "customer": customer,
        "product": "Sim Only 10 GB",
        "sales_channel": ("online", "app", "store", "telesales", "dealer")[number % 5],
        "is_new_customer": number % 20 != 0,
    }
    if number % 10 < 7:
        item["code"] = "7KD3M-QX2A9"
    elif number % 10 < 9:
        item["share_token"] = f"st{number:030d}"
    return item


def article_cards(count: int) -> list[ArticleCard]:
    now = datetime(2026, 11, 30, 9, 30, 12, 345678, tzinfo=UTC)
    category = CategoryRef(slug="mobiel", name_nl="Mobiel", name_en="Mobile")
    notice = NoticeWindow(starts_at=now - timedelta(days=1), ends_at=now, active=True)
    return [
        ArticleCard(
            id=number,
            slug=f"sim-kaart-activeren-{number}",
            language="nl",
            title=f"Sim-kaart activeren ({number})",
            summary="Zo activeer je een nieuwe sim-kaart in de app of in de winkel.",
            friend_text="Activeer je sim-kaart in twee minuten.",
            tags=("sim", "activeren", "mobiel"),
            status="published",
            category=category if number % 4 else None,
            verified_until=date(2027, 3, 1) if number % 5 else None,
            stale=number % 5 == 0,
            translation_outdated=False,
            notice=notice if number % 7 == 0 else None,
            updated_at=now - timedelta(hours=number),
            highlight=f"Zo activeer je een <mark>sim</mark>-kaart ({number})"
            if number % 2
            else None,
        )
        for number in range(count)
    ]


def profile_employee() -> Employee:
    employee = Employee(
        id=5,
        email="jan.devries@example.com",
        employee_number="E000005",
        display_name="Jan de Vries",
        department="Sales",
        team="Team 12",
        language="nl",
        is_staff=False,
        ranking_opt_out=False,
    )
    employee._role_names = frozenset({"editor"})
    return employee


def personal_code_stub(employee: Employee) -> str | None:
    # Stands for the referrals app's reader (one indexed query): the same call in every path.
    return "7KD3M-QX2A9"


# --- Cases -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    name: str
    run: Callable[[], Any]
    items: int  # what the run handles; the table shows µs per item
    around: Callable[[], AbstractContextManager[Any]] = nullcontext


def stock_field_lookup() -> AbstractContextManager[Any]:
    """DRF's own field lookup instead of RecordSerializer's one getattr per field."""
    return mock.patch.object(
        RecordSerializer, "to_representation", serializers.Serializer.to_representation
    )


def drf_item_valid(data: dict[str, Any]) -> dict[str, Any]:
    serializer = SignupItemSerializer(data=data)
    if not serializer.is_valid():
        raise AssertionError(serializer.errors)
    return dict(serializer.validated_data)


def drf_batch_valid(data: dict[str, Any]) -> list[dict[str, Any]]:
    serializer = SignupBatchApi.InputSerializer(data=data)
    if not serializer.is_valid():
        raise AssertionError(serializer.errors)
    return [dict(item) for item in serializer.validated_data["items"]]


def identifiers_alone(items: list[dict[str, Any]]) -> None:
    normalizers = {"email": normalize_email, "phone": normalize_phone}
    for item in items:
        for kind, value in item["customer"].items():
            hash_normalized(kind, normalizers[kind](value.strip()))


def as_dict(model: SignupItem) -> dict[str, Any]:
    data = model.model_dump()
    data["customer"] = model.customer.model_dump(exclude_none=True)
    return data


def check_signups(item: dict[str, Any], batch: dict[str, Any]) -> None:
    expected = drf_item_valid(item)
    if _ITEM.plan.validated(item) is None:
        raise AssertionError("the input plan sent a valid item to the serializer")
    assert dict(_ITEM.validated(item)) == expected
    assert as_dict(SignupItem.model_validate(item)) == expected
    assert SignupItem.model_validate(item).occurred_at.tzinfo == expected["occurred_at"].tzinfo
    expected_batch = drf_batch_valid(batch)
    assert [dict(row) for row in _BATCH.validated(batch)["items"]] == expected_batch
    assert [as_dict(row) for row in SignupBatch.model_validate(batch).items] == expected_batch


# Inputs the contract refuses: each path must refuse every one (the plan by handing it to
# the serializer), or the pydantic model would be timed doing less than the serializer.
REFUSED: list[tuple[str, Any]] = [
    ("external_id", 12),
    ("external_id", "has space"),
    ("external_id", "x" * 101),
    ("occurred_at", 1_764_000_000),
    ("occurred_at", "2026-11-30T09:30:00"),
    ("occurred_at", "1999-12-31T23:00:00Z"),
    ("occurred_at", "2099-01-01T00:00:00Z"),
    ("code", 7),
    ("code", "x" * 33),
    ("share_token", None),
    ("product", "x" * 101),
    ("sales_channel", "fax"),
    ("sales_channel", 1),
    ("is_new_customer", 1),
    ("is_new_customer", "true"),
    ("customer", {}),
    ("customer", {"email": None}),
    ("customer", {"email": "not-an-email"}),
    ("customer", {"email": " "}),
    ("customer", {"phone": "12"}),
    ("customer", {"account": "A-1"}),
    ("customer", {"email": "a@example.net", "fax": "1"}),
    ("unknown", "x"),
]


def check_refusals(item: dict[str, Any]) -> None:
    for name, value in REFUSED:
        bad = {**item, name: value}
        if SignupItemSerializer(data=bad).is_valid() or _ITEM.plan.validated(bad) is not None:
            raise AssertionError(f"the serializer or the plan accepts {name}={value!r}")
        try:
            SignupItem.model_validate(bad)
        except pydantic.ValidationError:
            continue
        raise AssertionError(f"the pydantic model accepts {name}={value!r}")


def signup_cases(item: dict[str, Any], batch: dict[str, Any]) -> list[tuple[str, list[Case]]]:
    items = batch["items"]
    item_body, batch_body = json.dumps(item).encode(), json.dumps(batch).encode()
    one = [
        Case("DRF serializer `is_valid`", lambda: drf_item_valid(item), 1),
        Case("project: input plan (`_ITEM.validated`)", lambda: _ITEM.validated(item), 1),
        Case("pydantic `model_validate`", lambda: SignupItem.model_validate(item), 1),
        Case(
            "project from the body: `json.loads` + plan",
            lambda: _ITEM.validated(json.loads(item_body)),
            1,
        ),
        Case(
            "pydantic from the body: `model_validate_json`",
            lambda: SignupItem.model_validate_json(item_body),
            1,
        ),
        Case("of which identifiers (same calls in all)", lambda: identifiers_alone([item]), 1),
    ]
    many = [
        Case("DRF serializer `is_valid`", lambda: drf_batch_valid(batch), len(items)),
        Case(
            "project: input plan (`_BATCH.validated`)", lambda: _BATCH.validated(batch), len(items)
        ),
        Case("pydantic `model_validate`", lambda: SignupBatch.model_validate(batch), len(items)),
        Case(
            "project from the body: `json.loads` + plan",
            lambda: _BATCH.validated(json.loads(batch_body)),
            len(items),
        ),
        Case(
            "pydantic from the body: `model_validate_json`",
            lambda: SignupBatch.model_validate_json(batch_body),
            len(items),
        ),
        Case(
            "of which identifiers (same calls in all)", lambda: identifiers_alone(items), len(items)
        ),
    ]
    return [
        ("sign-up item, one (µs per item)", one),
        (f"sign-up batch of {len(items):,} (µs per item)", many),
    ]


def pydantic_page(cards: list[ArticleCard]) -> list[dict[str, Any]]:
    return [ArticleListItemOut.model_validate(card).model_dump(mode="json") for card in cards]


def pydantic_page_adapter(cards: list[ArticleCard]) -> list[dict[str, Any]]:
    return ARTICLE_PAGE.dump_python(ARTICLE_PAGE.validate_python(cards), mode="json")


def render_cases(cards: list[ArticleCard], employee: Employee) -> list[tuple[str, list[Case]]]:
    def drf_page() -> Any:
        return ArticleListItemSerializer(cards, many=True).data

    def drf_profile() -> Any:
        return EmployeeProfileSerializer(employee).data

    def pydantic_profile() -> Any:
        return EmployeeProfileOut.model_validate(employee).model_dump(mode="json")

    count = len(cards)
    page = [
        Case(
            "DRF `Serializer(many=True).data`, stock field lookup",
            drf_page,
            count,
            stock_field_lookup,
        ),
        Case("DRF `Serializer(many=True).data` (RecordSerializer)", drf_page, count),
        Case(
            "project: `render_many` (RecordSerializer)",
            lambda: render_many(ArticleListItemSerializer, cards),
            count,
        ),
        Case(
            "pydantic `model_validate` + `model_dump(mode=json)`",
            lambda: pydantic_page(cards),
            count,
        ),
        Case(
            "pydantic, one `TypeAdapter(list[...])` pass",
            lambda: pydantic_page_adapter(cards),
            count,
        ),
    ]
    profile = [
        Case("DRF `Serializer(employee).data`", drf_profile, 1),
        Case("project: `render`", lambda: render(EmployeeProfileSerializer, employee), 1),
        Case("pydantic `model_validate` + `model_dump(mode=json)`", pydantic_profile, 1),
    ]
    return [
        (f"article list, {count} items (µs per item)", page),
        ("`/me` profile (µs per response)", profile),
    ]


def check_renders(cases: list[tuple[str, list[Case]]]) -> None:
    for title, paths in cases:
        outputs = []
        for case in paths:
            with case.around():
                outputs.append(json.loads(json.dumps(case.run(), sort_keys=True)))
        for case, output in zip(paths, outputs, strict=True):
            if output != outputs[0]:
                raise AssertionError(f"{title}: {case.name} renders differently")


# --- Timing ------------------------------------------------------------------------------


def best_per_item(run: Callable[[], Any], items: int, repeat: int) -> float:
    """µs per item: best of `repeat` runs of a loop long enough for ~0.2 s."""
    timer = timeit.Timer(run)
    number, _ = timer.autorange()
    return min(timer.repeat(repeat=repeat, number=number)) / number / items * 1e6


def no_queries(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
    raise AssertionError(f"bench.shapes is in memory, yet it queried: {sql}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7, help="repeats; the best counts")
    args = parser.parse_args()

    item = signup_item(1)
    batch = {"items": [signup_item(number) for number in range(MAX_BATCH)]}
    with (
        connection.execute_wrapper(no_queries),
        mock.patch.object(extensions, "_personal_code_readers", [personal_code_stub]),
    ):
        check_signups(item, batch)
        check_refusals(item)
        renders = render_cases(article_cards(20), profile_employee())
        check_renders(renders)
        print("Checked: every path gives the serializer's output and refuses what it refuses.\n")
        print(
            f"Python {platform.python_version()}, Django {django.get_version()}, "
            f"DRF {rest_framework.VERSION}, "
            f"pydantic {pydantic.VERSION}; TIME_ZONE {settings.TIME_ZONE}; "
            f"best of {args.repeat}; load average before {os.getloadavg()}"
        )
        for title, paths in signup_cases(item, batch) + renders:
            print(f"\n{title}")
            for case in paths:
                with case.around():
                    per_item = best_per_item(case.run, case.items, args.repeat)
                print(f"  {case.name:<55} {per_item:9.1f}")
    print(f"\nload average after {os.getloadavg()}")


if __name__ == "__main__":
    main()
