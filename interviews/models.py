"""Timed mock interviews. Every timing rule is a method that takes `now`, never reads a clock.

A question's clock starts when the server first shows it (`shown_at`, `deadline`, set once).
Saves are accepted until `deadline + grace`; after that the last saved text stands and the
answer is closed as timed out. Questions whose deadline passed while the candidate was away
are closed when the interview is next read (`catch_up`).
"""

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from functools import cache
from typing import TYPE_CHECKING, Any, NoReturn, Self

from django.conf import settings
from django.db import IntegrityError, connections, models, transaction
from django.db.models import Q
from django.urls import reverse

from accounts.models import practice_changed
from questions.models import Difficulty, Question, Topic
from repetition import schedule
from repetition.grading import grade

from . import tallies
from .scoring import interview_numbers

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

    def delete(self) -> tuple[int, dict[str, int]]:
        """Deleting interviews (in the admin's way, or a test's) takes them out of their users'
        tallies too: recomputed from the answers that are left."""
        with transaction.atomic():
            user_ids = set(self.values_list("user_id", flat=True))
            deleted = super().delete()
            tallies.rebuild(user_ids)
        return deleted

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
            # What scoring.interview_numbers says of answers none of which is shown yet.
            answered_count=len(questions),
        )
        if topics:
            interview.topics.set(topics)
        Answer.objects.bulk_create(
            Answer(interview=interview, question=question, position=position)
            for position, question in enumerate(questions, 1)
        )
        tallies.interview_started(user.pk, [question.pk for question in questions], now)
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
    # Closed blank (nothing typed, or only whitespace): scores 0, nothing to reveal or tick.
    UNANSWERED = "unanswered", "Not answered"
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
    # Its numbers as its answers stand, by scoring.interview_numbers (see count_answers): pages
    # read these rather than aggregate the answers of every interview they list.
    score = models.FloatField(null=True, blank=True, editable=False)
    reviewed_count = models.PositiveSmallIntegerField(default=0, editable=False)
    answered_count = models.PositiveSmallIntegerField(default=0, editable=False)
    unanswered_count = models.PositiveSmallIntegerField(default=0, editable=False)
    submitted_count = models.PositiveSmallIntegerField(default=0, editable=False)
    seconds_used = models.PositiveIntegerField(null=True, blank=True, editable=False)

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
            # History's order (in progress first, then newest finished), read 20 at a time.
            models.Index(
                fields=["user", "-finished_at", "-created_at", "-id"],
                name="interview_user_history_idx",
            ),
            # The progress chart: the latest interviews with a score, however many have none.
            models.Index(
                fields=["user", "-finished_at"],
                condition=Q(score__isnull=False),
                name="interview_user_scored_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"Interview {self.pk} of {self.user} ({self.get_status_display()})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Saved, and counted as a change to the user's practice (accounts.practice_changed):
        pages kept for the user show the interview as it is now."""
        super().save(*args, **kwargs)
        practice_changed([self.user_id])

    def get_absolute_url(self) -> str:
        return reverse("interviews:take", args=[self.pk])

    def get_review_url(self) -> str:
        return reverse("interviews:review", args=[self.pk])

    def delete(self, using: Any = None, keep_parents: bool = False) -> tuple[int, dict[str, int]]:
        """As InterviewQuerySet.delete: the user's tallies are recomputed without it."""
        with transaction.atomic():
            deleted = super().delete(using, keep_parents)
            tallies.rebuild([self.user_id])
        return deleted

    @property
    def is_finished(self) -> bool:
        return self.status == self.Status.FINISHED

    @property
    def is_timed(self) -> bool:
        return bool(self.seconds_per_question)

    # --- timing rules -------------------------------------------------------------------

    def catch_up(self, now: datetime) -> None:
        """Close, as timed out, every shown answer whose deadline (plus grace) has passed."""
        expired = self._time_out_expired(now)
        if expired:
            self.count_closed(expired)

    def _time_out_expired(self, now: datetime) -> list["Answer"]:
        """catch_up's closing, leaving the counting to the caller (see count_closed)."""
        expired = list(
            self.answers.filter(
                closed_at__isnull=True, deadline__isnull=False, deadline__lt=now - grace()
            )
        )
        for answer in expired:
            answer.time_out(count=False)
        return expired

    def count_closed(self, answers: list["Answer"], also: Iterable[str] = ()) -> None:
        """Answers of this interview just closed: into the user's tallies and the interview's
        numbers (saved with the fields named in `also`), in the same transaction."""
        tallies.answers_closed(self.user_id, answers)
        self.count_answers(also=also)

    def count_answers(self, also: Iterable[str] = ()) -> None:
        """Store the interview's numbers as its answers stand now, computed by the database
        from the one definition (scoring.interview_numbers). Every write that changes one of
        them calls this, under the interview's lock."""
        numbers = Answer.objects.filter(interview=self).aggregate(**interview_numbers(prefix=""))
        for name, value in numbers.items():
            setattr(self, name, value)
        self.save(update_fields=[*numbers, *also])

    @transaction.atomic
    def advance(self, now: datetime) -> "Answer | None":
        """Move the interview to where it stands at `now` and return the answer to work on.

        It writes: answers whose deadline passed are closed as timed out, and once every
        answer is closed the interview is finished and None is returned. The first question
        is shown at once (its clock starts); after that, a question closing leaves the next
        one unshown (`shown_at` None) until the candidate asks for it with `show_next`: the
        caller shows the between-questions screen for it. Call it under the interview's lock.
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
        if answer.shown_at is None and answer.position == 1:
            self._show(answer, now)
        return answer

    @transaction.atomic
    def show_next(self, now: datetime) -> "Answer | None":
        """The candidate pressed "Start question n": show the next question (its clock starts
        now) unless one is on screen already, which is returned as it is (a double click, a
        second tab). None when nothing is left. Call it under the interview's lock."""
        answer = self.advance(now)
        if answer is not None and answer.shown_at is None:
            self._show(answer, now)
        return answer

    def _show(self, answer: "Answer", now: datetime) -> None:
        answer.show(now)
        if self.started_at is None:
            self.started_at = now
            self.save(update_fields=["started_at"])

    def last_closed(self) -> "Answer | None":
        """The answer closed last (by position): what the between-questions screen reports."""
        return (
            self.answers.filter(closed_at__isnull=False)
            .select_related("question")
            .order_by("-position")
            .first()
        )

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
        closed = self._time_out_expired(now)
        for answer in self.answers.filter(closed_at__isnull=True):
            answer.close(Answer.Outcome.SKIPPED, now, count=False)
            closed.append(answer)
        self.status = self.Status.FINISHED
        self.finished_at = now
        self.count_closed(closed, also=["status", "finished_at"])
        # A question shown and left blank was not known: one "Again" for its card, at the
        # time it closed. Questions never reached are not graded.
        for answer in self.answers.filter(state=AnswerState.UNANSWERED, shown_at__isnull=False):
            answer.schedule_repetition()

    # --- summary numbers ----------------------------------------------------------------

    def summary(self) -> dict[str, Any]:
        """The stored numbers (see count_answers), and outcomes counted from the (prefetched)
        answers."""
        answers = list(self.answers.all())
        return {
            "total": len(answers),
            "submitted": self.submitted_count,
            "timed_out": sum(a.outcome == Answer.Outcome.TIMED_OUT for a in answers),
            "skipped": sum(a.outcome == Answer.Outcome.SKIPPED for a in answers),
            "seconds_used": self.seconds_used or 0,
            "unanswered": self.unanswered_count,
            "score": self.score,
            "reviewed": self.reviewed_count,
            "answered": self.answered_count,
        }


class AnswerQuerySet(models.QuerySet["Answer"]):
    def open_for(self, user: "User") -> Self:
        """Answers not yet closed in the user's interviews in progress (shown or still to come)."""
        return self.filter(
            interview__user=user,
            interview__status=Interview.Status.IN_PROGRESS,
            closed_at__isnull=True,
        )

    def save_draft_if_writable(
        self, pk: int, interview_pk: int, user: "User", text: str, now: datetime
    ) -> bool:
        """Save `text` as answer `pk`'s draft in one UPDATE, if every rule allows it at `now`:
        the answer is in interview `interview_pk`, which is `user`'s and in progress; it is the
        shown, open answer; and `now` is no later than its deadline + grace (untimed: no limit).
        The rules of `Answer._check_writable` and `is_past_grace`, for autosave's common case.
        False when any of them refused: the caller finds out which with `save_draft`, under the
        interview's lock.

        No lock is taken on the interview: one statement is atomic. Every condition on the
        answer is on the updated row itself, never in a subquery over the same table: on
        PostgreSQL an UPDATE that waited for a concurrent submit's row lock re-checks them
        against the row as that submit left it (closed), and so writes nothing, where a
        subquery would still see the row open. Written as SQL because the ORM took longer to
        build this statement than the database took to run it; the values are prepared by the
        fields, exactly as the ORM would store them.
        """
        connection = connections[self.db]
        saved_at = Answer._meta.get_field("saved_at")
        with connection.cursor() as cursor:
            cursor.execute(
                _save_draft_sql(),
                {
                    "text": text,
                    "now": saved_at.get_db_prep_value(now, connection),
                    "last_moment": saved_at.get_db_prep_value(now - grace(), connection),
                    "pk": pk,
                    "interview": interview_pk,
                    "user": user.pk,
                    "open": AnswerState.OPEN.value,
                    "in_progress": Status.IN_PROGRESS.value,
                },
            )
            return cursor.rowcount == 1


@cache
def _save_draft_sql() -> str:
    """`save_draft_if_writable`'s statement, with the tables and columns the models name."""
    answer, interview = Answer._meta, Interview._meta
    table, column = answer.db_table, {f.name: f.column for f in answer.concrete_fields}
    owner, status = interview.get_field("user").column, interview.get_field("status").column
    statement = f"""
        UPDATE "{table}" SET "{column["text"]}" = %(text)s, "{column["saved_at"]}" = %(now)s
        WHERE "{answer.pk.column}" = %(pk)s AND "{column["interview"]}" = %(interview)s
          AND "{column["state"]}" = %(open)s
          AND "{column["shown_at"]}" IS NOT NULL AND "{column["closed_at"]}" IS NULL
          AND ("{column["deadline"]}" IS NULL OR "{column["deadline"]}" >= %(last_moment)s)
          AND EXISTS (
            SELECT 1 FROM "{interview.db_table}" WHERE "{interview.pk.column}" = %(interview)s
              AND "{owner}" = %(user)s AND "{status}" = %(in_progress)s
          )
    """
    return " ".join(statement.split())


# What saving a draft writes: no page kept per user shows it.
DRAFT_FIELDS = {"text", "saved_at"}


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
                condition=~Q(state=AnswerState.UNANSWERED)
                | Q(
                    closed_at__isnull=False,
                    score=0,
                    confidence__isnull=True,
                    revealed_at__isnull=True,
                    reviewed_at__isnull=True,
                ),
                name="answer_unanswered_scores_zero",
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

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Saved; a change of state (not a draft's text) is a change to the user's practice
        (accounts.practice_changed), so pages kept for the user are made again."""
        super().save(*args, **kwargs)
        fields = kwargs.get("update_fields")
        if fields is None or not set(fields) <= DRAFT_FIELDS:
            practice_changed([self.interview.user_id])

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

    def close(
        self, outcome: str, now: datetime, *, also: Iterable[str] = (), count: bool = True
    ) -> None:
        """Close with `outcome`; `also` names fields the caller changed, saved in the same write.
        Then the interview counts it (tallies, numbers), unless `count` is False: a caller that
        closes several answers counts them together (Interview.count_closed)."""
        self.outcome = outcome
        end = min(now, self.deadline) if self.deadline else now
        self.closed_at = end if outcome == self.Outcome.TIMED_OUT else now
        if self.shown_at:
            used = int((end - self.shown_at).total_seconds())
            self.seconds_used = max(0, used)
        else:
            self.seconds_used = 0
        # Nothing to review in a blank answer: it scores zero, with no reveal and no checklist.
        if self.text.strip():
            self.state = AnswerState.CLOSED
        else:
            self.state, self.score = AnswerState.UNANSWERED, 0.0
        self.save(update_fields=["state", "outcome", "closed_at", "seconds_used", "score", *also])
        if count:
            self.interview.count_closed([self])

    def time_out(self, *, count: bool = True) -> None:
        """Close at the deadline with the last text saved in time."""
        assert self.deadline is not None, "only a timed answer times out"
        self.close(self.Outcome.TIMED_OUT, self.deadline, count=count)

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

    @property
    def is_unanswered(self) -> bool:
        return self.state == AnswerState.UNANSWERED

    def reveal(self, confidence: int, now: datetime) -> None:
        if self.is_open:
            raise InterviewError("Answer the question before revealing the reference.")
        if self.is_unanswered:
            raise InterviewError(
                "Nothing was answered here, so there is nothing to check: it scores 0 and "
                "the reference is shown as it is."
            )
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
        if self.is_unanswered:
            raise InterviewError("Nothing was answered here, so there is nothing to tick.")
        if self.state not in (AnswerState.REVEALED, AnswerState.REVIEWED):
            raise InterviewError("Say how confident you are first; then the reference appears.")
        assert self.reference is not None, "a revealed answer keeps its reference"
        previous_score = self.score if self.state == AnswerState.REVIEWED else None
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
        tallies.answer_reviewed(self, previous_score)
        self.interview.count_answers()
        self.schedule_repetition()

    def schedule_repetition(self) -> None:
        """This answer as one FSRS review of its question (regraded if the checklist changes):
        at the reveal for a reviewed answer, at the close for an unanswered one."""
        if self.is_unanswered:
            assert self.closed_at is not None
            rating, at = grade(None, None, answered=False), self.closed_at
        else:
            assert self.revealed_at is not None
            assert self.reviewed_at is not None
            rating, at = grade(self.score, self.self_rating), self.revealed_at
        schedule.record(
            user_id=self.interview.user_id,
            question_id=self.question_id,
            answer_id=self.pk,
            rating=rating.value,
            at=at,
        )
