import pytest
from django.db import IntegrityError, transaction

from interviews.models import Answer, AnswerClosed, Interview, InterviewError, TooLate

from .conftest import T0, at

pytestmark = pytest.mark.django_db


def test_start_creates_one_open_answer_per_question_and_no_clock(interview):
    answers = list(interview.answers.order_by("position"))
    assert [a.position for a in answers] == [1, 2, 3]
    assert all(a.shown_at is None and a.deadline is None for a in answers)
    assert interview.status == Interview.Status.IN_PROGRESS
    assert interview.started_at is None


def test_clock_starts_when_first_shown_and_never_restarts(interview):
    first = interview.show_next(at(0))
    assert first.position == 1
    assert first.shown_at == T0
    assert first.deadline == at(60)
    again = interview.show_next(at(30))  # a reload, or a second tab
    assert again.pk == first.pk
    again.refresh_from_db()
    assert again.shown_at == T0
    assert again.deadline == at(60)
    assert again.seconds_left(at(30)) == 30
    interview.refresh_from_db()
    assert interview.started_at == T0


def test_draft_saves_until_deadline_plus_grace(interview, settings):
    settings.INTERVIEW_GRACE_SECONDS = 5
    answer = interview.show_next(at(0))
    answer.save_draft("first words", at(10))
    answer.save_draft("first words and more", at(64))  # after the deadline, within grace
    assert answer.text == "first words and more"
    assert answer.saved_at == at(64)
    with pytest.raises(TooLate):
        answer.save_draft("too late", at(66))
    answer.refresh_from_db()
    assert answer.text == "first words and more"
    assert answer.outcome == Answer.Outcome.TIMED_OUT
    assert answer.closed_at == at(60)
    assert answer.seconds_used == 60


def test_submit_closes_with_the_text_and_time_used(interview):
    answer = interview.show_next(at(0))
    answer.submit("my answer", at(42))
    answer.refresh_from_db()
    assert answer.outcome == Answer.Outcome.SUBMITTED
    assert answer.text == "my answer"
    assert answer.closed_at == at(42)
    assert answer.seconds_used == 42
    assert answer.score is None  # waits for the review


def test_submit_by_the_page_at_zero_records_a_time_out_with_the_text(interview):
    answer = interview.show_next(at(0))
    answer.submit("typed until the end", at(61))
    answer.refresh_from_db()
    assert answer.outcome == Answer.Outcome.TIMED_OUT
    assert answer.text == "typed until the end"
    assert answer.seconds_used == 60


def test_late_submit_keeps_the_last_text_saved_in_time(interview):
    answer = interview.show_next(at(0))
    answer.save_draft("saved in time", at(50))
    with pytest.raises(TooLate):
        answer.submit("arrived late", at(120))
    answer.refresh_from_db()
    assert answer.text == "saved in time"
    assert answer.outcome == Answer.Outcome.TIMED_OUT


def test_double_submit_is_refused_without_changing_anything(interview):
    answer = interview.show_next(at(0))
    answer.submit("first", at(10))
    with pytest.raises(AnswerClosed):
        answer.submit("second", at(11))
    answer.refresh_from_db()
    assert answer.text == "first"
    assert Answer.objects.filter(interview=interview).count() == 3


def test_skip_keeps_typed_text(interview):
    answer = interview.show_next(at(0))
    answer.skip("half a thought", at(5))
    answer.refresh_from_db()
    assert answer.outcome == Answer.Outcome.SKIPPED
    assert answer.text == "half a thought"


def test_blank_answer_at_timeout_is_recorded_as_blank_with_score_zero(interview):
    answer = interview.show_next(at(0))
    interview.catch_up(at(100))
    answer.refresh_from_db()
    assert answer.outcome == Answer.Outcome.TIMED_OUT
    assert answer.text == ""
    assert answer.score == 0.0


def test_coming_back_after_absence_closes_expired_question_and_shows_the_next(interview):
    first = interview.show_next(at(0))
    first.save_draft("before I left", at(20))
    second = interview.show_next(at(3600))  # an hour later
    first.refresh_from_db()
    assert first.outcome == Answer.Outcome.TIMED_OUT
    assert first.text == "before I left"
    assert second.position == 2
    assert second.shown_at == at(3600)  # its clock starts now, not while away
    assert second.deadline == at(3660)


def test_finishes_itself_after_the_last_answer(interview):
    for seconds in (0, 10, 20):
        interview.show_next(at(seconds)).submit("x", at(seconds + 5))
    assert interview.show_next(at(30)) is None
    interview.refresh_from_db()
    assert interview.status == Interview.Status.FINISHED
    assert interview.finished_at == at(30)


def test_finish_early_skips_the_rest_and_keeps_saved_text(interview):
    current = interview.show_next(at(0))
    current.save_draft("draft", at(5))
    interview.finish(at(10))
    answers = {a.position: a for a in interview.answers.all()}
    assert answers[1].outcome == Answer.Outcome.SKIPPED
    assert answers[1].text == "draft"
    assert answers[2].outcome == answers[3].outcome == Answer.Outcome.SKIPPED
    assert answers[2].seconds_used == 0
    interview.finish(at(20))  # idempotent
    interview.refresh_from_db()
    assert interview.finished_at == at(10)


