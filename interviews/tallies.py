"""A candidate's numbers kept up to date on write, so that history, progress and home read a
few rows however long the history is.

Each tally is the sum of what the user's answers contribute, changed in the same transaction as
the answer (the callers are in interviews/models.py):

- an interview starts: it counts (the pages of history) and its questions are met
  (`QuestionTally.first_met_at`: the daily allowance of new questions; `last_met_at`: drawing
  questions least recently seen first);
- an answer closes, once: it adds to its local day (`PracticeDay`) and to the user's totals
  (`Practice`: days practised, the streak, answers given and the time they took);
- an answer is reviewed, then maybe regraded: its score goes to its confidence level
  (`ConfidenceTally`, calibration) and to its question (`QuestionTally`, weakest questions).

The interview's own numbers (score, counts, time used) are columns of the interview, stored by
`Interview.count_answers` from the one definition in interviews/scoring.py.

`rebuild` recomputes all of it from the answers: the migration fills the tables with it,
deleting an interview calls it, and so does `manage.py rebuild_tallies` (say after changing
TIME_ZONE, which moves answers between days).

Lock order, so that two requests of one user never wait on each other in a circle: the
interview, its answers, then `Practice`, then the other tallies. Rows are changed with F()
expressions, so concurrent writers add up instead of overwriting each other.
"""

from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.apps import apps as installed_apps
from django.apps.registry import Apps
from django.conf import settings
from django.db import models, transaction
from django.db.models import Count, F, Max, Min, Q, Sum, Value
from django.db.models.functions import Coalesce, Greatest, Least, TruncDate
from django.utils import timezone

from accounts.models import practice_changed
from questions.models import Question

from .scoring import REVIEWED, interview_numbers

if TYPE_CHECKING:
    from .models import Answer

SKIPPED = "skipped"


class Practice(models.Model):
    """One user's totals (no row: nothing yet)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    interviews = models.PositiveIntegerField(default=0)
    # Answers given: closed and not skipped; and the seconds they took.
    answers = models.PositiveIntegerField(default=0)
    seconds = models.PositiveBigIntegerField(default=0)
    # Local days with a closed answer (skipped ones too), the latest, and how many days in a
    # row end on it.
    days = models.PositiveIntegerField(default=0)
    last_day = models.DateField(null=True, blank=True)
    streak = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"Practice of {self.user_id}"

    def streak_on(self, today: date) -> int:
        """Days in a row with an answer, up to today (or yesterday, if today has none yet)."""
        if self.last_day is not None and today - timedelta(days=1) <= self.last_day <= today:
            return self.streak
        return 0


class PracticeDay(models.Model):
    """A local day on which the user closed an answer (skipped ones count as practice)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    answers = models.PositiveIntegerField(default=0)
    seconds = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "day"], name="practiceday_one_per_day")
        ]

    def __str__(self) -> str:
        return f"{self.day} of {self.user_id}"


class ConfidenceTally(models.Model):
    """Reviewed answers given one confidence level before the reveal, and their scores."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    confidence = models.PositiveSmallIntegerField()
    reviewed = models.PositiveIntegerField(default=0)
    score_sum = models.FloatField(default=0.0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "confidence"], name="confidencetally_one_per_level"
            ),
            models.CheckConstraint(
                condition=Q(confidence__gte=1, confidence__lte=5),
                name="confidencetally_confidence_range",
            ),
        ]

    def __str__(self) -> str:
        return f"Confidence {self.confidence} of {self.user_id}"


class QuestionTally(models.Model):
    """One question in one user's interviews: when first and last met, and its reviews."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="+")
    # The creation times of the first and the latest interview that asked it.
    first_met_at = models.DateTimeField()
    last_met_at = models.DateTimeField()
    reviewed = models.PositiveIntegerField(default=0)
    score_sum = models.FloatField(default=0.0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "question"], name="questiontally_one_per_question"
            )
        ]
        indexes = [models.Index(fields=["user", "first_met_at"], name="questiontally_user_met_idx")]

    def __str__(self) -> str:
        return f"{self.question_id} of {self.user_id}"


def practice(user_id: int) -> Practice:
    """The user's totals: all zero (and unsaved) before anything happened."""
    return Practice.objects.filter(user_id=user_id).first() or Practice(user_id=user_id)


def _add(model: type[models.Model], key: dict[str, Any], **changes: Any) -> None:
    """Apply `changes` (F() expressions) to the row `key`, making it first when missing."""
    rows = model._default_manager.filter(**key)
    if rows.update(**changes):
        return
    # ON CONFLICT DO NOTHING: a concurrent first write made it meanwhile; then update it.
    model._default_manager.bulk_create([model(**key)], ignore_conflicts=True)
    rows.update(**changes)


