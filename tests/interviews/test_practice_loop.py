"""The practice loop's pages: the review's states, the screen between questions, the home
page, one-click rounds, what's due and the daily allowance of new questions."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from interviews.models import Answer, Interview
from interviews.presets import PRESETS
from repetition.models import Card

from .conftest import T0

HTMX = {"HTTP_HX_REQUEST": "true"}
pytestmark = pytest.mark.django_db


def finished(user, questions, texts, now=T0):
    """An interview where answer n got texts[n] (blank ones become "not answered")."""
    interview = Interview.objects.start(
        user=user, questions=questions, seconds_per_question=60, now=now
    )
    for index, text in enumerate(texts):
        answer = interview.show_next(now + timedelta(minutes=index))
        answer.submit(text, now + timedelta(minutes=index, seconds=30))
    interview.finish(now + timedelta(minutes=10))
    return interview


def review_url(interview, answer, name="record_review"):
    return reverse(f"interviews:{name}", args=[interview.pk, answer.pk])


# --- the review ------------------------------------------------------------------------


def test_a_blank_answer_is_not_answered_with_no_confidence_and_no_checklist(
    user, user_client, three_questions
):
    interview = finished(user, three_questions, ["a real answer", "   \n ", "another one"])
    blank = interview.answers.get(position=2)
    assert (blank.state, blank.score) == (Answer.State.UNANSWERED, 0.0)
    body = user_client.get(interview.get_review_url()).content.decode()
    card = body[body.index('id="answer-2"') : body.index('id="answer-3"')]
    assert "Nothing was typed for this question" in card
    assert "Not answered · 0%" in card
    assert "How confident" not in card
    assert 'name="covered"' not in card
    assert blank.question.answer in card  # the reference, to learn from
    # Neither a reveal nor a checklist can be forced on it.
    response = user_client.post(review_url(interview, blank, "reveal"), {"confidence": 5}, **HTMX)
    assert response.status_code == 409
    response = user_client.post(review_url(interview, blank), {"covered": [1, 2]}, **HTMX)
    assert response.status_code == 409
    blank.refresh_from_db()
    assert (blank.state, blank.score, blank.confidence) == (Answer.State.UNANSWERED, 0.0, None)


def test_the_review_says_not_reviewed_yet_until_an_answered_one_is_reviewed(
    user, user_client, three_questions
):
    interview = finished(user, three_questions, ["one", "", "three"])
    body = user_client.get(interview.get_review_url()).content.decode()
    assert "Not reviewed yet" in body
    assert not re.search(r'class="stat stat-main">\s*<strong>0%', body)
    first = interview.answers.get(position=1)
    user_client.post(review_url(interview, first, "reveal"), {"confidence": 3}, **HTMX)
    body = user_client.get(interview.get_review_url()).content.decode()
    assert "Not reviewed yet" in body  # revealed is not reviewed
    user_client.post(review_url(interview, first), {"covered": [1, 2, 3, 4]}, **HTMX)
    interview.refresh_from_db()  # the summary reads the numbers the review stored on the row
    summary = interview.summary()
    # Mean over the reviewed one (100 %) and the blank one (0 %); "three" is not reviewed yet.
    assert summary["score"] == pytest.approx(0.5)
    assert (summary["reviewed"], summary["answered"], summary["unanswered"]) == (1, 2, 1)
    body = user_client.get(interview.get_review_url()).content.decode()
    assert "(1 of 2 answered reviewed)" in body


def test_an_all_blank_interview_scores_zero_at_once(user, user_client, three_questions):
    interview = finished(user, three_questions, ["", "", ""])
    assert interview.summary()["score"] == 0.0


def test_the_revealed_card_puts_the_answer_beside_the_reference_then_the_checklist(
    user, user_client, three_questions
):
    interview = finished(user, three_questions, ["mine", "two", "three"])
    first = interview.answers.get(position=1)
    body = user_client.post(
        review_url(interview, first, "reveal"), {"confidence": 2}, **HTMX
    ).content.decode()
    side_by_side = body.index('class="side-by-side"')
    assert side_by_side < body.index("Your answer") < body.index("Reference answer")
    assert body.index("Reference answer") < body.index("Key points your answer covered")
    assert body.index("Confidence before the reveal") < side_by_side


def test_a_tick_updates_the_score_out_of_band_and_leaves_the_card_alone(
    user, user_client, three_questions
):
    interview = finished(user, three_questions, ["mine", "two", "three"])
    first = interview.answers.get(position=1)
    user_client.post(review_url(interview, first, "reveal"), {"confidence": 2}, **HTMX)
    response = user_client.post(review_url(interview, first), {"covered": [1]}, **HTMX)
    body = response.content.decode()
    assert response.status_code == 200
    assert "<article" not in body  # the card (and the focused checkbox) stays
    score = re.search(r'<span id="answer-1-score"[^>]*>', body).group(0)
    assert 'data-hx-swap-oob="true"' in score
    assert "Score 25%" in body
    assert re.search(r'<section[^>]*id="review-summary"[^>]*data-hx-swap-oob="true"', body)
    # Without JavaScript, "Save review" does the same and comes back to the answer.
    response = user_client.post(review_url(interview, first), {"covered": [1, 2]})
    assert response.status_code == 302
    assert response.url.endswith("#answer-1")
    first.refresh_from_db()
    assert first.score == 0.5
    # A refused tick replaces the card to say why.
    response = user_client.post(review_url(interview, first), {"covered": ["x"]}, **HTMX)
    assert response.status_code == 400
    assert response["HX-Retarget"] == "#answer-1"
    assert response["HX-Reswap"] == "outerHTML"


# --- between questions ------------------------------------------------------------------


def test_a_timeout_leads_to_the_between_screen_saying_what_was_kept(
    user, user_client, three_questions
):
    interview = Interview.objects.start(
        user=user, questions=three_questions, seconds_per_question=60, now=timezone.now()
    )
    first = interview.show_next(timezone.now())
    save = reverse("interviews:autosave", args=[interview.pk, first.pk])
    user_client.post(save, {"text": "half an answer"}, **HTMX)
    first.refresh_from_db()
    with time_machine.travel(first.deadline + timedelta(minutes=5), tick=False):
        body = user_client.get(interview.get_absolute_url()).content.decode()
    saved = timezone.localtime(first.saved_at).strftime("%H:%M:%S")
    assert "Timed out: your text as saved at" in body
    assert saved in body
    assert "2 questions left" in body
    assert "Start question 2" in body
    assert interview.answers.get(position=2).question.prompt not in body
    assert interview.answers.get(position=2).shown_at is None


def test_the_between_screen_and_its_button_are_the_owners_only(
    client, other_client, user, three_questions
):
    interview = Interview.objects.start(
        user=user, questions=three_questions, seconds_per_question=60, now=T0
    )
    start = reverse("interviews:start_next", args=[interview.pk])
    response = client.post(start)
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))
    assert other_client.post(start).status_code == 404
    assert other_client.get(interview.get_absolute_url()).status_code == 404
    assert other_client.get(start).status_code == 405
    assert not interview.answers.filter(shown_at__isnull=False).exists()


# --- home, presets, what's due ----------------------------------------------------------


def test_home_anonymous_keeps_the_landing_page(client):
    body = client.get("/").content.decode()
    assert "Practise deep-learning interviews the way they are asked" in body
    assert "What to practise next" not in body


def test_home_signed_in_says_what_to_do_next(user, user_client, three_questions):
    body = user_client.get("/").content.decode()
    assert "What to practise next" in body
    for preset in PRESETS:
        assert preset.name in body
        assert reverse("interviews:preset", args=[preset.slug]) in body
    assert "Practise what's due" in body  # five new questions are allowed today
    assert "no interview finished yet" in body


def test_home_shows_due_questions_the_next_day_and_the_last_score(
    user, user_client, three_questions
):
    now = timezone.now()
    interview = finished(user, three_questions, ["", "", ""], now=now - timedelta(days=2))
    assert Card.objects.filter(user=user).count() == 3  # blank shown answers: Again
    body = user_client.get("/").content.decode()
    assert "3 questions due" in body
    assert "0%" in body
    assert interview.get_review_url() in body


def test_home_with_an_interview_running_offers_only_resume(user, user_client, three_questions):
    running = Interview.objects.start(
        user=user, questions=three_questions, seconds_per_question=60, now=T0
    )
    body = user_client.get("/").content.decode()
    assert "Resume your interview" in body
    assert running.get_absolute_url() in body
    assert reverse("interviews:practise_due") not in body


@pytest.mark.parametrize("preset", PRESETS, ids=lambda p: p.slug)
def test_a_preset_starts_at_once(user, user_client, add_questions, preset):
    add_questions(30)
    response = user_client.post(reverse("interviews:preset", args=[preset.slug]))
    interview = Interview.objects.get(user=user)
    assert response.url == interview.get_absolute_url()
    assert interview.question_count == preset.count
    assert interview.seconds_per_question == preset.seconds
    difficulties = set(interview.answers.values_list("question__difficulty", flat=True))
    if preset.difficulties:
        assert difficulties <= set(preset.difficulties)
    if preset.mixed:
        topics = interview.answers.values_list("question__topic", flat=True)
        assert len(set(topics)) == min(preset.count, 5)  # add_questions spreads over 5 topics


def test_presets_refuse_unknown_names_get_and_anonymous(client, user_client, add_questions):
    add_questions(5)
    assert user_client.post(reverse("interviews:preset", args=["marathon"])).status_code == 404
    assert user_client.get(reverse("interviews:preset", args=["quick"])).status_code == 405
    response = client.post(reverse("interviews:preset", args=["quick"]))
    assert response.url.startswith(reverse("login"))
    assert not Interview.objects.exists()


def test_practise_due_with_nothing_due_and_no_new_allowance_says_so(
    user, user_client, three_questions
):
    user.new_questions_per_day = 0
    user.save()
    response = user_client.post(reverse("interviews:practise_due"), follow=True)
    assert "Nothing is due now" in response.content.decode()
    assert not Interview.objects.exists()


def test_practise_due_draws_the_due_ones_first(user, user_client, make_question):
    now = timezone.now()
    old = [make_question(slug=f"old{n}") for n in range(2)]
    [make_question(slug=f"new{n}") for n in range(8)]
    finished(user, old, ["", ""], now=now - timedelta(days=3))
    user_client.post(reverse("interviews:practise_due"))
    interview = Interview.objects.for_user(user).in_progress().get()
    slugs = list(interview.answers.order_by("position").values_list("question__slug", flat=True))
    assert set(slugs[:2]) == {"old0", "old1"}
    assert len(slugs) == 2 + 5  # five new a day by default


def test_practise_a_topic(user, user_client, make_question):
    [make_question(slug=f"a{n}", topic="alpha") for n in range(6)]
    make_question(slug="b0", topic="beta")
    response = user_client.post(reverse("interviews:practise_topic", args=["alpha"]))
    interview = Interview.objects.get(user=user)
    assert response.url == interview.get_absolute_url()
    assert set(interview.answers.values_list("question__topic__slug", flat=True)) == {"alpha"}
    assert interview.question_count == 5
    assert user_client.post(reverse("interviews:practise_topic", args=["nope"])).status_code in (
        302,  # an interview is running: back to it, whatever the topic
        404,
    )


def test_practise_an_unknown_topic_is_404(user_client, make_question):
    make_question()
    assert user_client.post(reverse("interviews:practise_topic", args=["nope"])).status_code == 404


@pytest.mark.parametrize("value", ["-1", "51", "abc", ""])
def test_bad_daily_allowance_is_400_with_a_message(user, user_client, value):
    response = user_client.post(reverse("progress:new_per_day"), {"new_questions_per_day": value})
    assert response.status_code == 400
    assert 'role="alert"' in response.content.decode()
    user.refresh_from_db()
    assert user.new_questions_per_day == 5


def test_daily_allowance_saves(user, user_client):
    response = user_client.post(reverse("progress:new_per_day"), {"new_questions_per_day": "2"})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.new_questions_per_day == 2
