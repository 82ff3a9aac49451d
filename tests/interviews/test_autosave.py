"""Autosave's fast path: one UPDATE that checks every rule as it writes, and, when it writes
nothing, the same refusals as before, found out afterwards under the interview's lock."""

import re
import threading
from datetime import timedelta

import pytest
import time_machine
from django.db import connection, connections, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from core.caching import CSRF_STAND_IN
from interviews.models import Answer, Interview, InterviewError, grace
from interviews.views import DRAFT_STAND_IN, SAVE_STATUS_STAND_IN, SECONDS_STAND_IN

from .conftest import T0, at

HTMX = {"HTTP_HX_REQUEST": "true"}
# What the middleware reads for a signed-in request: the session, then the user.
AUTH_TABLES = ("django_session", "accounts_user")


def save_url(answer):
    return reverse("interviews:autosave", args=[answer.interview_id, answer.pk])


@pytest.fixture
def running(user, three_questions, user_client):
    """Started now (the view reads the real clock), question 1 on screen."""
    interview = Interview.objects.start(
        user=user, questions=three_questions, seconds_per_question=60, now=timezone.now()
    )
    user_client.get(interview.get_absolute_url())
    return interview


def first(interview):
    return interview.answers.get(position=1)


def state_of(answer):
    answer.refresh_from_db()
    return (answer.state, answer.text, answer.saved_at, answer.outcome, answer.late_text)


# --- the fast path -----------------------------------------------------------------------


@pytest.mark.django_db
def test_a_save_is_the_auth_reads_and_one_update(user_client, running):
    answer = first(running)
    with CaptureQueriesContext(connection) as queries:
        response = user_client.post(save_url(answer), {"text": "one statement"}, **HTMX)
    assert response.status_code == 200
    statements = [query["sql"] for query in queries.captured_queries]
    auth = {
        table: [sql for sql in statements if sql.startswith("SELECT ") and f'FROM "{table}"' in sql]
        for table in AUTH_TABLES
    }
    own = [sql for sql in statements if not any(sql in reads for reads in auth.values())]
    # At most one read each for the session and the user (none once they cost no query).
    assert all(len(reads) <= 1 for reads in auth.values()), auth
    assert len(own) == 1, own
    assert own[0].startswith('UPDATE "interviews_answer"')
    answer.refresh_from_db()
    assert answer.text == "one statement"
    assert answer.is_current
    assert f">{timezone.localtime(answer.saved_at):%H:%M:%S}</time>" in response.content.decode()


@pytest.mark.django_db
def test_a_reload_shows_each_draft_though_the_open_answer_is_kept(user_client, running):
    # The take page keeps the open answer in the cache until the user's practice changes;
    # a draft is not such a change, so the page must still read the draft itself.
    answer = first(running)
    for text in ("first draft", "second draft"):
        user_client.post(save_url(answer), {"text": text}, **HTMX)
        body = user_client.get(running.get_absolute_url()).content.decode()
        assert f">{text}</textarea>" in body


@pytest.mark.django_db
def test_a_kept_take_page_shows_this_moment_and_this_draft(user_client, running):
    # The take page is kept whole under the user's practice count; each response puts in the
    # seconds left, the draft and its "Saved" line. Seen here on one kept page, three times.
    answer = first(running)
    take = running.get_absolute_url()

    def visit(seconds_in):
        with time_machine.travel(answer.shown_at + timedelta(seconds=seconds_in), tick=False):
            return user_client.get(take).content.decode()

    body = visit(10)
    assert 'data-seconds-left="50"' in body
    assert '<span class="countdown-value">0:50</span>' in body
    assert "Drafts save automatically as you type." in body
    assert "></textarea>" in body

    # A draft that looks like markup, and like the page's own stand-ins, comes back as typed.
    draft = f"<b>x</b> & {CSRF_STAND_IN} {DRAFT_STAND_IN} {SAVE_STATUS_STAND_IN} 16460905:21"
    with time_machine.travel(answer.shown_at + timedelta(seconds=20), tick=False):
        user_client.post(save_url(answer), {"text": draft}, **HTMX)
    body = visit(41)
    assert 'data-seconds-left="19"' in body
    assert '<span class="countdown-value">0:19</span>' in body
    assert f">{escape(draft)}</textarea>" in body
    saved = timezone.localtime(Answer.objects.get(pk=answer.pk).saved_at)
    assert f">{saved:%H:%M:%S}</time>" in body
    assert "Drafts save automatically" not in body
    # The forms' token is this visitor's; only the draft still says the stand-in.
    assert body.count(CSRF_STAND_IN) == 1
    assert 'name="csrfmiddlewaretoken" value="' in body
    assert f'value="{CSRF_STAND_IN}"' not in body


