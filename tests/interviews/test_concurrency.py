"""Real threads against the real database: double submits, two tabs, retries and races between
a write and the end of an interview. Every response is a 2xx/3xx or a 4xx with a message, and the
rows end in one consistent state."""

import threading
from datetime import timedelta

import pytest
import time_machine
from django.db import connections
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from interviews.models import Answer, Interview

pytestmark = pytest.mark.django_db(transaction=True)
HTMX = {"HTTP_HX_REQUEST": "true"}


def run_together(calls):
    """Start every call at the same moment, each in its own thread with its own connection."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def worker(index, call):
        try:
            barrier.wait()
            results[index] = call()
        except Exception as error:  # noqa: BLE001 - reported as the result, asserted below
            results[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=item) for item in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def status_codes(results):
    for result in results:
        assert not isinstance(result, Exception), repr(result)
    return [result.status_code for result in results]


@pytest.fixture
def candidate(user):
    """A client's session cookie, shared by every thread (two tabs of one browser)."""
    client = Client()
    client.force_login(user)
    return client.cookies


def client_for(cookies):
    client = Client()
    client.cookies = cookies
    return client


@pytest.fixture
def running(user, three_questions, candidate):
    interview = Interview.objects.start(
        user=user, questions=three_questions, seconds_per_question=120, now=timezone.now()
    )
    client_for(candidate).get(interview.get_absolute_url())
    return interview


def url(name, answer):
    return reverse(f"interviews:{name}", args=[answer.interview_id, answer.pk])


def test_twenty_parallel_submits_of_one_answer_close_it_once(candidate, running):
    answer = running.answers.get(position=1)
    results = run_together(
        [
            lambda i=i: client_for(candidate).post(url("submit", answer), {"text": f"t{i}"}, **HTMX)
            for i in range(20)
        ]
    )
    assert all(code == 200 for code in status_codes(results))
    answer.refresh_from_db()
    assert answer.outcome == Answer.Outcome.SUBMITTED
    assert answer.text.startswith("t")
    # Nothing moved on by itself: the second question waits for "Start question 2".
    assert running.answers.get(position=2).state == Answer.State.PENDING
    assert running.answers.get(position=3).state == Answer.State.PENDING


def test_twenty_parallel_starts_of_the_next_question_show_it_once(candidate, running):
    first = running.answers.get(position=1)
    first.submit("done", timezone.now())
    url = reverse("interviews:start_next", args=[running.pk])
    results = run_together([lambda: client_for(candidate).post(url) for _ in range(20)])
    assert all(code < 500 for code in status_codes(results))
    second = running.answers.get(position=2)
    assert second.is_current
    assert running.answers.get(position=3).state == Answer.State.PENDING


def test_submit_and_end_at_once_leave_one_finished_interview(candidate, running):
    answer = running.answers.get(position=1)
    results = run_together(
        [
            lambda: client_for(candidate).post(url("submit", answer), {"text": "final"}, **HTMX),
            lambda: client_for(candidate).post(
                reverse("interviews:end", args=[running.pk]), {"text": "final"}, **HTMX
            ),
        ]
    )
    assert all(code == 200 for code in status_codes(results))
    running.refresh_from_db()
    assert running.is_finished
    answer.refresh_from_db()
    assert answer.text == "final"
    assert not running.answers.filter(closed_at__isnull=True).exists()


def test_reload_and_a_late_autosave_at_once(candidate, running):
    answer = running.answers.get(position=1)
    client_for(candidate).post(url("autosave", answer), {"text": "in time"}, **HTMX)
    answer.refresh_from_db()
    # Three minutes past the deadline, for every thread: the server's clock is moved, not rows.
    with time_machine.travel(answer.deadline + timedelta(seconds=180), tick=True):
        results = run_together(
            [
                lambda: client_for(candidate).get(running.get_absolute_url()),
                lambda: client_for(candidate).post(
                    url("autosave", answer), {"text": "late"}, **HTMX
                ),
                lambda: client_for(candidate).get(running.get_absolute_url()),
            ]
        )
    assert all(code < 500 for code in status_codes(results))
    answer.refresh_from_db()
    assert answer.outcome == Answer.Outcome.TIMED_OUT
    assert answer.text == "in time"
    assert running.answers.get(position=2).state == Answer.State.PENDING


def test_two_tabs_autosaving_keep_one_of_their_texts(candidate, running):
    answer = running.answers.get(position=1)
    texts = [f"tab {tab} draft {n}" for tab in "ab" for n in range(6)]
    results = run_together(
        [
            lambda t=t: client_for(candidate).post(url("autosave", answer), {"text": t}, **HTMX)
            for t in texts
        ]
    )
    assert all(code == 200 for code in status_codes(results))
    answer.refresh_from_db()
    assert answer.text in texts
    assert answer.is_current
