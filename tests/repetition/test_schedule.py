"""The spaced-repetition rules, each with `now` passed in."""

from datetime import UTC, datetime, timedelta

import fsrs
import pytest

from interviews.drawing import draw_due, new_allowance, new_today
from interviews.models import Answer, Interview
from repetition import schedule
from repetition.grading import grade
from repetition.models import Card, Review

pytestmark = pytest.mark.django_db
T0 = datetime(2026, 10, 1, 9, 0, tzinfo=UTC)
Again, Hard, Good, Easy = fsrs.Rating.Again, fsrs.Rating.Hard, fsrs.Rating.Good, fsrs.Rating.Easy


@pytest.mark.parametrize(
    ("score", "rating", "expected"),
    [
        (0.0, None, Again),
        (0.39, None, Again),
        (0.4, None, Hard),
        (0.69, 3, Hard),
        (0.7, None, Good),
        (0.89, 4, Good),
        (0.9, None, Easy),
        (1.0, 2, Easy),
        # A self-rating of 1 moves one step down, 5 one step up, within Again..Easy.
        (0.75, 1, Hard),
        (0.75, 5, Easy),
        (0.2, 1, Again),
        (0.2, 5, Hard),
        (1.0, 5, Easy),
        (0.95, 1, Good),
    ],
)
def test_grade_mapping(score, rating, expected):
    assert grade(score, rating) == expected


def test_an_unanswered_question_is_again_whatever_the_rest():
    assert grade(1.0, 5, answered=False) == Again
    assert grade(None, None) == Again


def review(user, question, rating, at, *, number=[0]):  # noqa: B006 (a counter across calls)
    """Log one review through a real answer (the log is keyed by answer)."""
    number[0] += 1
    interview = Interview.objects.start(
        user=user, questions=[question], seconds_per_question=60, now=at
    )
    answer = interview.show_next(at)
    answer.submit("an answer", at + timedelta(seconds=30))
    interview.finish(at + timedelta(seconds=31))
    return schedule.record(
        user_id=user.pk, question_id=question.pk, answer_id=answer.pk, rating=rating, at=at
    )


@pytest.fixture
def question(make_question):
    return make_question(slug="q1")


def test_the_first_review_creates_the_card_and_later_ones_move_it(user, question):
    assert not Card.objects.exists()
    card = review(user, question, Good, T0)
    assert Card.objects.get() == card
    assert card.created_at == T0
    assert card.last_review == T0
    first_interval = card.due - T0
    assert first_interval >= timedelta(days=1)
    card = review(user, question, Good, card.due)
    assert card.due - card.last_review > first_interval  # known again: the gap grows
    known_for = card.due - card.last_review
    card = review(user, question, Again, card.due)
    assert card.due - card.last_review < known_for  # forgotten: back much sooner
    assert Card.objects.count() == 1
    assert Review.objects.count() == 3


def test_rebuilding_from_the_log_gives_the_same_card(user, question):
    at = T0
    for rating in (Good, Hard, Again, Good, Easy):
        card = review(user, question, rating, at)
        at = card.due + timedelta(hours=3)
    stored = {field: getattr(card, field) for field in schedule.CARD_FIELDS}
    Card.objects.all().delete()
    rebuilt = schedule.rebuild(user.pk, question.pk)
    assert {field: getattr(rebuilt, field) for field in schedule.CARD_FIELDS} == stored


def test_a_review_saved_out_of_order_or_regraded_rebuilds_the_card(user, question, make_user):
    # Reviews of the same question, saved in another order than they happened, give the same
    # card as when saved in order.
    in_order, shuffled = make_user(username="in-order"), make_user(username="shuffled")
    times = [T0, T0 + timedelta(days=2), T0 + timedelta(days=9)]
    for at, rating in zip(times, (Good, Again, Good), strict=True):
        expected = review(in_order, question, rating, at)
    for at, rating in zip([times[2], times[0], times[1]], (Good, Good, Again), strict=True):
        card = review(shuffled, question, rating, at)
    assert (card.due, card.stability, card.difficulty) == (
        expected.due,
        expected.stability,
        expected.difficulty,
    )
    # Regrading one answer (its checklist saved again) replaces its review, never adds one.
    answer = Review.objects.filter(user=shuffled).order_by("reviewed_at").first().answer
    schedule.record(
        user_id=shuffled.pk, question_id=question.pk, answer_id=answer.pk, rating=Easy, at=T0
    )
    assert Review.objects.filter(user=shuffled).count() == 3
    assert Card.objects.get(user=shuffled).due != expected.due


