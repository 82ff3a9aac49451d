import csv
from collections.abc import Iterator
from typing import Any

from django.core.paginator import Paginator
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from interviews.middleware import MemberRequest
from interviews.models import Answer

from . import stats
from .charts import line_chart

PAGE_SIZE = 20


@require_GET
def history(request: MemberRequest) -> HttpResponse:
    page = Paginator(stats.history(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "progress/history.html", {"page": page})


@require_GET
def progress(request: MemberRequest) -> HttpResponse:
    user = request.user
    scores = stats.score_over_time(user)
    chart = line_chart(
        [
            (
                timezone.localtime(finished).strftime("%-d %b %Y"),
                score,
                reverse("interviews:review", args=[pk]),
            )
            for pk, finished, score in scores
        ]
    )
    calibration_rows, calibration = stats.calibration(user)
    context = {
        "chart": chart,
        "chart_limit": stats.CHART_LIMIT,
        "topics": stats.mastery_by_topic(user),
        "weakest": stats.weakest_questions(user),
        "calibration_rows": calibration_rows,
        "calibration": calibration,
        "verdict": stats.calibration_verdict(calibration),
        "totals": stats.totals(user),
    }
    return render(request, "progress/progress.html", context)


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: Any) -> Any:
    """A cell a spreadsheet will not run as a formula: text starting with = + - @ tab or CR
    gets a leading apostrophe (the usual CSV-injection guard)."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


class _Echo:
    """csv.writer writes to this and gets each line back, for streaming."""

    def write(self, value: str) -> str:
        return value


EXPORT_COLUMNS = [
    "date",
    "interview",
    "position",
    "question",
    "topic",
    "difficulty",
    "outcome",
    "seconds_used",
    "score",
    "confidence",
    "self_rating",
    "answer",
]


@require_GET
def export_answers(request: MemberRequest) -> StreamingHttpResponse:
    answers = (
        Answer.objects.filter(interview__user=request.user, closed_at__isnull=False)
        .select_related("question__topic")
        .order_by("closed_at", "pk")
    )
    writer = csv.writer(_Echo())

    def rows() -> Iterator[str]:
        yield writer.writerow(EXPORT_COLUMNS)
        for answer in answers.iterator(chunk_size=500):
            yield writer.writerow(
                spreadsheet_safe(cell)
                for cell in [
                    timezone.localtime(answer.closed_at).isoformat(timespec="seconds"),
                    answer.interview_id,
                    answer.position,
                    answer.question.prompt,
                    answer.question.topic.name,
                    answer.question.difficulty,
                    answer.outcome,
                    answer.seconds_used,
                    "" if answer.score is None else round(answer.score, 3),
                    answer.confidence or "",
                    answer.self_rating or "",
                    answer.text,
                ]
            )

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="my-answers-{stamp}.csv"'
    return response
