import re
from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains

from interviews.models import Answer, Interview
from questions.models import Question

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def live_interview(user, three_questions):
    """An interview started now (the views read the real clock)."""
    return Interview.objects.start(
        user=user, questions=three_questions, seconds_per_question=60, now=timezone.now()
    )


def urls(interview, answer=None):
    answer = answer or interview.answers.order_by("position").first()
    both = [interview.pk, answer.pk]
    return {
        "take": reverse("interviews:take", args=[interview.pk]),
        "save": reverse("interviews:autosave", args=both),
        "submit": reverse("interviews:submit", args=both),
        "skip": reverse("interviews:skip", args=both),
        "end": reverse("interviews:end", args=[interview.pk]),
        "next": reverse("interviews:start_next", args=[interview.pk]),
        "review": reverse("interviews:review", args=[interview.pk]),
        "reveal": reverse("interviews:reveal", args=both),
        "record": reverse("interviews:record_review", args=both),
        "retake": reverse("interviews:retake", args=[interview.pk]),
    }


# --- starting --------------------------------------------------------------------------


def test_new_interview_form_shows_the_choices(user_client, bank):
    body = user_client.get("/interviews/new/").content.decode()
    assert "Start a mock interview" in body
    assert "Untimed" in body
    assert 'value="5"' in body


def test_anonymous_is_sent_to_log_in(client):
    response = client.get("/interviews/new/")
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


def test_starting_draws_matching_questions(user, user_client, bank):
    response = user_client.post(
        "/interviews/new/",
        {
            "topics": ["transformers", "llms"],
            "difficulty": "",
            "question_count": "4",
            "time_limit": "120",
        },
    )
    interview = Interview.objects.get(user=user)
    assert response.url == f"/interviews/{interview.pk}/"
    assert interview.question_count == 4
    assert interview.seconds_per_question == 120
    slugs = set(interview.answers.values_list("question__topic__slug", flat=True))
    assert slugs <= {"transformers", "llms"}


def test_untimed_interview_on_one_topic(user, user_client, bank):
    from questions.models import Topic

    topic = Topic.objects.get(slug="evaluation")
    user_client.post(
        "/interviews/new/", {"topics": [topic.slug], "question_count": "2", "time_limit": "0"}
    )
    interview = Interview.objects.get(user=user)
    assert interview.seconds_per_question is None
    assert list(interview.topics.all()) == [topic]


def test_unseen_questions_come_first(user, user_client, make_question):
    questions = [make_question(slug=f"s{i}", topic="only") for i in range(4)]
    past = Interview.objects.start(
        user=user,
        questions=questions[:2],
        seconds_per_question=60,
        now=timezone.now() - timedelta(days=1),
    )
    past.finish(timezone.now())
    user_client.post("/interviews/new/", {"question_count": "2", "time_limit": "60"})
    newest = Interview.objects.for_user(user).first()
    assert set(newest.answers.values_list("question__slug", flat=True)) == {"s2", "s3"}


