"""The numbers stored on write always equal a fresh recomputation from the answers.

A seeded random walk drives the model's write paths as the views do (start, show, autosave,
submit, skip, a late save, time passing so that answers time out, end, the review page
finishing an interview, reveal, review and regrade, a deletion), and after every step compares
each interview's stored numbers with the SQL definition in interviews/scoring.py, and the
user's tallies with totals computed here in plain Python from the answer rows.
"""

import io
import random
from collections import Counter, defaultdict
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from interviews import tallies
from interviews.models import Answer, Interview, InterviewError
from interviews.scoring import interview_numbers
from progress import stats

from .conftest import T0

pytestmark = pytest.mark.django_db

TEXTS = ["", "   ", "an answer", "a longer answer with more words", "another one", "one more"]


def walked_days(days, today):
    """The streak as the page defined it before tallies: walk the days back from today."""
    count, expected = 0, today
    for day in sorted(days, reverse=True):
        if day == expected or (count == 0 and day == today - timedelta(days=1)):
            count += 1
            expected = day - timedelta(days=1)
        else:
            break
    return count


def expected_tallies(user):
    """What the tallies must hold, from the answer rows alone."""
    answers = list(Answer.objects.filter(interview__user=user).select_related("interview"))
    closed = [a for a in answers if a.closed_at is not None]
    given = [a for a in closed if a.outcome != Answer.Outcome.SKIPPED]
    days = defaultdict(lambda: [0, 0])
    for answer in closed:
        day = days[timezone.localdate(answer.closed_at)]
        if answer.outcome != Answer.Outcome.SKIPPED:
            day[0] += 1
            day[1] += answer.seconds_used
    last_day = max(days, default=None)
    reviewed = [a for a in answers if a.state == Answer.State.REVIEWED]
    confidence = defaultdict(lambda: [0, 0.0])
    for answer in reviewed:
        confidence[answer.confidence][0] += 1
        confidence[answer.confidence][1] += answer.score
    questions = {}
    for answer in answers:
        created = answer.interview.created_at
        first, last, count, total = questions.get(answer.question_id, (created, created, 0, 0.0))
        is_reviewed = answer.state == Answer.State.REVIEWED
        questions[answer.question_id] = (
            min(first, created),
            max(last, created),
            count + is_reviewed,
            total + (answer.score if is_reviewed else 0.0),
        )
    return {
        "practice": {
            "interviews": Interview.objects.filter(user=user).count(),
            "answers": len(given),
            "seconds": sum(a.seconds_used for a in given),
            "days": len(days),
            "last_day": last_day,
            "streak": walked_days(days, last_day) if last_day else 0,
        },
        "days": {day: tuple(numbers) for day, numbers in days.items()},
        "confidence": {level: tuple(numbers) for level, numbers in confidence.items()},
        "questions": questions,
    }


def stored_tallies(user):
    practice = tallies.practice(user.pk)
    return {
        "practice": {
            name: getattr(practice, name)
            for name in ("interviews", "answers", "seconds", "days", "last_day", "streak")
        },
        "days": {
            row.day: (row.answers, row.seconds)
            for row in tallies.PracticeDay.objects.filter(user=user)
        },
        "confidence": {
            row.confidence: (row.reviewed, row.score_sum)
            for row in tallies.ConfidenceTally.objects.filter(user=user)
        },
        "questions": {
            row.question_id: (row.first_met_at, row.last_met_at, row.reviewed, row.score_sum)
            for row in tallies.QuestionTally.objects.filter(user=user)
        },
    }


def approx_sums(table):
    """Score sums are floats added up in another order: equal to within rounding."""
    return {
        key: tuple(pytest.approx(v) if isinstance(v, float) else v for v in values)
        for key, values in table.items()
    }


