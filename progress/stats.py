"""The numbers of a user's practice, read from rows kept up to date on write.

Each interview stores its own numbers (score, counts, time used), and the user's tallies
(interviews/tallies.py) hold days, streak, calibration and per-question scores. So every
function here reads a fixed number of rows whatever the length of the history: one interview
page, the latest 100 scores, five confidence levels, at most one row per question of the bank.
"""

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from django.db.models import F, QuerySet
from django.utils import timezone

from accounts.models import User
from interviews.models import Interview, InterviewQuerySet
from interviews.tallies import ConfidenceTally, Practice, QuestionTally, practice

CHART_LIMIT = 100


def history(user: User) -> InterviewQuerySet:
    """The user's interviews, newest first, with their numbers; in-progress ones first (an
    index has this order: a page reads its own rows only)."""
    return (
        Interview.objects.for_user(user)
        .prefetch_related("topics")
        .order_by(F("finished_at").desc(nulls_first=True), "-created_at", "-pk")
    )


def interview_count(user: User) -> int:
    """How many interviews the user has, without counting them (history's pages)."""
    return practice(user.pk).interviews


def score_over_time(user: User) -> list[tuple[int, datetime | None, float | None]]:
    """(pk, finished_at, score) for the latest finished interviews with a score (never None)."""
    rows = (
        Interview.objects.for_user(user)
        .finished()
        .filter(score__isnull=False)
        .order_by("-finished_at")
        .values_list("pk", "finished_at", "score")[:CHART_LIMIT]
    )
    return list(reversed(rows))


def weakest_questions(user: User, limit: int = 5) -> QuerySet[QuestionTally, Mapping[str, Any]]:
    """Questions with the lowest average score among the user's reviewed answers (blank answers
    are not reviews: they are "not answered", and the schedule brings them back)."""
    return (
        QuestionTally.objects.filter(user=user, reviewed__gt=0)
        .values("question__slug", "question__prompt", "question__topic__name")
        .annotate(avg_score=F("score_sum") / F("reviewed"), attempts=F("reviewed"))
        .order_by("avg_score", "-attempts", "question__slug")[:limit]
    )


def calibration(user: User) -> tuple[list[Mapping[str, Any]], dict[str, Any]]:
    """Average score for each confidence level given before the reveal (reviewed answers)."""
    levels = ConfidenceTally.objects.filter(user=user, reviewed__gt=0).order_by("confidence")
    rows: list[Mapping[str, Any]] = [
        {
            "confidence": level.confidence,
            "answers": level.reviewed,
            "avg_score": level.score_sum / level.reviewed,
        }
        for level in levels
    ]
    answers = sum(row["answers"] for row in rows)
    overall: dict[str, Any] = {
        "avg_confidence": sum(row["confidence"] * row["answers"] for row in rows) / answers
        if answers
        else None,
        "avg_score": sum(level.score_sum for level in levels) / answers if answers else None,
        "answers": answers,
    }
    return rows, overall


# Confidence 1..5 read as an expected coverage of 0..100 %; a gap over this is a verdict.
CALIBRATION_TOLERANCE = 0.15
# Fewer reviewed answers than this say nothing about calibration: no verdict is given.
CALIBRATION_MIN_ANSWERS = 10


def calibration_verdict(overall: dict[str, Any]) -> str | None:
    """'over', 'under' or 'calibrated' from calibration()'s overall numbers; None below
    CALIBRATION_MIN_ANSWERS reviewed answers."""
    if (overall["answers"] or 0) < CALIBRATION_MIN_ANSWERS:
        return None
    expected = (overall["avg_confidence"] - 1) / 4
    gap = expected - overall["avg_score"]
    if gap > CALIBRATION_TOLERANCE:
        return "over"
    return "under" if gap < -CALIBRATION_TOLERANCE else "calibrated"


def totals(user: User, today: date | None = None) -> dict[str, Any]:
    """Days practised (in total and in a row up to today), answers given, time per answer."""
    numbers: Practice = practice(user.pk)
    return {
        "answers": numbers.answers,
        "avg_seconds": numbers.seconds / numbers.answers if numbers.answers else None,
        "days": numbers.days,
        "streak": numbers.streak_on(today or timezone.localdate()),
    }


def streak(user: User, today: date | None = None) -> int:
    """Days in a row with an answer, up to today (or yesterday, if today has none yet)."""
    return practice(user.pk).streak_on(today or timezone.localdate())


def last_scored_interview(user: User) -> Interview | None:
    """The latest finished interview, with its score (None until it is reviewed)."""
    return (
        Interview.objects.for_user(user)
        .finished()
        .order_by(F("finished_at").desc(nulls_first=True), "-created_at", "-pk")
        .first()
    )
