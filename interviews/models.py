"""Timed mock interviews. Every timing rule is a method that takes `now`, never reads a clock.

A question's clock starts when the server first shows it (`shown_at`, `deadline`, set once).
Saves are accepted until `deadline + grace`; after that the last saved text stands and the
answer is closed as timed out. Questions whose deadline passed while the candidate was away
are closed when the interview is next read (`catch_up`).
"""

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, NoReturn, Self

from django.conf import settings
from django.db import IntegrityError, models, transaction
from django.db.models import Q
from django.urls import reverse

from questions.models import Difficulty, Question, Topic

from .scoring import interview_score, scored_answers

if TYPE_CHECKING:
    from accounts.models import User

MAX_ANSWER_LENGTH = 20_000
MIN_QUESTIONS, MAX_QUESTIONS = 1, 20
TIME_LIMIT_CHOICES = [
    (60, "1 minute"),
    (120, "2 minutes"),
    (180, "3 minutes"),
    (300, "5 minutes"),
    (0, "Untimed"),
]


def grace() -> timedelta:
    return timedelta(seconds=settings.INTERVIEW_GRACE_SECONDS)


class InterviewError(Exception):
    """A rule refused the action; the message is for the candidate."""


class AnswerClosed(InterviewError):
    """The answer is closed already (a double submit, a second tab)."""


class NotShown(InterviewError):
    """The answer's question is not on screen yet: only the shown, open answer takes writes."""


class TooLate(InterviewError):
    """Past deadline + grace: the answer is closed as timed out; late text is kept, flagged."""


class InterviewInProgress(InterviewError):
    """A new interview was asked for while one is still running."""

    def __init__(self, interview: "Interview") -> None:
        self.interview = interview
        super().__init__(
            "You have an interview in progress. Finish or end it before starting another."
        )


class InterviewQuerySet(models.QuerySet["Interview"]):
    def for_user(self, user: "User") -> Self:
        return self.filter(user=user)

    def in_progress(self) -> Self:
        return self.filter(status=Interview.Status.IN_PROGRESS)

    def finished(self) -> Self:
        return self.filter(status=Interview.Status.FINISHED)

    def start(
        self,
        *,
        user: "User",
        questions: Sequence[Question],
        seconds_per_question: int,
        now: datetime,
        topics: Iterable[Topic] = (),
        difficulty: str = "",
    ) -> "Interview":
        """A new interview over `questions`, in that order; no clock runs until one is shown.

        One interview runs at a time (a database constraint holds it): while one is in
        progress, reference answers are paused for the user, and a second interview would be
        a way round that. Raises InterviewInProgress with the running one.
        """
        running = self.for_user(user).in_progress().first()
        if running is not None:
            raise InterviewInProgress(running)
        try:
            with transaction.atomic():
                return self._create_with_answers(
                    user, questions, seconds_per_question, now, topics, difficulty
                )
        except IntegrityError:
            # Two starts raced (a double click, two tabs): the other one won.
            running = self.for_user(user).in_progress().first()
            if running is None:
                raise
            raise InterviewInProgress(running) from None

    def _create_with_answers(
        self,
        user: "User",
        questions: Sequence[Question],
        seconds_per_question: int,
        now: datetime,
        topics: Iterable[Topic],
        difficulty: str,
    ) -> "Interview":
        interview = self.create(
            user=user,
            difficulty=difficulty,
            question_count=len(questions),
            seconds_per_question=seconds_per_question or None,
            created_at=now,
        )
        if topics:
            interview.topics.set(topics)
        Answer.objects.bulk_create(
            Answer(interview=interview, question=question, position=position)
            for position, question in enumerate(questions, 1)
        )
        return interview


# At module level so that each model's Meta can build its constraints from them.
class Status(models.TextChoices):
    IN_PROGRESS = "in_progress", "In progress"
    FINISHED = "finished", "Finished"


class Outcome(models.TextChoices):
    SUBMITTED = "submitted", "Submitted"
    TIMED_OUT = "timed_out", "Timed out"
    SKIPPED = "skipped", "Skipped"