def assert_numbers_match(user):
    """Every interview's stored numbers are what scoring.interview_numbers says now."""
    numbers = interview_numbers()
    fresh = (
        Interview.objects.filter(user=user)
        .values("pk")
        .annotate(**{f"fresh_{name}": expression for name, expression in numbers.items()})
    )
    stored = {row["pk"]: row for row in Interview.objects.filter(user=user).values("pk", *numbers)}
    assert len(fresh) == len(stored)
    for row in fresh:
        for name in numbers:
            assert stored[row["pk"]][name] == pytest.approx(row[f"fresh_{name}"]), (name, row)


def assert_same_tallies(stored, expected):
    assert stored["practice"] == expected["practice"]
    assert stored["days"] == expected["days"]
    assert stored["confidence"] == approx_sums(expected["confidence"])
    assert stored["questions"] == approx_sums(expected["questions"])


def assert_tallies_match(user):
    assert_numbers_match(user)
    assert_same_tallies(stored_tallies(user), expected_tallies(user))


class Walk:
    """One candidate's random sequence of writes, each through the model's methods on rows
    fetched fresh (as the views do, under the interview's lock)."""

    def __init__(self, user, questions, seed):
        self.user, self.questions = user, questions
        self.rng = random.Random(seed)
        self.now = T0
        self.events = Counter()

    def running(self):
        return Interview.objects.for_user(self.user).in_progress().first()

    def finished_answers(self, *states):
        return list(
            Answer.objects.filter(
                interview__user=self.user, interview__status="finished", state__in=states
            )
        )

    def step(self):
        rng = self.rng
        self.now += rng.choice(
            [timedelta(seconds=5), timedelta(seconds=20), timedelta(seconds=40)] * 3
            + [timedelta(seconds=70), timedelta(minutes=30), timedelta(days=1), timedelta(days=3)]
        )
        interview = self.running()
        if interview is None:
            action = rng.choice(["start"] * 3 + ["reveal"] * 3 + ["review"] * 3 + ["delete"])
        else:
            action = rng.choice(
                ["show"] * 3
                + ["draft"] * 2
                + ["submit"] * 3
                + ["skip", "take", "review page", "end"]
            )
        try:
            with transaction.atomic():
                getattr(self, action.replace(" ", "_"))(interview)
        except InterviewError as refusal:
            self.events[f"refused: {type(refusal).__name__}"] += 1
        self.events[action] += 1

    def start(self, interview):
        if self.rng.random() < 0.15:
            # A candidate's interviews need not reach the server in time order (imports,
            # tests): a past day filled in later must still join the streak.
            self.now -= timedelta(days=self.rng.choice([1, 2, 4, 40]))
            self.events["back in time"] += 1
        Interview.objects.start(
            user=self.user,
            questions=self.rng.sample(self.questions, self.rng.randint(1, 4)),
            seconds_per_question=self.rng.choice([60, 60, 0]),
            now=self.now,
        )

    def current(self, interview):
        return interview.answers.filter(state=Answer.State.OPEN).first()

    def show(self, interview):
        interview.show_next(self.now)

    def draft(self, interview):
        answer = self.current(interview)
        if answer is not None:
            answer.save_draft(self.rng.choice(TEXTS), self.now)

    def submit(self, interview):
        answer = self.current(interview)
        if answer is not None:
            answer.submit(self.rng.choice(TEXTS), self.now)
            interview.advance(self.now)

    def skip(self, interview):
        answer = self.current(interview)
        if answer is not None:
            answer.skip(self.rng.choice(TEXTS), self.now)
            interview.advance(self.now)

    def take(self, interview):
        interview.advance(self.now)

    def review_page(self, interview):
        interview.finish_if_done(self.now)

    def end(self, interview):
        interview.finish(self.now)

    def reveal(self, interview):
        # Now and then a blank one, which is refused: nothing to check.
        blank = self.rng.random() < 0.1
        closed = self.finished_answers(
            Answer.State.UNANSWERED if blank else Answer.State.CLOSED, Answer.State.REVEALED
        )
        if closed:
            self.rng.choice(closed).reveal(self.rng.randint(1, 5), self.now)

    def review(self, interview):
        revealed = self.finished_answers(Answer.State.REVEALED, Answer.State.REVIEWED)
        if revealed:
            answer = self.rng.choice(revealed)
            if answer.state == Answer.State.REVIEWED:
                self.events["regrade"] += 1
            points = range(1, len(answer.reference["key_points"]) + 1)
            covered = [n for n in points if self.rng.random() < 0.5]
            answer.record_review(covered, self.rng.choice([None, 2, 4]), "", self.now)

    def delete(self, interview):
        if self.rng.random() < 0.3:
            finished = list(Interview.objects.for_user(self.user).finished())
            if finished:
                # One through the instance, one through a queryset (as the admin deletes).
                chosen = self.rng.choice(finished)
                if self.rng.random() < 0.5:
                    chosen.delete()
                else:
                    Interview.objects.filter(pk=chosen.pk).delete()
                self.events["deleted"] += 1