@transaction.atomic(savepoint=False)
def interview_started(user_id: int, question_ids: Sequence[int], at: datetime) -> None:
    _add(Practice, {"user_id": user_id}, interviews=F("interviews") + 1)
    met = QuestionTally.objects.filter(user_id=user_id, question_id__in=question_ids)
    # Interviews are made in time order, except in tests and imports: keep the extremes.
    met.update(
        first_met_at=Least("first_met_at", Value(at)),
        last_met_at=Greatest("last_met_at", Value(at)),
    )
    QuestionTally.objects.bulk_create(
        [
            QuestionTally(user_id=user_id, question_id=pk, first_met_at=at, last_met_at=at)
            for pk in question_ids
        ],
        ignore_conflicts=True,
    )


@transaction.atomic(savepoint=False)
def answers_closed(user_id: int, answers: Iterable["Answer"]) -> None:
    """Closed answers (each counted once, when it closes) into their days and the totals."""
    by_day: dict[date, list[int]] = {}
    for answer in answers:
        assert answer.closed_at is not None
        counts = by_day.setdefault(timezone.localdate(answer.closed_at), [0, 0])
        if answer.outcome != SKIPPED:
            counts[0] += 1
            counts[1] += answer.seconds_used or 0
    if not by_day:
        return
    _add(
        Practice,
        {"user_id": user_id},
        answers=F("answers") + sum(n for n, _ in by_day.values()),
        seconds=F("seconds") + sum(s for _, s in by_day.values()),
    )
    new_days = []
    for day, (count, seconds) in sorted(by_day.items()):
        days = PracticeDay.objects.filter(user_id=user_id, day=day)
        if not days.update(answers=F("answers") + count, seconds=F("seconds") + seconds):
            new_days.append(PracticeDay(user_id=user_id, day=day, answers=count, seconds=seconds))
    if new_days:
        # No conflict possible: the Practice row above is locked until commit.
        PracticeDay.objects.bulk_create(new_days)
        _count_new_days(user_id, [row.day for row in new_days])


def _count_new_days(user_id: int, new_days: list[date]) -> None:
    """Days practised and the streak, once the rows of `new_days` exist."""
    totals = Practice.objects.get(user_id=user_id)
    for day in sorted(new_days):
        totals.days += 1
        if totals.last_day is None or day > totals.last_day:
            follows = totals.last_day == day - timedelta(days=1)
            totals.streak = totals.streak + 1 if follows else 1
            totals.last_day = day
        elif day == totals.last_day - timedelta(days=totals.streak):
            # A past day filled in (an answer timed out while the candidate was away, closed
            # at its deadline): it joins the streak to the run of days before it.
            totals.streak += run_ending(user_id, day)
    totals.save(update_fields=["days", "last_day", "streak"])


def run_ending(user_id: int, day: date, rows: Iterable[date] | None = None) -> int:
    """How many practised days in a row end on `day` (0 if `day` has none). Reads as many rows
    as the run is long: only when a past day is filled in."""
    if rows is None:
        rows = (
            PracticeDay.objects.filter(user_id=user_id, day__lte=day)
            .order_by("-day")
            .values_list("day", flat=True)
            .iterator(chunk_size=64)
        )
    count = 0
    for practised in rows:
        if practised != day - timedelta(days=count):
            break
        count += 1
    return count


@transaction.atomic(savepoint=False)
def answer_reviewed(answer: "Answer", previous_score: float | None) -> None:
    """A checklist saved: `previous_score` None for the answer's first review, else a regrade."""
    assert answer.score is not None
    assert answer.confidence is not None
    added = 1 if previous_score is None else 0
    change = answer.score - (previous_score or 0.0)
    user_id = answer.interview.user_id
    _add(
        ConfidenceTally,
        {"user_id": user_id, "confidence": answer.confidence},
        reviewed=F("reviewed") + added,
        score_sum=F("score_sum") + change,
    )
    met_at = answer.interview.created_at  # only used if the row is missing
    key = {"user_id": user_id, "question_id": answer.question_id}
    if not QuestionTally.objects.filter(**key).update(
        reviewed=F("reviewed") + added, score_sum=F("score_sum") + change
    ):
        QuestionTally.objects.create(
            **key, first_met_at=met_at, last_met_at=met_at, reviewed=added, score_sum=change
        )


# --- recomputing from the answers -----------------------------------------------------------