def test_untimed_interview_has_no_deadline(user, three_questions):
    interview = Interview.objects.start(
        user=user, questions=three_questions, seconds_per_question=0, now=T0
    )
    answer = interview.show_next(at(0))
    assert answer.deadline is None
    assert answer.seconds_left(at(99999)) is None
    answer.save_draft("days later", at(99999))
    assert answer.text == "days later"


def test_review_needs_closed_answer_then_confidence_then_scores(interview):
    answer = interview.show_next(at(0))
    with pytest.raises(InterviewError):
        answer.reveal(3, at(1))
    answer.submit("answer", at(10))
    with pytest.raises(InterviewError):
        answer.record_review([], None, "", at(11))
    assert answer.state == Answer.State.CLOSED
    answer.reveal(4, at(20))
    assert answer.confidence == 4
    assert answer.state == Answer.State.REVEALED
    assert answer.score is None  # revealed is not reviewed: no score until the checklist
    answer.record_review([1, 3], 3, "missed two", at(21))
    assert answer.score == 0.5
    assert answer.self_rating == 3
    assert (answer.state, answer.reviewed_at) == (Answer.State.REVIEWED, at(21))
    answer.reveal(1, at(30))  # confidence is given once, before the reveal
    assert answer.confidence == 4


def test_review_ignores_positions_outside_the_revealed_key_points(interview):
    answer = interview.show_next(at(0))
    answer.submit("answer", at(10))
    answer.reveal(2, at(11))
    answer.record_review([0, 5, 99, -1], None, "", at(12))
    assert answer.score == 0.0
    assert answer.covered == []


def test_summary_counts_outcomes_score_and_time(interview):
    a1 = interview.show_next(at(0))
    a1.submit("one", at(30))
    interview.show_next(at(30)).skip("", at(40))
    interview.finish(at(200))
    a1.reveal(3, at(201))
    a1.record_review([1, 2], None, "", at(202))
    summary = Interview.objects.get(pk=interview.pk).summary()
    assert summary["submitted"] == 1
    assert summary["skipped"] == 2
    assert summary["seconds_used"] == 40
    assert summary["score"] == pytest.approx((0.5 + 0 + 0) / 3)


@pytest.mark.parametrize(
    ("field", "value"),
    [("position", 0), ("confidence", 6), ("self_rating", 0), ("score", 1.5)],
)
def test_database_guards_answer_invariants(interview, field, value):
    answer = interview.answers.first()
    setattr(answer, field, value)
    with pytest.raises(IntegrityError), transaction.atomic():
        answer.save()


def test_one_answer_per_question_and_position(interview, three_questions):
    with pytest.raises(IntegrityError), transaction.atomic():
        Answer.objects.create(interview=interview, question=three_questions[0], position=9)
    with pytest.raises(IntegrityError), transaction.atomic():
        Answer.objects.create(interview=interview, question=three_questions[0], position=1)


def test_deadline_must_follow_shown_at(interview):
    answer = interview.answers.first()
    answer.shown_at = at(10)
    answer.deadline = at(5)
    with pytest.raises(IntegrityError), transaction.atomic():
        answer.save()


def test_open_for_lists_open_answers_of_interviews_in_progress(user, interview, other_user):
    assert Answer.objects.open_for(user).count() == 3
    assert Answer.objects.open_for(other_user).count() == 0
    interview.finish(at(1))
    assert Answer.objects.open_for(user).count() == 0


def test_finish_if_done_only_finishes_when_nothing_is_open(interview):
    interview.finish_if_done(at(0))
    assert not interview.is_finished
    assert not interview.answers.filter(shown_at__isnull=False).exists()
    for seconds in (0, 10, 20):
        interview.show_next(at(seconds)).submit("x", at(seconds + 5))
    interview.finish_if_done(at(30))
    assert interview.is_finished


@pytest.mark.parametrize(
    "fields",
    [
        {"state": "open"},  # open but never shown
        {"state": "closed"},  # closed without closed_at / outcome
        {"state": "revealed", "closed_at": T0, "outcome": "submitted"},  # no confidence
        {"state": "pending", "shown_at": T0},  # shown but still pending
        {"state": "nonsense"},
    ],
)
def test_the_database_refuses_an_answer_whose_fields_contradict_its_state(interview, fields):
    answer = interview.answers.get(position=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        Answer.objects.filter(pk=answer.pk).update(**fields)


def test_an_answer_walks_its_states_in_order(interview):
    answer = interview.answers.get(position=1)
    assert answer.state == Answer.State.PENDING
    answer = interview.show_next(at(0))
    assert answer.state == Answer.State.OPEN
    answer.submit("text", at(5))
    assert answer.state == Answer.State.CLOSED
    answer.reveal(3, at(6))
    assert answer.state == Answer.State.REVEALED
    answer.record_review([1], 3, "", at(7))
    assert answer.state == Answer.State.REVIEWED