def test_record_review_and_blank_answers_feed_the_schedule(user, make_question):
    questions = [make_question(slug=f"q{n}", points=4) for n in range(3)]
    interview = Interview.objects.start(
        user=user, questions=questions, seconds_per_question=60, now=T0
    )
    first = interview.show_next(T0)
    first.submit("covered most of it", T0 + timedelta(seconds=20))
    second = interview.show_next(T0 + timedelta(seconds=30))
    second.submit("   ", T0 + timedelta(seconds=40))  # blank: not answered
    interview.finish(T0 + timedelta(seconds=50))  # the third was never shown
    assert not Card.objects.filter(question=first.question).exists()  # not reviewed yet
    blank = Card.objects.get(question=second.question)
    assert blank.due == T0 + timedelta(seconds=40) + timedelta(days=1)
    assert not Card.objects.filter(question=questions[2]).exists()  # never reached
    first.refresh_from_db()
    first.reveal(4, T0 + timedelta(minutes=5))
    first.record_review([1, 2, 3], None, "", T0 + timedelta(minutes=6))  # 75 %: Good
    card = Card.objects.get(question=first.question)
    assert card.last_review == T0 + timedelta(minutes=5)  # the review counts at the reveal
    assert Review.objects.get(answer=first).rating == Good
    first.record_review([1], 1, "", T0 + timedelta(minutes=7))  # 25 %, rated 1: Again
    assert Review.objects.get(answer=first).rating == Again
    assert Card.objects.get(question=first.question).due == card.last_review + timedelta(days=1)


def test_due_questions_come_most_overdue_first(user, make_question):
    questions = [make_question(slug=f"q{n}") for n in range(4)]
    for question, days_ago in zip(questions, (4, 11, 2, 0), strict=True):
        review(user, question, Again, T0 - timedelta(days=days_ago))
    # Due one day after each review: 3, 10 and 1 days overdue; the last is due tomorrow.
    now = T0
    assert schedule.due_question_ids(user.pk, now) == [
        questions[1].pk,
        questions[0].pk,
        questions[2].pk,
    ]
    assert questions[3].pk not in schedule.due_question_ids(user.pk, now)
    assert questions[3].pk in schedule.due_question_ids(user.pk, now + timedelta(days=1))


def test_a_due_round_takes_due_first_then_new_ones_up_to_the_daily_limit(
    user, make_question, time_machine
):
    questions = [make_question(slug=f"q{n}") for n in range(12)]
    for question in questions[:2]:
        review(user, question, Again, T0 - timedelta(days=3))
    now = T0
    time_machine.move_to(now, tick=False)
    user.new_questions_per_day = 3
    user.save()
    drawn = draw_due(user, now)
    assert [q.pk for q in drawn[:2]] == [questions[0].pk, questions[1].pk]
    assert len(drawn) == 2 + 3
    assert all(q.pk not in {p.pk for p in questions[:2]} for q in drawn[2:])
    # Those three new ones were met today: nothing new is left for today.
    Interview.objects.start(user=user, questions=drawn, seconds_per_question=60, now=now)
    assert new_today(user, now) == 3
    assert new_allowance(user, now) == 0
    # The due ones are open in that interview now: never drawn twice.
    assert draw_due(user, now) == []
    # The next day the allowance is back.
    assert new_allowance(user, now + timedelta(days=1)) == 3


def test_readiness_is_mean_recall_with_unseen_questions_as_zero(user, make_question):
    a = [make_question(slug=f"a{n}", topic="alpha") for n in range(4)]
    b = [make_question(slug=f"b{n}", topic="beta") for n in range(2)]
    card = review(user, a[0], Good, T0)
    review(user, b[0], Good, T0)
    review(user, b[1], Easy, T0)
    now = T0 + timedelta(days=2)
    rows = {row.topic.slug: row for row in schedule.readiness_by_topic(user.pk, now)}
    recall = schedule.retrievability(card, now)
    assert 0.5 < recall < 1
    assert rows["alpha"].readiness == pytest.approx(recall / 4)
    assert (rows["alpha"].seen, rows["alpha"].total) == (1, 4)
    assert (rows["beta"].seen, rows["beta"].total) == (2, 2)
    # Weakest first.
    assert [row.topic.slug for row in schedule.readiness_by_topic(user.pk, now)] == [
        "alpha",
        "beta",
    ]
    # Recall fades with time.
    later = {r.topic.slug: r for r in schedule.readiness_by_topic(user.pk, now + timedelta(30))}
    assert later["beta"].readiness < rows["beta"].readiness
    assert a[1].pk  # unseen questions exist and count as 0


def test_the_forecast_counts_overdue_cards_today(user, make_question):
    questions = [make_question(slug=f"q{n}") for n in range(3)]
    review(user, questions[0], Again, T0 - timedelta(days=5))  # overdue
    review(user, questions[1], Again, T0)  # due tomorrow
    review(user, questions[2], Easy, T0)  # due in weeks
    forecast = schedule.due_forecast(schedule.cards_in_bank(user.pk), T0)
    assert [row["count"] for row in forecast] == [1, 1, 0, 0, 0, 0, 0]
    assert len(forecast) == 7
    assert Answer.objects.count() == 3