@pytest.mark.django_db
def test_the_kept_take_page_is_the_page_made_fresh(user, three_questions, user_client):
    # The first visit shows question 1 under the lock and renders the page directly; the next,
    # at the same moment, comes from the kept page. Apart from each response's token, the same.
    interview = Interview.objects.start(
        user=user, questions=three_questions, seconds_per_question=90, now=timezone.now()
    )
    token = re.compile(r"\b[A-Za-z0-9]{64}\b")  # a masked CSRF token, in forms and hx-headers
    with time_machine.travel(timezone.now() + timedelta(seconds=1), tick=False):
        made = user_client.get(interview.get_absolute_url()).content.decode()
        kept = user_client.get(interview.get_absolute_url()).content.decode()
    assert "Question 1 of 3" in made
    assert token.sub("", kept) == token.sub("", made)
    # The screen before question 2, after question 1 timed out: made under the lock, then kept.
    deadline = interview.answers.get(position=1).deadline
    with time_machine.travel(deadline + grace() + timedelta(seconds=1), tick=False):
        made = user_client.get(interview.get_absolute_url()).content.decode()
        kept = user_client.get(interview.get_absolute_url()).content.decode()
    assert "Question 2 is next" in made
    assert token.sub("", kept) == token.sub("", made)


@pytest.mark.django_db
def test_the_deadline_names_the_server_zone_for_pages_without_javascript(user_client, running):
    # interview.js shows the deadline in the browser's zone and drops this; without it, the
    # time is the server's, so it says which zone that is.
    answer = first(running)
    body = user_client.get(running.get_absolute_url()).content.decode()
    deadline = timezone.localtime(answer.deadline)
    assert f">{deadline:%H:%M:%S}</time>" in body
    assert '<span class="deadline-zone"> (UTC)</span>' in body


@pytest.mark.django_db
def test_an_untimed_question_kept_page_has_no_clock(user, three_questions, user_client):
    interview = Interview.objects.start(
        user=user, questions=three_questions, seconds_per_question=None, now=timezone.now()
    )
    user_client.get(interview.get_absolute_url())
    for _ in range(2):  # made, then kept
        body = user_client.get(interview.get_absolute_url()).content.decode()
        assert "Untimed" in body
        assert str(SECONDS_STAND_IN) not in body
        assert 'data-seconds-left=""' in body


@pytest.mark.django_db
def test_a_save_without_htmx_goes_back_to_the_question(user_client, running):
    answer = first(running)
    response = user_client.post(save_url(answer), {"text": "no script"})
    assert response.status_code == 302
    assert response.url == running.get_absolute_url()
    assert first(running).text == "no script"


@pytest.mark.django_db
def test_an_untimed_answer_saves_at_any_time(user, user_client, three_questions):
    interview = Interview.objects.start(
        user=user, questions=three_questions, seconds_per_question=0, now=timezone.now()
    )
    user_client.get(interview.get_absolute_url())
    answer = first(interview)
    with time_machine.travel(timezone.now() + timedelta(days=3), tick=False):
        response = user_client.post(save_url(answer), {"text": "days later"}, **HTMX)
    assert response.status_code == 200
    assert state_of(answer)[:2] == (Answer.State.OPEN, "days later")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("after_deadline", "saved"),
    [(timedelta(0), True), (grace(), True), (grace() + timedelta(microseconds=1), False)],
)
def test_the_last_moment_is_deadline_plus_grace(user_client, running, after_deadline, saved):
    answer = first(running)
    user_client.post(save_url(answer), {"text": "in time"}, **HTMX)
    answer.refresh_from_db()
    with time_machine.travel(answer.deadline + after_deadline, tick=False):
        response = user_client.post(save_url(answer), {"text": "at the end"}, **HTMX)
    answer.refresh_from_db()
    if saved:
        assert response.status_code == 200
        assert (answer.state, answer.text) == (Answer.State.OPEN, "at the end")
    else:
        assert response["HX-Refresh"] == "true"
        assert (answer.outcome, answer.text) == (Answer.Outcome.TIMED_OUT, "in time")


# --- every refusal, and what it leaves in the database ------------------------------------