class AnswerState(models.TextChoices):
    """An answer's life, one step at a time; each state fixes which fields are set."""

    PENDING = "pending", "Not shown yet"
    OPEN = "open", "On screen"
    CLOSED = "closed", "Closed"
    REVEALED = "revealed", "Reference revealed"
    REVIEWED = "reviewed", "Reviewed"


class Interview(models.Model):
    Status = Status

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="interviews"
    )
    topics = models.ManyToManyField(
        Topic, blank=True, related_name="+", help_text="Empty means any topic."
    )
    difficulty = models.CharField(
        max_length=12, blank=True, choices=Difficulty.choices, help_text="Empty means any."
    )
    question_count = models.PositiveSmallIntegerField()
    seconds_per_question = models.PositiveIntegerField(
        null=True, blank=True, help_text="Empty means untimed."
    )
    status = models.CharField(max_length=12, choices=Status, default=Status.IN_PROGRESS)
    created_at = models.DateTimeField()
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = InterviewQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(question_count__gte=MIN_QUESTIONS, question_count__lte=MAX_QUESTIONS),
                name="interview_question_count_range",
            ),
            models.CheckConstraint(
                condition=Q(seconds_per_question__isnull=True)
                | Q(seconds_per_question__gte=1, seconds_per_question__lte=3600),
                name="interview_seconds_range",
            ),
            models.CheckConstraint(
                condition=Q(status__in=Status.values),
                name="interview_valid_status",
            ),
            models.CheckConstraint(
                condition=Q(status=Status.FINISHED, finished_at__isnull=False)
                | Q(status=Status.IN_PROGRESS, finished_at__isnull=True),
                name="interview_finished_at_matches_status",
            ),
            models.UniqueConstraint(
                fields=["user"],
                condition=Q(status=Status.IN_PROGRESS),
                name="interview_one_in_progress_per_user",
            ),
        ]
        indexes = [
            models.Index(fields=["user", "-created_at"], name="interview_user_created_idx"),
            models.Index(fields=["user", "status"], name="interview_user_status_idx"),
        ]

    def __str__(self) -> str:
        return f"Interview {self.pk} of {self.user} ({self.get_status_display()})"

    def get_absolute_url(self) -> str:
        return reverse("interviews:take", args=[self.pk])

    def get_review_url(self) -> str:
        return reverse("interviews:review", args=[self.pk])

    @property
    def is_finished(self) -> bool:
        return self.status == self.Status.FINISHED

    @property
    def is_timed(self) -> bool:
        return bool(self.seconds_per_question)

    # --- timing rules -------------------------------------------------------------------

    def catch_up(self, now: datetime) -> None:
        """Close, as timed out, every shown answer whose deadline (plus grace) has passed."""
        for answer in self.answers.filter(
            closed_at__isnull=True, deadline__isnull=False, deadline__lt=now - grace()
        ):
            answer.time_out()

    @transaction.atomic
    def advance(self, now: datetime) -> "Answer | None":
        """Move the interview to where it stands at `now` and return the answer to work on.

        It writes: answers whose deadline passed are closed as timed out, the next answer is
        shown (its clock starts) if it was not yet, and once every answer is closed the
        interview is finished and None is returned. Call it under the interview's lock.
        """
        if self.is_finished:
            return None
        self.catch_up(now)
        answer = (
            self.answers.filter(closed_at__isnull=True)
            .select_related("question__topic")
            .order_by("position")
            .first()
        )
        if answer is None:
            self.finish(now)
            return None
        if answer.shown_at is None:
            answer.show(now)
            if self.started_at is None:
                self.started_at = now
                self.save(update_fields=["started_at"])
        return answer

    def finish_if_done(self, now: datetime) -> None:
        """Close expired answers; finish the interview if none is left open. Shows nothing."""
        if self.is_finished:
            return
        self.catch_up(now)
        if not self.answers.filter(closed_at__isnull=True).exists():
            self.finish(now)

    @transaction.atomic
    def finish(self, now: datetime) -> None:
        """End the interview: close whatever is still open, keeping every saved text."""
        if self.is_finished:
            return
        self.catch_up(now)
        for answer in self.answers.filter(closed_at__isnull=True):
            answer.close(Answer.Outcome.SKIPPED, now)
        self.status = self.Status.FINISHED
        self.finished_at = now
        self.save(update_fields=["status", "finished_at"])

    # --- summary numbers ----------------------------------------------------------------

    def summary(self) -> dict[str, Any]:
        """Counts from the (prefetched) answers; the score from the one SQL definition."""
        answers = list(self.answers.all())
        numbers = Interview.objects.filter(pk=self.pk).aggregate(
            score=interview_score(), reviewed=scored_answers()
        )
        return {
            "total": len(answers),
            "submitted": sum(a.outcome == Answer.Outcome.SUBMITTED for a in answers),
            "timed_out": sum(a.outcome == Answer.Outcome.TIMED_OUT for a in answers),
            "skipped": sum(a.outcome == Answer.Outcome.SKIPPED for a in answers),
            "seconds_used": sum(a.seconds_used or 0 for a in answers),
            **numbers,
        }