@pytest.mark.parametrize("seed", range(3))
def test_stored_numbers_equal_a_fresh_recount_after_every_write(user, make_question, seed):
    questions = [make_question(slug=f"w{n}", topic=f"t{n % 2}", points=3 + n % 3) for n in range(6)]
    walk = Walk(user, questions, seed)
    for _ in range(120):
        walk.step()
        assert_tallies_match(user)
    # The walk went through every kind of write, the rare ones included.
    outcomes = Counter(Answer.objects.filter(interview__user=user).values_list("state", flat=True))
    assert outcomes[Answer.State.UNANSWERED], outcomes
    assert outcomes[Answer.State.REVIEWED], outcomes
    assert Answer.objects.filter(interview__user=user, outcome="timed_out").exists()
    for event in ("regrade", "back in time", "end", "review page"):
        assert walk.events[event], (event, walk.events)
    # The recomputation that the migration and repairs use gives the same rows.
    incremental = stored_tallies(user)
    tallies.rebuild([user.pk])
    assert_same_tallies(stored_tallies(user), incremental)
    assert_tallies_match(user)


def test_a_past_day_filled_in_joins_the_streak(user, make_question):
    question = make_question()
    day = timedelta(days=1)

    def practise(when):
        interview = Interview.objects.start(
            user=user, questions=[question], seconds_per_question=0, now=when
        )
        interview.show_next(when).submit("an answer", when + timedelta(seconds=30))
        interview.advance(when + timedelta(seconds=30))

    for offset in (0, 1, 3, 4):
        practise(T0 + offset * day)
    today = timezone.localdate(T0 + 4 * day)
    assert stats.streak(user, today) == 2
    practise(T0 + 2 * day)  # the gap, filled in late
    assert stats.streak(user, today) == 5
    assert stats.streak(user, today + day) == 5  # yesterday still counts
    assert stats.streak(user, today + 2 * day) == 0
    assert stats.totals(user, today)["days"] == 5
    assert_tallies_match(user)


def test_rebuild_fills_interviews_made_past_the_write_paths(user, make_question):
    """What the migration does for interviews that existed before the tallies."""
    question = make_question()
    interview = Interview.objects.start(
        user=user, questions=[question], seconds_per_question=0, now=T0
    )
    interview.show_next(T0).submit("", T0 + timedelta(seconds=20))
    interview.advance(T0 + timedelta(seconds=20))
    for model in (
        tallies.Practice,
        tallies.PracticeDay,
        tallies.QuestionTally,
        tallies.ConfidenceTally,
    ):
        model.objects.all().delete()
    Interview.objects.filter(pk=interview.pk).update(score=None, unanswered_count=0)
    out = io.StringIO()
    call_command("rebuild_tallies", user.username, stdout=out)
    assert "recomputed for 1 user" in out.getvalue()
    assert Interview.objects.get(pk=interview.pk).score == 0.0
    assert_tallies_match(user)
    assert stats.totals(user, timezone.localdate(T0)) == {
        "answers": 1,
        "avg_seconds": 20,
        "days": 1,
        "streak": 1,
    }