@pytest.mark.django_db
def test_someone_elses_answer_is_a_404_and_unchanged(other_user, other_client, running):
    answer = first(running)
    before = state_of(answer)
    assert other_client.post(save_url(answer), {"text": "intruder"}, **HTMX).status_code == 404
    # Nor through their own interview's id with this answer's id.
    theirs = Interview.objects.start(
        user=other_user, questions=[answer.question], seconds_per_question=60, now=timezone.now()
    )
    other_client.get(theirs.get_absolute_url())
    url = reverse("interviews:autosave", args=[theirs.pk, answer.pk])
    assert other_client.post(url, {"text": "intruder"}, **HTMX).status_code == 404
    assert state_of(answer) == before
    assert first(theirs).text == ""


@pytest.mark.django_db
def test_an_unknown_answer_is_a_404(user_client, running):
    url = reverse("interviews:autosave", args=[running.pk, first(running).pk + 1000])
    assert user_client.post(url, {"text": "nowhere"}, **HTMX).status_code == 404


@pytest.mark.django_db
def test_an_answer_not_shown_yet_is_a_409_and_unchanged(user_client, running):
    upcoming = running.answers.get(position=2)
    response = user_client.post(save_url(upcoming), {"text": "early"}, **HTMX)
    assert response.status_code == 409
    assert "not been shown" in response.content.decode()
    upcoming.refresh_from_db()
    assert (upcoming.state, upcoming.text, upcoming.shown_at) == (Answer.State.PENDING, "", None)


@pytest.mark.django_db
def test_a_closed_answer_is_a_409_and_keeps_its_text(user_client, running):
    answer = first(running)
    user_client.post(
        reverse("interviews:submit", args=[running.pk, answer.pk]), {"text": "final"}, **HTMX
    )
    before = state_of(answer)
    response = user_client.post(save_url(answer), {"text": "afterwards"}, **HTMX)
    assert response.status_code == 409
    assert "already closed" in response.content.decode()
    assert state_of(answer) == before
    assert before[:2] == (Answer.State.CLOSED, "final")


@pytest.mark.django_db
def test_past_grace_closes_it_as_timed_out_and_keeps_the_late_text(user_client, running):
    answer = first(running)
    user_client.post(save_url(answer), {"text": "in time"}, **HTMX)
    answer.refresh_from_db()
    late = answer.deadline + grace() + timedelta(seconds=1)
    with time_machine.travel(late, tick=False):
        response = user_client.post(save_url(answer), {"text": "too late"}, **HTMX)
    assert response.status_code == 200
    assert response["HX-Refresh"] == "true"
    answer.refresh_from_db()
    assert (answer.state, answer.outcome) == (Answer.State.CLOSED, Answer.Outcome.TIMED_OUT)
    assert (answer.text, answer.closed_at) == ("in time", answer.deadline)
    assert (answer.late_text, answer.late_at) == ("too late", late)
    assert "Time ran out" in user_client.get(running.get_absolute_url()).content.decode()


@pytest.mark.django_db
def test_a_finished_interview_takes_no_save(user_client, running):
    user_client.post(reverse("interviews:end", args=[running.pk]), {"text": "ended with this"})
    for answer in running.answers.all():
        before = state_of(answer)
        response = user_client.post(save_url(answer), {"text": "after the end"}, **HTMX)
        assert response.status_code == 409
        assert "already closed" in response.content.decode()
        assert state_of(answer) == before
    assert first(running).text == "ended with this"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "no answer text"),
        ({"text": "x" * 20_001}, "over 20,000 characters"),
        ({"text": "a\x00b"}, "Null characters are not allowed"),
    ],
)
def test_bad_input_is_a_400_and_keeps_the_draft(user_client, running, data, message):
    answer = first(running)
    user_client.post(save_url(answer), {"text": "my draft"}, **HTMX)
    before = state_of(answer)
    response = user_client.post(save_url(answer), data, **HTMX)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert state_of(answer) == before


# --- the one statement agrees with the model's rules ----------------------------------------


