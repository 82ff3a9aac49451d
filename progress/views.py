import csv
import hashlib
from collections.abc import Iterator
from functools import cached_property
from typing import Any, cast

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import pluralize
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET, require_POST

from accounts.models import practice_changed
from core.caching import cached, code_version, kept_page
from core.views import landing
from interviews.drawing import new_allowance
from interviews.middleware import CandidateRequest, MemberRequest
from interviews.models import Answer
from interviews.presets import PRESETS
from questions.models import BankVersion
from repetition import schedule

from . import stats
from .charts import bar_chart, line_chart
from .forms import NewPerDayForm

PAGE_SIZE = 20


class CountedPaginator(Paginator):
    """A paginator told how many items there are: counting them would read every one."""

    def __init__(self, object_list: Any, per_page: int, count: int) -> None:
        super().__init__(object_list, per_page)
        self.known_count = count

    @cached_property
    def count(self) -> int:
        return self.known_count


def _page_param(request: MemberRequest) -> str:
    """The page asked for, as the key of a kept page: a number, or "" for anything else (the
    paginator shows the first page then), so odd values do not each make an entry."""
    value = request.GET.get("page", "")
    return value if value.isdigit() and len(value) <= 6 else ""


def _minute() -> str:
    """The key of a page that changes with the clock (what is due, readiness, the streak): kept
    for the minute it was made in at most."""
    return timezone.now().strftime("%Y-%m-%dT%H:%M")


@require_GET
def history(request: MemberRequest) -> HttpResponse:
    number = _page_param(request)

    def render_page(extra: dict[str, Any]) -> HttpResponse:
        user = request.user
        paginator = CountedPaginator(stats.history(user), PAGE_SIZE, stats.interview_count(user))
        page = paginator.get_page(number)
        return render(request, "progress/history.html", {"page": page, **extra})

    # Kept per user until their practice changes; topic names come from the bank.
    return kept_page(request, ("history", BankVersion.current().token, number), render_page)


def _repetition(request: MemberRequest) -> dict[str, Any]:
    """Where the user's spaced repetition stands now: due counts and readiness by topic."""
    now = timezone.now()
    cards = schedule.cards_in_bank(request.user.pk)
    forecast = schedule.due_forecast(cards, now)
    return {
        "due_now": sum(card.due <= now for card in cards),
        "due_today": forecast[0]["count"],
        "forecast": forecast,
        "readiness": schedule.readiness_by_topic(request.user.pk, now, cards),
        "new_allowance": new_allowance(request.user, now),
    }


@login_not_required
@require_GET
def home(request: CandidateRequest) -> HttpResponse:
    """Signed in: what to do next (resume, what's due, presets, weakest topics). Otherwise the
    landing page, at the same address."""
    if not request.user.is_authenticated:
        return landing(request)
    member = cast(MemberRequest, request)

    def render_page(extra: dict[str, Any]) -> HttpResponse:
        context = _repetition(member) | {
            "in_progress": request.references.paused_by,
            "presets": PRESETS,
            "streak": stats.streak(member.user),
            "last_interview": stats.last_scored_interview(member.user),
        }
        context["weakest_topics"] = context["readiness"][:3]
        return render(request, "progress/home.html", context | extra)

    return kept_page(request, ("home", BankVersion.current().token, _minute()), render_page)


@require_POST
def new_per_day(request: MemberRequest) -> HttpResponse:
    """The daily allowance of never-seen questions in "practise what's due"."""
    form = NewPerDayForm(request.POST, instance=request.user)
    if not form.is_valid():
        return _progress_page(request, form, status=400)
    with transaction.atomic():
        form.save()
        practice_changed([request.user.pk])
    count = form.cleaned_data["new_questions_per_day"]
    messages.success(request, f"Up to {count} new question{pluralize(count)} a day from now on.")
    return redirect("progress:progress")


@require_GET
def progress(request: MemberRequest) -> HttpResponse:
    return kept_page(
        request,
        ("progress", BankVersion.current().token, _minute()),
        lambda extra: _progress_page(request, NewPerDayForm(instance=request.user), extra=extra),
    )


SCORE_CHART = "progress/score_chart.html"


def _score_chart(chart: dict[str, Any], scores: list[Any]) -> str:
    """The score chart's section, rendered once for each set of scores (up to 100 points and
    their table are most of the page's work) and kept in the cache, shared by app servers."""
    key = (
        "score-chart:"
        + hashlib.blake2b(
            repr((code_version(), settings.TIME_ZONE, scores)).encode(),
            digest_size=16,
        ).hexdigest()
    )
    html = cached(
        key,
        lambda: render_to_string(SCORE_CHART, {"chart": chart, "chart_limit": stats.CHART_LIMIT}),
        24 * 60 * 60,
    )
    return mark_safe(html)  # rendered by our own template, autoescaped there


def _progress_page(
    request: MemberRequest,
    form: NewPerDayForm,
    status: int = 200,
    extra: dict[str, Any] | None = None,
) -> HttpResponse:
    user = request.user
    scores = stats.score_over_time(user)
    # One reverse() for the up to 100 points: the review's address with the id filled in.
    review_url = reverse("interviews:review", args=[987654321]).replace("987654321", "{}")
    chart = line_chart(
        [
            (timezone.localtime(finished).strftime("%-d %b %Y"), score, review_url.format(pk))
            for pk, finished, score in scores
        ]
    )
    calibration_rows, calibration = stats.calibration(user)
    score_chart = _score_chart(chart, scores)
    repetition = _repetition(request)
    forecast_chart = bar_chart(
        [
            ("Today" if n == 0 else row["day"].strftime("%a"), row["count"])
            for n, row in enumerate(repetition["forecast"])
        ]
    )
    context = repetition | {
        "chart": chart,
        "score_chart": score_chart,
        "forecast_chart": forecast_chart,
        "new_per_day_form": form,
        "calibration_min": stats.CALIBRATION_MIN_ANSWERS,
        "weakest": stats.weakest_questions(user),
        "calibration_rows": calibration_rows,
        "calibration": calibration,
        "verdict": stats.calibration_verdict(calibration),
        "totals": stats.totals(user),
    }
    return render(request, "progress/progress.html", context | (extra or {}), status=status)


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
