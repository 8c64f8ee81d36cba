"""Two people pressing the same button: one wins, the others get a conflict, one event is written.

Real row locks need PostgreSQL (SQLite locks the whole file), so these run in CI's PostgreSQL pass.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable

import pytest
from django.db import connection

from cases import workflow
from cases.models import Case, CaseEvent
from core.errors import Conflict

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
THREADS = 10


def all_at_once(call: Callable[[], object], outcome: Callable[[object], str] = lambda _result: "ok") -> Counter:
    """Run `call` in THREADS threads released together; count their outcomes (a Conflict counts as its code)."""
    barrier = threading.Barrier(THREADS)
    results: list[str] = []

    def worker() -> None:
        try:
            barrier.wait()
            results.append(outcome(call()))
        except Conflict as error:
            results.append(error.code if error.status_code == 409 and str(error.message) else repr(error))
        except Exception as error:  # anything else is a bug the assertion below shows
            results.append(repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return Counter(results)


def http_outcome(response) -> str:
    """An API answer as its status and, for a refusal, its §6 code: '200', '409 invalid_state'."""
    return f"{response.status_code} {response.json().get('code', '')}".strip()


def test_ten_simultaneous_report_ins_one_wins(world):
    case = world.case_in("dispatched")
    outcome = all_at_once(lambda: workflow.report_in(world.users["officer_lead"], Case.objects.get(pk=case.pk)))
    # The losers waited for the lock, then found the case already in progress (DESIGN.md §6: 409 invalid_state).
    assert outcome == Counter({"ok": 1, "invalid_state": THREADS - 1})
    assert CaseEvent.objects.filter(case=case, action="report_in").count() == 1
    case.refresh_from_db()
    assert case.state == "in_progress"


def test_ten_simultaneous_verifications_one_wins(world):
    case = world.case_in("resolved")
    outcome = all_at_once(lambda: workflow.verify(world.users["staff_own"], Case.objects.get(pk=case.pk)))
    assert outcome == Counter({"ok": 1, "invalid_state": THREADS - 1})
    assert CaseEvent.objects.filter(case=case, action="verify").count() == 1


def test_ten_simultaneous_intakes_get_ten_different_numbers(world):
    outcome = all_at_once(
        lambda: workflow.create_case(
            world.users["staff_own"], title="占道经营", category=world.category, community=world.community
        )
    )
    assert outcome == Counter({"ok": THREADS})
    numbers = list(Case.objects.values_list("number", flat=True))
    assert len(set(numbers)) == THREADS


def test_over_the_api_the_losers_of_a_race_get_409(world):
    from rest_framework.test import APIClient

    case = world.case_in("dispatched")

    def report_in():
        client = APIClient()
        client.force_authenticate(world.users["officer_lead"])
        return client.post(f"/api/v1/cases/{case.number}/report_in/")

    assert all_at_once(report_in, http_outcome) == Counter({"200": 1, "409 invalid_state": THREADS - 1})
    assert CaseEvent.objects.filter(case=case, action="report_in").count() == 1


def test_simultaneous_retries_with_one_idempotency_key_file_one_case(world):
    from rest_framework.test import APIClient

    body = {"title": "占道经营", "category": world.category.code, "community": world.community.pk}

    def create():
        client = APIClient()
        client.force_authenticate(world.users["staff_own"])
        return client.post("/api/v1/cases/", body, format="json", HTTP_IDEMPOTENCY_KEY="retry-storm")

    assert all_at_once(create, http_outcome) == Counter({"201": THREADS})
    assert Case.objects.count() == 1