@pytest.mark.django_db
def test_the_one_statement_saves_exactly_where_save_draft_does(user, other_user, interview):
    """Every answer state, moment and owner: the UPDATE writes where `save_draft` would."""
    interview.advance(at(0))  # answer 1 open, deadline at(60); 2 and 3 pending
    interview.answers.get(position=2).close(Answer.Outcome.SKIPPED, at(0))  # a closed one
    moments = [at(0), at(60), at(60) + grace(), at(60) + grace() + timedelta(microseconds=1)]
    other = Interview.objects.start(
        user=other_user,
        questions=[interview.answers.first().question],
        seconds_per_question=60,
        now=T0,
    )
    for answer in interview.answers.all():
        for now in moments:
            for who, through in ((user, interview), (other_user, interview), (other_user, other)):
                with transaction.atomic():
                    saved = Answer.objects.save_draft_if_writable(
                        answer.pk, through.pk, who, "probe", now
                    )
                    changed = Answer.objects.filter(pk=answer.pk, text="probe").exists()
                    transaction.set_rollback(True)
                try:
                    with transaction.atomic():
                        answer.refresh_from_db()
                        answer.save_draft("probe", now)
                        transaction.set_rollback(True)
                    accepted = who == user
                except InterviewError:
                    accepted = False
                assert saved == changed == accepted, (answer.position, now - T0, who, through)
    interview.finish(at(1))
    assert not Answer.objects.save_draft_if_writable(
        interview.answers.first().pk, interview.pk, user, "probe", at(1)
    )


# --- concurrency: no lock on the interview, and no write into a closed answer ---------------


def in_thread(call):
    """Run `call` in a thread with its own connection; return the thread and its result box."""
    box = []

    def run():
        try:
            box.append(call())
        except Exception as error:  # noqa: BLE001 - asserted on by the caller
            box.append(error)
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    return thread, box


def wait_until_blocked(other_pid):
    """PostgreSQL: until some backend waits for a lock (the autosave, behind the submit)."""
    with connections["default"].cursor() as cursor:
        for _ in range(200):
            cursor.execute(
                "SELECT count(*) FROM pg_locks WHERE NOT granted AND pid <> %s", [other_pid]
            )
            if cursor.fetchone()[0]:
                return
            threading.Event().wait(0.05)
    raise AssertionError("the autosave never waited for the submit's row lock")


@pytest.mark.django_db(transaction=True)
def test_a_save_does_not_wait_for_the_interview_lock(user, running):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite locks the whole database for any writer")
    answer = first(running)
    locked, release = threading.Event(), threading.Event()

    def hold_the_interview_lock():
        with transaction.atomic():
            Interview.objects.select_for_update().get(pk=running.pk)
            locked.set()
            release.wait(10)

    client = Client()
    client.force_login(user)
    holder, _ = in_thread(hold_the_interview_lock)
    try:
        assert locked.wait(10)
        with connection.cursor() as cursor:
            # A fast path that waited for the interview would fail here rather than hang.
            cursor.execute("SET lock_timeout = '2s'")
        response = client.post(save_url(answer), {"text": "no lock needed"}, **HTMX)
    finally:
        release.set()
        holder.join(10)
        with connection.cursor() as cursor:
            cursor.execute("RESET lock_timeout")
    assert response.status_code == 200
    assert first(running).text == "no lock needed"


@pytest.mark.django_db(transaction=True)
def test_a_save_queued_behind_a_submit_cannot_reopen_or_overwrite_it(user, running):
    """The submit closes the answer while the autosave's UPDATE waits for the row: when the
    UPDATE goes ahead, it re-checks the row as closed and writes nothing (409)."""
    answer = first(running)
    closed, release = threading.Event(), threading.Event()
    submitter_pid = []

    def submit_and_hold():
        with transaction.atomic():
            locked = Interview.objects.select_for_update().get(pk=running.pk)
            current = locked.answers.select_for_update().get(pk=answer.pk)
            current.submit("submitted", timezone.now())
            if connections["default"].vendor == "postgresql":
                submitter_pid.append(connections["default"].connection.info.backend_pid)
            closed.set()
            release.wait(10)

    client = Client()
    client.force_login(user)  # before the submit: on SQLite it holds the only write lock
    submitter, _ = in_thread(submit_and_hold)
    assert closed.wait(10)
    saver, result = in_thread(
        lambda: client.post(save_url(answer), {"text": "queued draft"}, **HTMX)
    )
    try:
        if submitter_pid:
            wait_until_blocked(submitter_pid[0])
        else:
            saver.join(0.5)  # SQLite: the writer waits on the database lock (busy timeout)
    finally:
        release.set()
        submitter.join(10)
        saver.join(30)
    response = result[0]
    assert not isinstance(response, Exception), repr(response)
    assert response.status_code == 409
    assert "already closed" in response.content.decode()
    answer.refresh_from_db()
    assert (answer.outcome, answer.text) == (Answer.Outcome.SUBMITTED, "submitted")