class AnswerQuerySet(models.QuerySet["Answer"]):
    def open_for(self, user: "User") -> Self:
        """Answers not yet closed in the user's interviews in progress (shown or still to come)."""
        return self.filter(
            interview__user=user,
            interview__status=Interview.Status.IN_PROGRESS,
            closed_at__isnull=True,
        )


class Answer(models.Model):
    Outcome = Outcome
    State = AnswerState

    interview = models.ForeignKey(Interview, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="answers")
    position = models.PositiveSmallIntegerField()
    state = models.CharField(max_length=10, choices=AnswerState, default=AnswerState.PENDING)
    shown_at = models.DateTimeField(null=True, blank=True)
    deadline = models.DateTimeField(null=True, blank=True)
    text = models.TextField(blank=True)
    saved_at = models.DateTimeField(null=True, blank=True)
    # Text that reached the server after deadline + grace: kept and shown, flagged, never scored.
    late_text = models.TextField(blank=True)
    late_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=12, choices=Outcome, blank=True)
    seconds_used = models.PositiveIntegerField(null=True, blank=True)
    # The review, after the answer is closed.
    confidence = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="1-5, given before the reference is revealed."
    )
    revealed_at = models.DateTimeField(null=True, blank=True)
    # The reference as it was when revealed (answer, key points, follow-ups), so a past review,
    # its ticks and its score never change when the bank is edited. See Question.reference().
    reference = models.JSONField(null=True, blank=True, editable=False)
    # Positions (1-based) of the ticked key points, in `reference["key_points"]`.
    covered = models.JSONField(default=list, blank=True)
    score = models.FloatField(
        null=True, blank=True, help_text="Covered key points / all key points, once revealed."
    )
    self_rating = models.PositiveSmallIntegerField(null=True, blank=True)
    notes = models.TextField(blank=True)
    reviewed_at = models.DateTimeField(null=True, blank=True, help_text="The checklist saved.")

    objects = AnswerQuerySet.as_manager()

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(
                fields=["interview", "position"], name="answer_unique_position"
            ),
            models.UniqueConstraint(
                fields=["interview", "question"], name="answer_unique_question"
            ),
            models.CheckConstraint(condition=Q(position__gte=1), name="answer_position_gte_1"),
            models.CheckConstraint(
                condition=Q(state__in=AnswerState.values), name="answer_valid_state"
            ),
            models.CheckConstraint(
                condition=~Q(state=AnswerState.PENDING)
                | Q(shown_at__isnull=True, closed_at__isnull=True),
                name="answer_pending_not_shown",
            ),
            models.CheckConstraint(
                condition=~Q(state=AnswerState.OPEN)
                | Q(shown_at__isnull=False, closed_at__isnull=True),
                name="answer_open_shown_not_closed",
            ),
            models.CheckConstraint(
                condition=~Q(state=AnswerState.CLOSED)
                | Q(closed_at__isnull=False, revealed_at__isnull=True, reviewed_at__isnull=True),
                name="answer_closed_not_revealed",
            ),
            models.CheckConstraint(
                condition=~Q(state__in=[AnswerState.REVEALED, AnswerState.REVIEWED])
                | Q(
                    closed_at__isnull=False,
                    revealed_at__isnull=False,
                    confidence__isnull=False,
                    reference__isnull=False,
                ),
                name="answer_revealed_closed_with_confidence",
            ),
            models.CheckConstraint(
                condition=Q(
                    state=AnswerState.REVIEWED, reviewed_at__isnull=False, score__isnull=False
                )
                | (~Q(state=AnswerState.REVIEWED) & Q(reviewed_at__isnull=True)),
                name="answer_reviewed_has_score",
            ),
            models.CheckConstraint(
                condition=Q(deadline__isnull=True) | Q(deadline__gt=models.F("shown_at")),
                name="answer_deadline_after_shown",
            ),
            models.CheckConstraint(
                condition=Q(outcome="", closed_at__isnull=True)
                | Q(outcome__in=Outcome.values, closed_at__isnull=False),
                name="answer_outcome_matches_closed",
            ),
            models.CheckConstraint(
                condition=Q(late_at__isnull=True) | Q(outcome=Outcome.TIMED_OUT),
                name="answer_late_text_only_when_timed_out",
            ),
            models.CheckConstraint(
                condition=Q(confidence__isnull=True) | Q(confidence__gte=1, confidence__lte=5),
                name="answer_confidence_range",
            ),
            models.CheckConstraint(
                condition=Q(self_rating__isnull=True) | Q(self_rating__gte=1, self_rating__lte=5),
                name="answer_self_rating_range",
            ),
            models.CheckConstraint(
                condition=Q(score__isnull=True) | Q(score__gte=0, score__lte=1),
                name="answer_score_range",
            ),
        ]
        indexes = [
            models.Index(fields=["question", "interview"], name="answer_question_idx"),
        ]

    def __str__(self) -> str:
        return f"Answer {self.position} of interview {self.interview_id}"

    @property
    def is_open(self) -> bool:
        return self.state in (AnswerState.PENDING, AnswerState.OPEN)

    def seconds_left(self, now: datetime) -> int | None:
        if self.deadline is None:
            return None
        return max(0, int((self.deadline - now).total_seconds()))

    @property
    def is_current(self) -> bool:
        """Shown and still open: the one answer of an interview that accepts writes."""
        return self.state == AnswerState.OPEN

    def is_past_grace(self, now: datetime) -> bool:
        return self.deadline is not None and now > self.deadline + grace()

    def show(self, now: datetime) -> None:
        """Start this question's clock. Set once: showing it again changes nothing."""
        if self.shown_at is not None:
            return
        self.shown_at = now
        seconds = self.interview.seconds_per_question
        self.deadline = now + timedelta(seconds=seconds) if seconds else None
        self.state = AnswerState.OPEN
        self.save(update_fields=["state", "shown_at", "deadline"])

    def close(self, outcome: str, now: datetime, *, also: Iterable[str] = ()) -> None:
        """Close with `outcome`; `also` names fields the caller changed, saved in the same write."""
        self.outcome = outcome
        self.state = AnswerState.CLOSED
        end = min(now, self.deadline) if self.deadline else now
        self.closed_at = end if outcome == self.Outcome.TIMED_OUT else now
        if self.shown_at:
            used = int((end - self.shown_at).total_seconds())
            self.seconds_used = max(0, used)
        else:
            self.seconds_used = 0
        # Nothing to review in an empty answer: it scores zero without a reveal step.
        if not self.text.strip() and self.score is None:
            self.score = 0.0
        self.save(update_fields=["state", "outcome", "closed_at", "seconds_used", "score", *also])

    def time_out(self) -> None:
        """Close at the deadline with the last text saved in time."""
        assert self.deadline is not None, "only a timed answer times out"
        self.close(self.Outcome.TIMED_OUT, self.deadline)

    def _check_writable(self, now: datetime) -> None:
        """Only the shown, open answer takes writes; a write past deadline + grace closes it.

        The outcome is the server clock's alone: nothing the browser sends can choose it.
        """
        if self.closed_at is not None:
            raise AnswerClosed("This question is already closed; the answer saved for it is kept.")
        if self.shown_at is None:
            raise NotShown(
                "This question has not been shown yet, so it cannot take an answer. "
                "Answer the question on screen."
            )

    def _close_late(self, text: str, now: datetime) -> NoReturn:
        """Time is up: close as timed out with the text saved in time. Text that arrives late
        is not thrown away either: it is kept beside it, flagged as late, and never scored."""
        assert self.deadline is not None, "only a timed answer is past its grace"
        also = []
        if text.strip() and text != self.text:
            self.late_text, self.late_at = text, now
            also = ["late_text", "late_at"]
        self.close(self.Outcome.TIMED_OUT, self.deadline, also=also)
        if also:
            raise TooLate(
                "Time ran out for this question. What you saved in time is what counts; "
                "the text that arrived late is kept in your review, marked late."
            )
        raise TooLate("Time ran out for this question. Your answer as last saved in time is kept.")

    def save_draft(self, text: str, now: datetime) -> None:
        self._check_writable(now)
        if self.is_past_grace(now):
            self._close_late(text, now)
        self.text = text
        self.saved_at = now
        self.save(update_fields=["text", "saved_at"])

    def submit(self, text: str, now: datetime) -> None:
        """Close with this text: submitted, or timed out when it arrives after the deadline
        (within the grace period the text still counts)."""
        self._check_writable(now)
        if self.is_past_grace(now):
            self._close_late(text, now)
        self.text = text
        self.saved_at = now
        after_deadline = self.deadline is not None and now > self.deadline
        outcome = self.Outcome.TIMED_OUT if after_deadline else self.Outcome.SUBMITTED
        self.close(outcome, now, also=["text", "saved_at"])

    def skip(self, text: str, now: datetime) -> None:
        """Move on without submitting; whatever was typed in time is still kept."""
        self._check_writable(now)
        if self.is_past_grace(now):
            self._close_late(text, now)
        changed = []
        if text != self.text:
            self.text = text
            self.saved_at = now
            changed = ["text", "saved_at"]
        after_deadline = self.deadline is not None and now > self.deadline
        outcome = self.Outcome.TIMED_OUT if after_deadline else self.Outcome.SKIPPED
        self.close(outcome, now, also=changed)

    # --- review -------------------------------------------------------------------------

    def reveal(self, confidence: int, now: datetime) -> None:
        if self.is_open:
            raise InterviewError("Answer the question before revealing the reference.")
        if self.state == AnswerState.CLOSED:
            self.confidence = confidence
            self.revealed_at = now
            self.reference = self.question.reference()
            self.state = AnswerState.REVEALED
            self.save(update_fields=["state", "confidence", "revealed_at", "reference"])

    @property
    def reference_key_points(self) -> list[dict[str, Any]]:
        """The revealed key points with whether each was ticked, for the checklist."""
        points = (self.reference or {}).get("key_points", [])
        ticked = set(self.covered)
        return [
            {"position": n, "ticked": n in ticked, **point} for n, point in enumerate(points, 1)
        ]

    def record_review(
        self, positions: Iterable[int], self_rating: int | None, notes: str, now: datetime
    ) -> None:
        """Store the ticked key points (positions in the revealed reference) and the score."""
        if self.state not in (AnswerState.REVEALED, AnswerState.REVIEWED):
            raise InterviewError("Say how confident you are first; then the reference appears.")
        assert self.reference is not None, "a revealed answer keeps its reference"
        total = len(self.reference["key_points"])
        self.covered = sorted({n for n in positions if 1 <= n <= total})
        self.score = len(self.covered) / total if total else 0.0
        self.self_rating = self_rating
        self.notes = notes
        self.state = AnswerState.REVIEWED
        self.reviewed_at = self.reviewed_at or now
        self.save(
            update_fields=["state", "covered", "score", "self_rating", "notes", "reviewed_at"]
        )
