from django.contrib.auth.decorators import login_not_required
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers

from core.htmx import SiteRequest

from .filters import PAGE_SIZE, BankFilters
from .models import Difficulty, Question, SeedRef, Source, Topic
from .search import add_snippets


def _wants_fragment(request: SiteRequest) -> bool:
    return bool(request.htmx) and not request.htmx.history_restore_request


@login_not_required
@require_GET
@vary_on_headers("HX-Request")
def question_list(request: SiteRequest) -> HttpResponse:
    topics = list(Topic.objects.all())
    sources = list(Source.objects.all())
    filters = BankFilters.from_query(
        request.GET,
        topic_slugs={t.slug for t in topics},
        source_slugs={s.slug for s in sources},
    )
    # While an interview runs, reference answers are paused: search must not match them.
    questions = filters.apply(
        Question.objects.in_bank().with_list_data(), in_references=request.references.allowed
    )
    questions = request.practice.with_last_practice(questions)
    page = Paginator(questions, PAGE_SIZE).get_page(request.GET.get("page"))
    if filters.q:
        page.object_list = list(page.object_list)
        add_snippets(page.object_list, filters.q, in_references=request.references.allowed)
    context = {
        "filters": filters,
        "page": page,
        "topics": topics,
        "sources": sources,
        "difficulties": Difficulty.choices,
    }
    if not _wants_fragment(request):
        return render(request, "questions/list.html", context)
    response = render(request, "questions/list.html#results", context)
    # The address bar shows the canonical filters only, not every empty form field.
    query = filters.querystring(page=page.number if page.number > 1 else None)
    response["HX-Push-Url"] = request.path + (f"?{query}" if query else "")
    return response


@login_not_required
@require_GET
def question_detail(request: SiteRequest, slug: str) -> HttpResponse:
    question = get_object_or_404(
        Question.objects.in_bank()
        .select_related("topic")
        .prefetch_related(
            "key_points",
            Prefetch(
                "seed_refs",
                queryset=SeedRef.objects.select_related("source").order_by(
                    "source__title", "number"
                ),
            ),
        ),
        slug=slug,
    )
    siblings = Question.objects.in_bank().filter(topic_id=question.topic_id)
    previous_question = (
        siblings.filter(position__lt=question.position).order_by("-position").first()
    )
    next_question = siblings.filter(position__gt=question.position).order_by("position").first()
    # The user's own practice comes from the interviews app (request.practice), so the bank
    # needs no knowledge of interviews.
    attempts = request.practice.attempts(question)
    context = {
        "question": question,
        "previous_question": previous_question,
        "next_question": next_question,
        # While any interview runs, no reference reaches the browser (interviews/references.py).
        "paused_by": request.references.paused_by,
        "attempts": attempts,
    }
    return render(request, "questions/detail.html", context)


@login_not_required
@require_GET
def topic_list(request: HttpRequest) -> HttpResponse:
    in_bank = Q(questions__retired=False)
    counts = {
        f"{level}_count": Count("questions", filter=in_bank & Q(questions__difficulty=level))
        for level in Difficulty.values
    }
    # Explicit order: Meta.ordering is not applied to GROUP BY queries.
    topics = Topic.objects.annotate(total=Count("questions", filter=in_bank), **counts).order_by(
        "position", "name"
    )
    return render(request, "questions/topics.html", {"topics": topics})
