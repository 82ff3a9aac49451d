"""The numbers of a user's practice, each computed by the database (aggregates, annotations).

Every function here runs a fixed number of queries, whatever the number of interviews.
"""

from collections.abc import Mapping
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import Avg, Count, F, Q, QuerySet, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from accounts.models import User
from interviews.models import Answer, Interview, InterviewQuerySet
from interviews.scoring import interview_score
from questions.models import Topic

CHART_LIMIT = 100


def history(user: User) -> InterviewQuerySet:
    """The user's interviews, newest first, with their numbers; in-progress ones first."""
    return (
        Interview.objects.for_user(user)
        .annotate(
            answered=Count("answers", filter=Q(answers__outcome=Answer.Outcome.SUBMITTED)),
            avg_score=interview_score(),
            seconds_used=Sum("answers__seconds_used"),
        )
        .prefetch_related("topics")
        .order_by(F("finished_at").desc(nulls_first=True), "-created_at", "-pk")
    )


def score_over_time(user: User) -> list[tuple[int, datetime | None, float]]:
    """(finished_at, average score) for the latest finished interviews with a score."""
    rows = (
        Interview.objects.for_user(user)
        .finished()
        .annotate(avg_score=interview_score())
        .filter(avg_score__isnull=False)
        .order_by("-finished_at")
        .values_list("pk", "finished_at", "avg_score")[:CHART_LIMIT]
    )
    return list(reversed(rows))


def mastery_by_topic(user: User) -> QuerySet[Topic]:
    """Per topic: average key-point coverage of the user's reviewed answers, and questions
    seen out of the bank's total."""
    mine = Q(questions__answers__interview__user=user)
    return Topic.objects.annotate(
        total=Count("questions", filter=Q(questions__retired=False), distinct=True),
        seen=Count(
            "questions",
            filter=mine & Q(questions__answers__closed_at__isnull=False),
            distinct=True,
        ),
        mastery=Avg("questions__answers__score", filter=mine),
        scored=Count(
            "questions__answers", filter=mine & Q(questions__answers__score__isnull=False)
        ),
    ).order_by("position")


def weakest_questions(user: User, limit: int = 5) -> QuerySet[Answer, Mapping[str, Any]]:
    """Questions with the lowest average score among the user's reviewed answers."""
    return (
        Answer.objects.filter(interview__user=user, score__isnull=False)
        .values("question__slug", "question__prompt", "question__topic__name")
        .annotate(avg_score=Avg("score"), attempts=Count("pk"))
        .order_by("avg_score", "-attempts", "question__slug")[:limit]
    )


def calibration(user: User) -> tuple[list[Mapping[str, Any]], dict[str, Any]]:
    """Average score for each confidence level given before the reveal."""
    rows = (
        Answer.objects.filter(interview__user=user, confidence__isnull=False, score__isnull=False)
        .values("confidence")
        .annotate(answers=Count("pk"), avg_score=Avg("score"))
        .order_by("confidence")
    )
    overall = Answer.objects.filter(
        interview__user=user, confidence__isnull=False, score__isnull=False
    ).aggregate(avg_confidence=Avg("confidence"), avg_score=Avg("score"), answers=Count("pk"))
    return list(rows), overall


# Confidence 1..5 read as an expected coverage of 0..100 %; a gap over this is a verdict.
CALIBRATION_TOLERANCE = 0.15


def calibration_verdict(overall: dict[str, Any]) -> str | None:
    """'over', 'under' or 'calibrated' from calibration()'s overall numbers; None without data."""
    if not overall["answers"]:
        return None
    expected = (overall["avg_confidence"] - 1) / 4
    gap = expected - overall["avg_score"]
    if gap > CALIBRATION_TOLERANCE:
        return "over"
    return "under" if gap < -CALIBRATION_TOLERANCE else "calibrated"


def totals(user: User, today: date | None = None) -> dict[str, Any]:
    """Days practised (in total and in a row up to today), answers given, time per answer."""
    closed = Answer.objects.filter(interview__user=user, closed_at__isnull=False)
    numbers = closed.aggregate(
        answers=Count("pk", filter=~Q(outcome=Answer.Outcome.SKIPPED)),
        avg_seconds=Avg("seconds_used", filter=~Q(outcome=Answer.Outcome.SKIPPED)),
        days=Count(TruncDate("closed_at"), distinct=True),
    )
    # The streak: walk the distinct days backwards from today and stop at the first gap, so
    # only as many rows are read as the streak is long.
    today = today or timezone.localdate()
    days = (
        closed.annotate(day=TruncDate("closed_at"))
        .values_list("day", flat=True)
        .distinct()
        .order_by("-day")
    )
    streak, expected = 0, today
    for day in days.iterator(chunk_size=64):
        if day == expected or (streak == 0 and day == today - timedelta(days=1)):
            streak += 1
            expected = day - timedelta(days=1)
        else:
            break
    numbers["streak"] = streak
    return numbers
