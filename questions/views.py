"""The bank's pages. Each is rendered once per bank version for everyone and cached; only the
user's overlay (their practice, references paused) is added per request: questions/pages.py."""

from typing import Any

from django.contrib.auth.decorators import login_not_required
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q
from django.http import HttpRequest, HttpResponse, HttpResponseBase, QueryDict
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers

from core.htmx import SiteRequest

from . import pages
from .filters import PAGE_SIZE, BankFilters, list_key, page_number
from .models import BankVersion, Difficulty, Question, SeedRef, Source, Topic
from .search import add_snippets


def _wants_fragment(request: SiteRequest) -> bool:
    return bool(request.htmx) and not request.htmx.history_restore_request


def _list_context(params: QueryDict, *, in_references: bool) -> dict[str, Any]:
    topics = list(Topic.objects.all())
    sources = list(Source.objects.all())
    filters = BankFilters.from_query(
        params,
        topic_slugs={t.slug for t in topics},
        source_slugs={s.slug for s in sources},
    )
    # While an interview runs, reference answers are paused: search must not match them.
    questions = filters.apply(
        Question.objects.in_bank().with_list_data(), in_references=in_references
    )
    page = Paginator(questions, PAGE_SIZE).get_page(page_number(params.get("page")))
    page.object_list = list(page.object_list)
    if filters.q:
        add_snippets(page.object_list, filters.q, in_references=in_references)
    return {
        "filters": filters,
        "page": page,
        "topics": topics,
        "sources": sources,
        "difficulties": Difficulty.choices,
    }


@login_not_required
@require_GET
@vary_on_headers("HX-Request", "HX-History-Restore-Request")
def question_list(request: SiteRequest) -> HttpResponseBase:
    version = BankVersion.current()
    fragment = _wants_fragment(request)
    key = list_key(request.GET)

    def render_page(extra: dict[str, Any]) -> HttpResponse:
        # Read here, not before: a kept page (pages.respond) needs neither.
        paused_by = request.references.paused_by
        context: dict[str, Any] = {}  # filled only when this request renders the shared part

        def build() -> dict[str, Any]:
            context.update(_list_context(request.GET, in_references=paused_by is None))
            page = context["page"]
            partial = "results" if fragment else "bank"
            return {
                "html": render_to_string(f"questions/list.html#{partial}", context),
                "question_ids": [question.pk for question in page.object_list],
                # The address bar shows the canonical filters only, not every empty form field.
                "push_query": context["filters"].querystring(
                    page=page.number if page.number > 1 else None
                ),
            }

        entry = pages.shared(version, "list", fragment, paused_by is None, key, build=build)
        practice = request.practice.last_practice(entry["question_ids"])
        pieces = {}
        if practice:
            pieces = pages.pieces(
                "questions/list.html#practice",
                [f"practice-{pk}" for pk in practice],
                {"practice": practice.values()},
            )
        if paused_by is not None:
            pieces["paused"] = pages.piece("questions/list.html#paused", {"paused_by": paused_by})
        html = pages.fill(entry["html"], pieces)
        if not fragment:
            return render(request, "questions/list.html", {**context, "bank_html": html, **extra})
        response = HttpResponse(html)
        query = entry["push_query"]
        response["HX-Push-Url"] = request.path + (f"?{query}" if query else "")
        return response

    state = (version, "list", fragment, key, pages.viewer(request))
    return pages.respond(request, state, version.changed_at, render_page, whole_page=not fragment)


def _question_context(slug: str) -> dict[str, Any]:
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
    return {
        "question": question,
        "previous_question": siblings.filter(position__lt=question.position)
        .order_by("-position")
        .first(),
        "next_question": siblings.filter(position__gt=question.position)
        .order_by("position")
        .first(),
    }


@login_not_required
@require_GET
def question_detail(request: SiteRequest, slug: str) -> HttpResponseBase:
    version = BankVersion.current()

    def render_page(extra: dict[str, Any]) -> HttpResponse:
        # While any interview runs, no reference reaches the browser (interviews/references.py):
        # the user gets the rendering made without one.
        paused_by = request.references.paused_by
        context: dict[str, Any] = {}  # filled only when this request renders the shared part

        def build() -> dict[str, Any]:
            context.update(_question_context(slug), paused=paused_by is not None)
            question = context["question"]
            return {
                "html": render_to_string("questions/detail.html#question", context),
                "question": {
                    "pk": question.pk,
                    "slug": question.slug,
                    "prompt": question.prompt,
                    "suggested_minutes": question.suggested_minutes,
                },
            }

        entry = pages.shared(version, "detail", slug, paused_by is None, build=build)
        question = entry["question"]
        # The user's own practice comes from the interviews app (request.practice), so the
        # bank needs no knowledge of interviews.
        attempts = request.practice.attempts(question["pk"])
        actions = {
            "question": question,
            "signed_in": request.user.is_authenticated,
            # A kept page gets the stand-in, replaced by each response's own token.
            "csrf_token": extra.get("csrf_token") or get_token(request),
            "path": request.path,
        }
        pieces = {"actions": pages.piece("questions/detail.html#actions", actions)}
        if attempts:
            for name in ("your-last", "attempts"):
                pieces[name] = pages.piece(f"questions/detail.html#{name}", {"attempts": attempts})
        if paused_by is not None:
            pieces["paused"] = pages.piece("questions/detail.html#paused", {"paused_by": paused_by})
        html = pages.fill(entry["html"], pieces)
        return render(
            request,
            "questions/detail.html",
            {"question": question, **context, "question_html": html, **extra},
        )

    state = (version, "detail", slug, pages.viewer(request))
    return pages.respond(request, state, version.changed_at, render_page)


@login_not_required
@require_GET
def topic_list(request: HttpRequest) -> HttpResponseBase:
    version = BankVersion.current()
    context: dict[str, Any] = {}  # filled only when this request renders the shared part

    def build() -> dict[str, Any]:
        in_bank = Q(questions__retired=False)
        counts = {
            f"{level}_count": Count("questions", filter=in_bank & Q(questions__difficulty=level))
            for level in Difficulty.values
        }
        # Explicit order: Meta.ordering is not applied to GROUP BY queries.
        context["topics"] = list(
            Topic.objects.annotate(total=Count("questions", filter=in_bank), **counts).order_by(
                "position", "name"
            )
        )
        return {"html": render_to_string("questions/topics.html#topics", context)}

    entry = pages.shared(version, "topics", build=build)

    def render_page(extra: dict[str, Any]) -> HttpResponse:
        return render(
            request, "questions/topics.html", {**context, "topics_html": entry["html"], **extra}
        )

    return pages.respond(request, (version, "topics"), version.changed_at, render_page)