def rebuild(user_ids: Iterable[int] | None = None, apps: Apps = installed_apps) -> None:
    """Recompute the tallies and the interviews' numbers from the answers: of these users, or
    everyone. Reads every answer concerned: for migrations, repairs and deleted interviews,
    never for a page. `apps` is a migration's registry there."""
    interview_model = apps.get_model("interviews", "Interview")
    answer_model = apps.get_model("interviews", "Answer")
    tally_models = [
        apps.get_model("interviews", name)
        for name in ("Practice", "PracticeDay", "ConfidenceTally", "QuestionTally")
    ]
    interviews = interview_model._default_manager.all()
    if user_ids is not None:
        user_ids = list(user_ids)
        interviews = interviews.filter(user_id__in=user_ids)
    answers = answer_model._default_manager.filter(interview__in=interviews)
    with transaction.atomic():
        if apps is installed_apps:
            # What the users' pages show changes (a migration's users have no such count yet).
            practice_changed(user_ids)
        _store_interview_numbers(interview_model, interviews)
        for model in tally_models:
            rows = model._default_manager.all()
            if user_ids is not None:
                rows = rows.filter(user_id__in=user_ids)
            rows.delete()
        _rebuild_days_and_totals(apps, interviews, answers)
        _rebuild_reviews(apps, answers)


def _store_interview_numbers(interview_model: Any, interviews: Any) -> None:
    numbers = interview_numbers()
    fields = list(numbers)
    rows = interviews.values("pk").annotate(**{f"fresh_{name}": numbers[name] for name in fields})
    batch = []
    for row in rows.iterator(chunk_size=500):
        interview = interview_model(pk=row["pk"])
        for name in fields:
            setattr(interview, name, row[f"fresh_{name}"])
        batch.append(interview)
    interview_model._default_manager.bulk_update(batch, fields, batch_size=500)


def _rebuild_days_and_totals(apps: Apps, interviews: Any, answers: Any) -> None:
    day_model = apps.get_model("interviews", "PracticeDay")
    practice_model = apps.get_model("interviews", "Practice")
    given = ~Q(outcome=SKIPPED)
    day_rows = (
        answers.filter(closed_at__isnull=False)
        .annotate(day=TruncDate("closed_at"))
        .values("interview__user_id", "day")
        .annotate(
            count=Count("pk", filter=given), time=Coalesce(Sum("seconds_used", filter=given), 0)
        )
        .order_by("interview__user_id", "-day")
    )
    days_by_user: dict[int, list[dict[str, Any]]] = {}
    for row in day_rows:
        days_by_user.setdefault(row["interview__user_id"], []).append(row)
    day_model._default_manager.bulk_create(
        [
            day_model(user_id=user_id, day=row["day"], answers=row["count"], seconds=row["time"])
            for user_id, rows in days_by_user.items()
            for row in rows
        ],
        batch_size=500,
    )
    counts = dict(interviews.values("user_id").annotate(n=Count("pk")).values_list("user_id", "n"))
    totals = []
    for user_id, interview_count in counts.items():
        rows = days_by_user.get(user_id, [])
        last_day = rows[0]["day"] if rows else None
        totals.append(
            practice_model(
                user_id=user_id,
                interviews=interview_count,
                answers=sum(row["count"] for row in rows),
                seconds=sum(row["time"] for row in rows),
                days=len(rows),
                last_day=last_day,
                streak=run_ending(user_id, last_day, (row["day"] for row in rows))
                if last_day
                else 0,
            )
        )
    practice_model._default_manager.bulk_create(totals, batch_size=500)


def _rebuild_reviews(apps: Apps, answers: Any) -> None:
    confidence_model = apps.get_model("interviews", "ConfidenceTally")
    question_model = apps.get_model("interviews", "QuestionTally")
    reviewed = Q(state=REVIEWED)
    confidence_model._default_manager.bulk_create(
        confidence_model(
            user_id=row["interview__user_id"],
            confidence=row["confidence"],
            reviewed=row["count"],
            score_sum=row["total"],
        )
        for row in answers.filter(reviewed, confidence__isnull=False)
        .values("interview__user_id", "confidence")
        .annotate(count=Count("pk"), total=Sum("score"))
        .order_by()
    )
    question_model._default_manager.bulk_create(
        (
            question_model(
                user_id=row["interview__user_id"],
                question_id=row["question_id"],
                first_met_at=row["first"],
                last_met_at=row["last"],
                reviewed=row["count"],
                score_sum=row["total"],
            )
            for row in answers.values("interview__user_id", "question_id")
            .annotate(
                first=Min("interview__created_at"),
                last=Max("interview__created_at"),
                count=Count("pk", filter=reviewed),
                total=Coalesce(Sum("score", filter=reviewed), 0.0),
            )
            .order_by()
        ),
        batch_size=500,
    )