def test_fewer_matching_than_asked_offers_what_there_is(user_client, make_question, user):
    make_question(slug="only-one", topic="tiny", difficulty="advanced")
    response = user_client.post(
        "/interviews/new/", {"difficulty": "advanced", "question_count": "5", "time_limit": "60"}
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "Only 1 question matches" in body
    assert "Start with 1 question" in body
    assert not Interview.objects.exists()
    response = user_client.post(
        "/interviews/new/", {"difficulty": "advanced", "question_count": "1", "time_limit": "60"}
    )
    assert response.status_code == 302


@pytest.mark.parametrize(
    "data",
    [
        {"question_count": "0", "time_limit": "60"},
        {"question_count": "21", "time_limit": "60"},
        {"question_count": "five", "time_limit": "60"},
        {"question_count": "3", "time_limit": "7"},
        {"question_count": "3", "time_limit": "60", "difficulty": "impossible"},
        {"question_count": "3", "time_limit": "60", "topics": ["no-such-topic"]},
        {},
    ],
)
def test_malformed_settings_are_a_400_with_messages(user_client, bank, data):
    response = user_client.post("/interviews/new/", data)
    assert response.status_code == 400
    assert "errorlist" in response.content.decode()
    assert not Interview.objects.exists()


def test_practise_this_question_starts_a_one_question_interview(user, user_client, bank):
    question = Question.objects.get(slug="dropout")
    assert user_client.post("/interviews/practise/no-such-question/").status_code == 404
    response = user_client.post(reverse("interviews:practise", args=[question.slug]))
    interview = Interview.objects.get(user=user)
    assert response.url == interview.get_absolute_url()
    assert interview.question_count == 1
    assert interview.seconds_per_question == question.suggested_minutes * 60


# --- ownership -------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["take", "review"])
def test_owned_pages_anonymous_other_owner(client, other_client, user_client, live_interview, name):
    url = urls(live_interview)[name]
    assert client.get(url).status_code == 302
    assert client.get(url).url.startswith(reverse("login"))
    assert other_client.get(url).status_code == 404
    if name == "review":  # not finished yet: back to the interview, then the review once it is
        assert user_client.get(url).url == urls(live_interview)["take"]
        live_interview.finish(timezone.now())
    assert user_client.get(url).status_code == 200


@pytest.mark.parametrize("name", ["save", "submit", "skip", "end", "reveal", "record", "retake"])
def test_owned_actions_are_404_for_another_user(other_client, live_interview, name):
    response = other_client.post(urls(live_interview)[name], {"text": "hijack", "confidence": 3})
    assert response.status_code == 404
    assert not Answer.objects.filter(text="hijack").exists()


def test_non_numeric_interview_id_is_404(user_client):
    assert user_client.get("/interviews/abc/").status_code == 404


def test_answer_of_another_interview_is_404(user_client, three_questions, user):
    past = Interview.objects.start(
        user=user, questions=three_questions, seconds_per_question=60, now=timezone.now()
    )
    past.finish(timezone.now())
    live_interview = Interview.objects.start(
        user=user, questions=three_questions, seconds_per_question=60, now=timezone.now()
    )
    foreign = past.answers.first()
    url = f"/interviews/{live_interview.pk}/answers/{foreign.pk}/save/"
    assert user_client.post(url, {"text": "x"}).status_code == 404


# --- taking ----------------------------------------------------------------------------


def test_take_page_shows_the_first_question_and_starts_its_clock(
    user_client, live_interview, monkeypatch
):
    shown = timezone.now()
    monkeypatch.setattr(timezone, "now", lambda: shown)  # the server's clock, held still
    response = user_client.get(urls(live_interview)["take"])
    body = response.content.decode()
    answer = live_interview.answers.get(position=1)
    assert "Question 1 of 3" in body
    assert answer.question.prompt in body
    assert answer.shown_at == shown
    assert 'data-seconds-left="60"' in body


def test_reload_keeps_the_clock_and_the_text(user_client, live_interview):
    user_client.get(urls(live_interview)["take"])
    answer = live_interview.answers.get(position=1)
    answer.refresh_from_db()
    first_deadline = answer.deadline
    user_client.post(urls(live_interview)["save"], {"text": "kept across reloads"}, **HTMX)
    body = user_client.get(urls(live_interview)["take"]).content.decode()
    answer.refresh_from_db()
    assert answer.deadline == first_deadline
    assert "kept across reloads" in body


def test_autosave_returns_only_the_status_fragment(user_client, live_interview):
    user_client.get(urls(live_interview)["take"])
    response = user_client.post(urls(live_interview)["save"], {"text": "draft"}, **HTMX)
    body = response.content.decode()
    assert response.status_code == 200
    assert body.strip().startswith('<p id="save-status"')
    assert "Saved" in body
    assert "<html" not in body


def test_oversized_answer_is_refused_and_saved_text_kept(user_client, live_interview):
    user_client.get(urls(live_interview)["take"])
    user_client.post(urls(live_interview)["save"], {"text": "short and saved"}, **HTMX)
    response = user_client.post(urls(live_interview)["save"], {"text": "x" * 20_001}, **HTMX)
    assert response.status_code == 400
    assert "over 20,000 characters" in response.content.decode()
    assert live_interview.answers.get(position=1).text == "short and saved"
    response = user_client.post(urls(live_interview)["submit"], {"text": "y" * 20_001}, **HTMX)
    assert response.status_code == 400
    answer = live_interview.answers.get(position=1)
    assert answer.is_open
    assert answer.text == "short and saved"


def test_save_after_the_deadline_is_refused_and_the_page_refreshes(user_client, live_interview):
    user_client.get(urls(live_interview)["take"])
    user_client.post(urls(live_interview)["save"], {"text": "in time"}, **HTMX)
    answer = live_interview.answers.get(position=1)
    with time_machine.travel(answer.deadline + timedelta(seconds=60), tick=False):
        response = user_client.post(urls(live_interview)["save"], {"text": "too late"}, **HTMX)
    assert response.status_code == 200
    assert response["HX-Refresh"] == "true"
    answer.refresh_from_db()
    assert answer.text == "in time"
    assert answer.outcome == Answer.Outcome.TIMED_OUT
    body = user_client.get(urls(live_interview)["take"]).content.decode()
    assert "Time ran out" in body
    assert "Question 2 is next" in body


def test_save_to_a_closed_answer_is_409(user_client, live_interview):
    user_client.get(urls(live_interview)["take"])
    user_client.post(urls(live_interview)["submit"], {"text": "done"}, **HTMX)
    response = user_client.post(urls(live_interview)["save"], {"text": "again"}, **HTMX)
    assert response.status_code == 409
    assert "already closed" in response.content.decode()
    assert live_interview.answers.get(position=1).text == "done"


def test_submit_swaps_in_the_between_screen_then_start_shows_the_next(user_client, live_interview):
    user_client.get(urls(live_interview)["take"])
    response = user_client.post(urls(live_interview)["submit"], {"text": "answer one"}, **HTMX)
    body = response.content.decode()
    second = live_interview.answers.get(position=2)
    assert body.strip().startswith('<section id="interview-panel"')
    assert "<html" not in body
    assert "Question 1:</strong>\n      submitted at" in body
    assert "2 questions left" in body
    assert "Start question 2" in body
    assert second.question.prompt not in body  # its clock has not started: no prompt
    assert second.shown_at is None
    # Leaving and coming back lands on the same screen; it starts no clock either.
    assert "Start question 2" in user_client.get(urls(live_interview)["take"]).content.decode()
    second.refresh_from_db()
    assert second.shown_at is None
    response = user_client.post(urls(live_interview)["next"], **HTMX)
    body = response.content.decode()
    assert "Question 2 of 3" in body
    assert second.question.prompt in body
    second.refresh_from_db()
    assert second.is_current
    # A second press (double click, another tab) keeps the same clock.
    shown_at = second.shown_at
    user_client.post(urls(live_interview)["next"], **HTMX)
    second.refresh_from_db()
    assert second.shown_at == shown_at


def test_double_submit_and_second_tab_leave_one_answer(user_client, live_interview):
    user_client.get(urls(live_interview)["take"])
    first = user_client.post(urls(live_interview)["submit"], {"text": "first"}, **HTMX)
    second = user_client.post(urls(live_interview)["submit"], {"text": "second"}, **HTMX)
    assert first.status_code == second.status_code == 200
    assert "already closed" in second.content.decode()
    assert live_interview.answers.count() == 3
    assert live_interview.answers.get(position=1).text == "first"


def test_without_javascript_plain_posts_work(user_client, live_interview):
    user_client.get(urls(live_interview)["take"])
    response = user_client.post(urls(live_interview)["submit"], {"text": "plain"})
    assert response.status_code == 302
    assert response.url == urls(live_interview)["take"]
    second = live_interview.answers.get(position=2)
    assert "Start question 2" in user_client.get(response.url).content.decode()
    response = user_client.post(urls(live_interview)["next"])
    assert response.status_code == 302
    assert response.url == urls(live_interview)["take"]
    response = user_client.post(urls(live_interview, second)["skip"], {"text": ""})
    assert response.status_code == 302


def test_last_submit_goes_to_the_review(user_client, live_interview):
    for position in (1, 2, 3):
        user_client.post(urls(live_interview)["next"])
        answer = live_interview.answers.get(position=position)
        response = user_client.post(urls(live_interview, answer)["submit"], {"text": "a"}, **HTMX)
    assert response["HX-Redirect"] == urls(live_interview)["review"]
    live_interview.refresh_from_db()
    assert live_interview.is_finished


def test_end_interview_keeps_the_typed_text(user_client, live_interview):
    user_client.get(urls(live_interview)["take"])
    response = user_client.post(urls(live_interview)["end"], {"text": "typed before ending"})
    assert response.url == urls(live_interview)["review"]
    live_interview.refresh_from_db()
    assert live_interview.is_finished
    assert live_interview.answers.get(position=1).text == "typed before ending"


def test_expired_session_mid_interview_gets_a_clear_401_and_text_survives(user, live_interview):
    client = Client()
    client.force_login(user)
    client.get(urls(live_interview)["take"])
    client.post(urls(live_interview)["save"], {"text": "autosaved"}, **HTMX)
    client.logout()
    response = client.post(
        urls(live_interview)["save"],
        {"text": "after expiry"},
        **HTMX,
        HTTP_HX_CURRENT_URL="http://testserver" + urls(live_interview)["take"],
    )
    assert response.status_code == 401
    assert "session has expired" in response.content.decode()
    assert f"next=/interviews/{live_interview.pk}/" in response.content.decode()
    client.force_login(user)
    assert "autosaved" in client.get(urls(live_interview)["take"]).content.decode()


def test_csrf_is_enforced_on_autosave(user, live_interview):
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    client.get(urls(live_interview)["take"])
    response = client.post(urls(live_interview)["save"], {"text": "no token"}, **HTMX)
    assert response.status_code == 403
    token = client.cookies["csrftoken"].value
    response = client.post(
        urls(live_interview)["save"], {"text": "token"}, **HTMX, HTTP_X_CSRFTOKEN=token
    )
    assert response.status_code == 200


def test_reference_never_reaches_the_browser_while_open(user_client, live_interview, user):
    """Every take page and fragment, for every question, without the reference material."""
    secrets = []
    for answer in live_interview.answers.select_related("question"):
        question = answer.question
        secrets += [question.answer]
        secrets += [part for follow_up in question.follow_ups for part in follow_up.values()]
        secrets += [kp.text for kp in question.key_points.all()]
    responses = []
    for position in (1, 2, 3):
        responses.append(user_client.get(urls(live_interview)["take"]))
        answer = live_interview.answers.get(position=position)
        responses.append(
            user_client.post(urls(live_interview, answer)["save"], {"text": "t"}, **HTMX)
        )
        responses.append(user_client.get(answer.question.get_absolute_url()))
        responses.append(
            user_client.post(urls(live_interview, answer)["submit"], {"text": "t"}, **HTMX)
        )
    # The last submit finished the interview: from then on the references may be read.
    for response in responses:
        body = response.content.decode()
        for secret in secrets:
            assert secret not in body


def test_bank_page_hides_the_answer_during_an_interview(user_client, client, live_interview):
    question = live_interview.answers.get(position=2).question
    body = user_client.get(question.get_absolute_url()).content.decode()
    assert "Reference answers are paused" in body
    assert question.answer not in body
    assert question.answer in client.get(question.get_absolute_url()).content.decode()
    live_interview.finish(timezone.now())
    assert question.answer in user_client.get(question.get_absolute_url()).content.decode()


def _interview_of(user, questions):
    return Interview.objects.start(
        user=user, questions=questions, seconds_per_question=600, now=timezone.now()
    )


def test_take_and_review_cost_the_same_for_3_or_20_questions(
    user, user_client, add_questions, query_count
):
    questions = add_questions(20)
    costs = []
    for size in (3, 20):
        interview = _interview_of(user, questions[:size])
        take = reverse("interviews:take", args=[interview.pk])
        user_client.get(take)
        taking = query_count(lambda take=take: user_client.get(take))
        interview.finish(timezone.now())
        review = reverse("interviews:review", args=[interview.pk])
        reviewing = query_count(lambda review=review: user_client.get(review))
        costs.append((taking, reviewing))
    assert costs[0] == costs[1]
    assert costs[0][0] <= 14
    assert costs[0][1] <= 10


def test_autosave_query_count(user_client, live_interview, django_assert_max_num_queries):
    user_client.get(urls(live_interview)["take"])
    with django_assert_max_num_queries(8):
        user_client.post(urls(live_interview)["save"], {"text": "x"}, **HTMX)


# --- reviewing -------------------------------------------------------------------------


def finish_with_answers(client, interview):
    for position in (1, 2, 3):
        client.post(urls(interview)["next"])
        answer = interview.answers.get(position=position)
        client.post(urls(interview, answer)["submit"], {"text": f"answer {position}"}, **HTMX)


def test_review_before_the_end_sends_back_to_the_interview(user_client, live_interview):
    response = user_client.get(urls(live_interview)["review"])
    assert response.status_code == 302
    assert response.url == urls(live_interview)["take"]
    assert not live_interview.answers.filter(shown_at__isnull=False).exists()  # no clock started
    response = user_client.post(urls(live_interview)["reveal"], {"confidence": 3}, **HTMX)
    assert response.status_code == 409


def test_review_shows_answers_and_hides_reference_until_confidence(user_client, live_interview):
    finish_with_answers(user_client, live_interview)
    response = user_client.get(urls(live_interview)["review"])
    body = response.content.decode()
    first = live_interview.answers.get(position=1)
    assert "answer 1" in body
    assert "How confident are you" in body
    assert first.question.answer not in body


def test_reveal_then_tick_updates_the_score(user_client, live_interview):
    finish_with_answers(user_client, live_interview)
    first = live_interview.answers.get(position=1)
    response = user_client.post(urls(live_interview, first)["reveal"], {"confidence": "4"}, **HTMX)
    body = response.content.decode()
    assert body.strip().startswith('<article id="answer-1"')
    assert "Reference answer" in body
    # The summary comes along out of band (whatever the order of its tag's attributes).
    summary_tag = re.search(r'<section\b[^>]*\bid="review-summary"[^>]*>', body).group(0)
    assert 'data-hx-swap-oob="true"' in summary_tag
    response = user_client.post(
        urls(live_interview, first)["record"],
        {"covered": [1, 2, 3], "self_rating": "4", "notes": "ok"},
        **HTMX,
    )
    assert "Score 75%" in response.content.decode()
    first.refresh_from_db()
    assert first.score == 0.75
    assert first.confidence == 4
    assert first.self_rating == 4


@pytest.mark.parametrize(
    "data",
    [
        {"covered": ["abc"]},
        {"covered": ["999999"]},
        {"self_rating": "9"},
        {"notes": "n" * 5001},
    ],
)
def test_bad_review_input_is_400_and_keeps_the_review(user_client, live_interview, data):
    finish_with_answers(user_client, live_interview)
    first = live_interview.answers.get(position=1)
    user_client.post(urls(live_interview, first)["reveal"], {"confidence": "2"}, **HTMX)
    user_client.post(urls(live_interview, first)["record"], {"covered": [1]}, **HTMX)
    response = user_client.post(urls(live_interview, first)["record"], data, **HTMX)
    assert response.status_code == 400
    first.refresh_from_db()
    assert first.score == 0.25


@pytest.mark.parametrize("confidence", ["", "0", "6", "high"])
def test_bad_confidence_is_400(user_client, live_interview, confidence):
    finish_with_answers(user_client, live_interview)
    response = user_client.post(urls(live_interview)["reveal"], {"confidence": confidence}, **HTMX)
    assert response.status_code == 400
    assert "confident" in response.content.decode()


def test_review_without_javascript_redirects_back(user_client, live_interview):
    finish_with_answers(user_client, live_interview)
    response = user_client.post(urls(live_interview)["reveal"], {"confidence": "3"})
    assert response.status_code == 302
    assert response.url.endswith("/review/#answer-1")


def test_retake_starts_the_same_questions(user, user_client, live_interview):
    finish_with_answers(user_client, live_interview)
    response = user_client.post(urls(live_interview)["retake"])
    newest = Interview.objects.for_user(user).first()
    assert newest.pk != live_interview.pk
    assert response.url == newest.get_absolute_url()
    assert list(newest.answers.values_list("question_id", flat=True)) == list(
        live_interview.answers.values_list("question_id", flat=True)
    )


def test_refusals_answer_in_place_for_htmx_and_with_a_page_otherwise(user_client, live_interview):
    finish_with_answers(user_client, live_interview)
    url = urls(live_interview)["reveal"]
    fragment = user_client.post(url, {"confidence": "9"}, **HTMX)
    assert fragment.status_code == 400
    assert fragment.content.decode().strip().startswith('<article id="answer-1"')
    page = user_client.post(url, {"confidence": "9"})
    assert page.status_code == 400
    assertContains(page, "That was not done", status_code=400)
    assertContains(page, "9 is not one of the available choices", status_code=400)


def test_an_expired_session_answers_in_the_save_status_and_keeps_the_text_box(live_interview):
    answer = live_interview.answers.get(position=1)
    response = Client().post(
        urls(live_interview, answer)["submit"],
        {"text": "typed"},
        HTTP_HX_TARGET="interview-panel",
        **HTMX,
    )
    assert response.status_code == 401
    assert response["HX-Retarget"] == "#save-status"
    assert response["HX-Reswap"] == "outerHTML"
    assert response.content.decode().strip().startswith('<p id="save-status"')


def test_a_404_for_htmx_is_a_notice_at_the_top_of_the_page_not_a_page_in_a_fragment(
    other_client, live_interview
):
    answer = live_interview.answers.get(position=1)
    url = reverse("interviews:reveal", args=[live_interview.pk, answer.pk])
    response = other_client.post(url, {"confidence": "3"}, HTTP_HX_TARGET="answer-1", **HTMX)
    assert response.status_code == 404
    assert (response["HX-Retarget"], response["HX-Reswap"]) == ("main", "afterbegin")
    assert "<html" not in response.content.decode()
    page = other_client.get(urls(live_interview)["take"])
    assert page.status_code == 404
    assert "Page not found" in page.content.decode()


def test_the_take_page_reads_once_when_nothing_needs_writing(user_client, live_interview):
    """Reloading a question within its time is one read (the screen before the next, none), no
    lock and no transaction; a question whose time ran out still takes the locked path."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    take = urls(live_interview)["take"]

    def app_queries():
        with CaptureQueriesContext(connection) as queries:
            assert user_client.get(take).status_code == 200
        return [
            q["sql"]
            for q in queries.captured_queries
            if "django_session" not in q["sql"] and "accounts_user" not in q["sql"]
        ]

    user_client.get(urls(live_interview)["take"])  # shows question 1: a write
    # The first visit after a change finds the open answer (one join) and its draft; later
    # ones keep the answer and read only its draft, by primary key.
    first, reload = app_queries(), app_queries()
    assert len(first) == 2
    assert len(reload) == 1
    assert "JOIN" not in reload[0]
    for sql in first + reload:
        assert "FOR UPDATE" not in sql
        assert "SAVEPOINT" not in sql
    user_client.post(urls(live_interview)["submit"], {"text": "done"})
    # The screen before question 2 also says what closed; kept, it needs nothing more.
    assert len(app_queries()) == 2
    assert app_queries() == []
    user_client.post(urls(live_interview)["next"])
    second = live_interview.answers.get(position=2)
    with time_machine.travel(second.deadline + timedelta(minutes=5), tick=False):
        assert any("SAVEPOINT" in sql or "FOR UPDATE" in sql for sql in app_queries())
    second.refresh_from_db()
    assert second.outcome == Answer.Outcome.TIMED_OUT
