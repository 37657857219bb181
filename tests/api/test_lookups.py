"""`field__anyof` selects the same rows as `field__in`, with one array parameter."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from backend.accounts.models import Employee


def test_anyof_selects_what_in_selects_with_one_parameter(make_employee) -> None:
    people = [make_employee() for _ in range(3)]
    wanted = [people[0].pk, people[2].pk, 999_999]

    with CaptureQueriesContext(connection) as queries:
        found = set(Employee.objects.filter(pk__anyof=wanted).values_list("pk", flat=True))
    emails = {p.email for p in people[:2]}
    by_email = set(Employee.objects.filter(email__anyof=emails).values_list("email", flat=True))
    related = Employee.groups.through.objects.filter(employee__anyof=[people[1].pk]).count()

    assert found == set(Employee.objects.filter(pk__in=wanted).values_list("pk", flat=True))
    assert found == {people[0].pk, people[2].pk}
    assert by_email == emails
    assert related == 0
    assert "= ANY(" in queries.captured_queries[0]["sql"]


def test_anyof_with_nothing_to_match_runs_no_query(db: None, django_assert_num_queries) -> None:
    with django_assert_num_queries(0):
        assert list(Employee.objects.filter(pk__anyof=[])) == []
