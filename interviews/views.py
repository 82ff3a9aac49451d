from collections.abc import Callable
from datetime import datetime
from functools import wraps
from typing import Any, Concatenate, cast

from django.contrib import messages
from django.db import transaction
from django.db.models import Count, Prefetch, prefetch_related_objects
from django.forms import CharField
from django.http import Http404, HttpResponse, HttpResponseBase
from django.http.response import HttpResponseRedirectBase
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.html import escape
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect, HttpResponseClientRefresh

from core.caching import cached, kept_page, practice_key
from core.rows import RowByKey
from core.templatetags.formatting import clock
from questions.models import Question, Topic

from .drawing import (
    DUE_ROUND_SECONDS,
    TOPIC_ROUND_SIZE,
    draw_due,
    draw_preset,
    draw_questions,
    matching_questions,
)
from .forms import (
    SCALE_CHOICES,
    AnswerTextForm,
    NewInterviewForm,
    PractiseQuestionsForm,
    RevealForm,
    ReviewForm,
)
from .middleware import MemberRequest
from .models import (
    Answer,
    AnswerClosed,
    Interview,
    InterviewError,
    InterviewInProgress,
    NotShown,
    TooLate,
)
from .presets import BY_SLUG as PRESETS


def _owned_interview(request: MemberRequest, pk: int, *, lock: bool = False) -> Interview:
    """The user's interview, or 404. Locking takes the interview row only, never shared rows:
    every write locks the interview first, then its answers, so two requests never deadlock."""
    interviews = Interview.objects.for_user(request.user)
    if lock:
        interviews = interviews.select_for_update(of=("self",))
    return get_object_or_404(interviews, pk=pk)


def _owned_answer(request: MemberRequest, pk: int, answer_pk: int, *, lock: bool = False) -> Answer:
    """The answer of the user's interview, or 404; with `lock`, the interview row first."""
    interview = _owned_interview(request, pk, lock=lock)
    answers = interview.answers.select_related("question__topic")
    if lock:
        answers = answers.select_for_update(of=("self",))
    answer = get_object_or_404(answers, pk=answer_pk)
    answer.interview = interview
    return answer


def _redirect(request: MemberRequest, url: str) -> HttpResponseRedirectBase:
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


def _resume(request: MemberRequest, running: Interview) -> HttpResponseRedirectBase:
    """Back to the interview in progress, saying why nothing new started."""
    messages.info(
        request,
        "You have an interview in progress: finish or end it first. Reference answers and "
        "new interviews wait until then.",
    )
    return _redirect(request, running.get_absolute_url())


def _back_to_running(request: MemberRequest) -> HttpResponseRedirectBase | None:
    """With an interview in progress, the way back to it (nothing new starts); else None."""
    running = request.references.paused_by
    return None if running is None else _resume(request, running)


def leads_back_to_running[**P](
    view: Callable[Concatenate[MemberRequest, P], HttpResponse],
) -> Callable[Concatenate[MemberRequest, P], HttpResponse]:
    """For views that start an interview: checked before anything is looked up, so that with
    an interview running every request leads back to it and the answer cannot tell which
    questions are in it."""

    @wraps(view)
    def wrapped(request: MemberRequest, *args: P.args, **kwargs: P.kwargs) -> HttpResponse:
        return _back_to_running(request) or view(request, *args, **kwargs)

    return wrapped


def _start(
    request: MemberRequest, *, started: str = "", **options: Any
) -> HttpResponseRedirectBase:
    """Start an interview (saying `started`, if given), or go back to the one in progress."""
    try:
        interview = Interview.objects.start(user=request.user, now=timezone.now(), **options)
    except InterviewInProgress as running:
        return _resume(request, running.interview)
    if started:
        messages.success(request, started)
    return redirect(interview)


def _missing_text(request: MemberRequest) -> bool:
    """A write without the answer field is malformed: refuse it whole, change nothing."""
    return "text" not in request.POST


MISSING_TEXT = (
    "The request carried no answer text, so nothing was changed. Reload the page and try again."
)


# --- starting ----------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def new_interview(request: MemberRequest) -> HttpResponse:
    form = NewInterviewForm(request.POST if request.method == "POST" else None)
    shortfall = None
    in_progress = request.references.paused_by
    if request.method == "POST":
        if in_progress is not None:
            return _resume(request, in_progress)
        if not form.is_valid():
            return render(request, "interviews/new.html", {"form": form}, status=400)
        topics = list(form.cleaned_data["topics"])
        difficulty = form.cleaned_data["difficulty"]
        wanted = form.cleaned_data["question_count"]
        available = matching_questions(topics, difficulty).count()
        if available == 0:
            form.add_error(
                None,
                "No questions match these topics and difficulty. "
                "Choose more topics or any difficulty.",
            )
            return render(request, "interviews/new.html", {"form": form}, status=400)
        if available < wanted:
            shortfall = available
        else:
            return _start(
                request,
                questions=draw_questions(request.user, topics, difficulty, wanted),
                seconds_per_question=form.cleaned_data["time_limit"],
                topics=topics,
                difficulty=difficulty,
            )
    context = {
        "form": form,
        "shortfall": shortfall,
        "in_progress": in_progress,
        # For the form's running "n questions match, about m minutes" (static/js/site.js).
        "bank_counts": list(
            Question.objects.in_bank()
            .values_list("topic__slug", "difficulty")
            .annotate(count=Count("pk"))
            .order_by()
        ),
    }
    return render(request, "interviews/new.html", context)


@require_POST
@leads_back_to_running
def practise_question(request: MemberRequest, slug: str) -> HttpResponse:
    question = get_object_or_404(Question.objects.in_bank(), slug=slug)
    return _start(
        request,
        questions=[question],
        seconds_per_question=question.suggested_minutes * 60,
        topics=[question.topic],
    )


@require_POST
@leads_back_to_running
def practise_questions(request: MemberRequest) -> HttpResponse:
    """A new interview over the posted questions (e.g. "practise my weakest"), in that order."""
    form = PractiseQuestionsForm(request.POST)
    if not form.is_valid():
        # django-stubs types ErrorList[i] ValidationError | str; Django returns the message.
        messages.error(request, form.errors["question"][0])  # type: ignore[arg-type]
        return redirect("progress:progress")
    slugs = form.cleaned_data["question"]
    by_slug = Question.objects.in_bank().in_bulk(slugs, field_name="slug")
    questions = [by_slug[slug] for slug in slugs if slug in by_slug]
    if not questions:
        messages.error(request, "Choose at least one question to practise.")
        return redirect("progress:progress")
    return _start(request, questions=questions, seconds_per_question=180)


@require_POST
def start_preset(request: MemberRequest, slug: str) -> HttpResponse:
    """A one-click interview ("Quick round", "Phone screen", "Deep dive"): it starts at once."""
    preset = PRESETS.get(slug)
    if preset is None:
        raise Http404("No such preset.")
    if (back := _back_to_running(request)) is not None:
        return back
    questions = draw_preset(request.user, preset)
    if not questions:
        messages.error(request, "The question bank is empty: run manage.py load_questions.")
        return redirect("progress:home")
    return _start(
        request,
        started=f"{preset.name}: {preset.description}.",
        questions=questions,
        seconds_per_question=preset.seconds,
    )


@require_POST
@leads_back_to_running
def practise_due(request: MemberRequest) -> HttpResponse:
    """Due questions first, most overdue first, then today's new ones (spaced repetition)."""
    questions = draw_due(request.user, timezone.now())
    if not questions:
        messages.info(
            request,
            "Nothing is due now, and today's new questions are used up. Come back when the "
            "next ones are due, or start any interview.",
        )
        return redirect("progress:home")
    return _start(
        request,
        started="Practising what's due: the most overdue questions come first.",
        questions=questions,
        seconds_per_question=DUE_ROUND_SECONDS,
    )


@require_POST
@leads_back_to_running
def practise_topic(request: MemberRequest, slug: str) -> HttpResponse:
    """Five questions of one topic, unseen ones first (from the readiness table)."""
    topic = get_object_or_404(Topic, slug=slug)
    questions = draw_questions(request.user, [topic], "", TOPIC_ROUND_SIZE)
    if not questions:
        messages.error(request, f"{topic.name} has no questions in the bank at the moment.")
        return redirect("progress:progress")
    return _start(
        request,
        started=f"Practising {topic.name}.",
        questions=questions,
        seconds_per_question=DUE_ROUND_SECONDS,
        topics=[topic],
    )


@require_POST
def retake(request: MemberRequest, pk: int) -> HttpResponse:
    old = get_object_or_404(
        Interview.objects.for_user(request.user).finished().prefetch_related("topics"), pk=pk
    )
    if (back := _back_to_running(request)) is not None:
        return back
    questions = [a.question for a in old.answers.select_related("question").order_by("position")]
    return _start(
        request,
        started="A new interview with the same questions has started.",
        questions=questions,
        seconds_per_question=old.seconds_per_question,
        topics=list(old.topics.all()),
        difficulty=old.difficulty,
    )


# --- taking ------------------------------------------------------------------------------


def _between_context(interview: Interview, upcoming: Answer, notice: str = "") -> dict[str, Any]:
    """The between-questions screen: what happened to the answer that just closed, and how
    many are left. The upcoming question's prompt is not on it: its clock has not started."""
    return {
        "interview": interview,
        "upcoming": upcoming,
        "closed": interview.last_closed(),
        "remaining": interview.question_count - upcoming.position + 1,
        "done_count": upcoming.position - 1,
        "notice": notice,
    }


def _take_response(
    request: MemberRequest,
    interview: Interview,
    answer: Answer,
    now: datetime,
    *,
    notice: str = "",
    fragment: bool = False,
    status: int = 200,
) -> HttpResponse:
    """The take page for `answer`: its question, or, when it is not shown yet, the screen
    before it. `fragment` renders the panel alone (htmx swaps it in place)."""
    template = "interviews/take.html#panel" if fragment else "interviews/take.html"
    if answer.shown_at is None:
        context = _between_context(interview, answer, notice)
    else:
        context = _panel_context(interview, answer, now, notice)
    return render(request, template, context, status=status)


def _panel_context(
    interview: Interview, answer: Answer, now: datetime, notice: str = ""
) -> dict[str, Any]:
    return {
        "interview": interview,
        "answer": answer,
        "question": answer.question,
        "seconds_left": answer.seconds_left(now),
        "done_count": answer.position - 1,
        "notice": notice,
        "max_length": cast(CharField, AnswerTextForm.base_fields["text"]).max_length,
    }


def _next_step(
    request: MemberRequest,
    interview: Interview,
    answer: Answer | None,
    now: datetime,
    notice: str = "",
) -> HttpResponse:
    """After an answer closes: the next question's panel, or the review once all are done.

    `answer` is the next answer, already shown under the same lock as the write before it.
    """
    if answer is None:
        if notice:
            messages.warning(request, notice)
        messages.success(request, "Interview finished. Review your answers below.")
        return _redirect(request, interview.get_review_url())
    if not request.htmx:
        if notice:
            messages.warning(request, notice)
        return redirect(interview)
    return _take_response(request, interview, answer, now, notice=notice, fragment=True)


_draft_row = RowByKey(Answer, ["text", "saved_at"])


def _open_answer(request: MemberRequest, pk: int) -> Answer | None:
    """The interview's first answer not yet closed, with its interview, question and topic, if
    the interview is this user's and in progress.

    Which answer that is, and all of it but the draft, changes only with a change that counts
    in the user's practice_version (shown, closed, finished), so it is kept in the cache under
    that count; the draft's text and time, which autosave writes without counting, are read
    fresh: one query by primary key instead of a four-table join on every visit."""
    user = request.user

    def find() -> Answer | None:
        return (
            Answer.objects.select_related("interview", "question__topic")
            .filter(
                interview_id=pk,
                interview__user=user,
                interview__status=Interview.Status.IN_PROGRESS,
                closed_at__isnull=True,
            )
            .order_by("position")
            .first()
        )

    key = "open-answer:" + ":".join(map(str, (*practice_key(user), pk)))
    answer = cached(key, find, 60 * 60)
    if answer is None or answer.shown_at is None:  # not shown: nothing can have written a draft
        return answer
    draft = _draft_row.values(answer.pk)
    if draft is None:  # deleted meanwhile
        return None
    answer.text, answer.saved_at = draft
    return answer


def _take_at_once(request: MemberRequest, pk: int, now: datetime) -> HttpResponse | None:
    """The take page without a write, when nothing needs writing: the question on screen,
    still within its time, or the screen before the next one. None when the interview must
    move first (a clock ran out, the first question is still to be shown, it is finished, it
    is not this user's): the caller then takes the lock and moves it."""
    answer = _open_answer(request, pk)
    if answer is None or answer.is_past_grace(now):
        return None
    if answer.shown_at is None and answer.position == 1:
        return None
    return _kept_take_page(request, answer, now)


# Stand-ins in a kept take page for what changes while its question is on screen: the seconds
# left (no clock runs this long), the draft and its "Saved at" line, which autosave writes
# without counting a practice change.
SECONDS_STAND_IN = 987_654_321
DRAFT_STAND_IN = "draft-of-this-answer-5e0c91"
SAVE_STATUS_STAND_IN = "save-status-of-this-answer-5e0c91"


def _kept_take_page(request: MemberRequest, answer: Answer, now: datetime) -> HttpResponse:
    """The take page as `_take_response` makes it, kept (`core.caching.kept_page`) under the
    user's practice count, which every move of the interview changes. Each response puts in
    this moment's seconds left and the draft as last saved."""
    interview, draft, seconds = answer.interview, answer.text, answer.seconds_left(now)
    fresh: dict[str, str] = {}
    if answer.shown_at is not None:
        fresh[DRAFT_STAND_IN] = escape(draft)
        fresh[SAVE_STATUS_STAND_IN] = render_to_string(
            "interviews/take.html#save-status", {"answer": answer}
        )
        if seconds is not None:
            fresh[f'data-seconds-left="{SECONDS_STAND_IN}"'] = f'data-seconds-left="{seconds}"'
            fresh[clock(SECONDS_STAND_IN)] = clock(seconds)

    def render_page(extra: dict[str, Any]) -> HttpResponse:
        if answer.shown_at is None:
            context = _between_context(interview, answer)
        else:
            answer.text = DRAFT_STAND_IN
            context = _panel_context(interview, answer, now) | {"save_status": SAVE_STATUS_STAND_IN}
            if seconds is not None:
                context["seconds_left"] = SECONDS_STAND_IN
        return render(request, "interviews/take.html", context | extra)

    key = ("take", interview.pk, answer.pk, bool(request.htmx))
    return kept_page(request, key, render_page, fresh=fresh)


@never_cache
@require_GET
def take(request: MemberRequest, pk: int) -> HttpResponse:
    quick = _take_at_once(request, pk, timezone.now())
    if quick is not None:
        return quick
    with transaction.atomic():
        interview = _owned_interview(request, pk, lock=True)
        if interview.is_finished:
            return redirect(interview.get_review_url())
        now = timezone.now()
        answer = interview.advance(now)
    if answer is None:
        messages.info(request, "Every question is answered. Here is your review.")
        return redirect(interview.get_review_url())
    return _take_response(request, interview, answer, now)


@require_POST
def start_next(request: MemberRequest, pk: int) -> HttpResponse:
    """ "Start question n" on the between-questions screen: the next clock starts now."""
    with transaction.atomic():
        interview = _owned_interview(request, pk, lock=True)
        now = timezone.now()
        answer = interview.show_next(now)
    if answer is None:
        messages.info(request, "Every question is answered. Here is your review.")
        return _redirect(request, interview.get_review_url())
    if not request.htmx:
        return redirect(interview)
    return _take_response(request, interview, answer, now, fragment=True)


class Refused(Exception):
    """A request the rules refuse, with the message for the candidate and its status code.

    Views raise it (inside their transaction, so nothing is written) and `@answers_refusals`
    turns it into the one response that fits where the request came from."""

    def __init__(self, message: str, status: int = 409, *, answer: Answer | None = None) -> None:
        super().__init__(message)
        self.message, self.status, self.answer = message, status, answer


def answers_refusals[**P](
    page: str,
) -> Callable[
    [Callable[Concatenate[MemberRequest, P], HttpResponseBase]],
    Callable[Concatenate[MemberRequest, P], HttpResponseBase],
]:
    """Catch Refused: in place for htmx (the take page's save status, or the review card),
    otherwise a page that says what happened, with the status code."""

    def decorator(
        view: Callable[Concatenate[MemberRequest, P], HttpResponseBase],
    ) -> Callable[Concatenate[MemberRequest, P], HttpResponseBase]:
        @wraps(view)
        def wrapped(request: MemberRequest, *args: P.args, **kwargs: P.kwargs) -> HttpResponseBase:
            try:
                return view(request, *args, **kwargs)
            except Refused as refusal:
                return _refusal_response(request, refusal, page)

        return wrapped

    return decorator


def _refusal_response(request: MemberRequest, refusal: Refused, page: str) -> HttpResponse:
    if request.htmx and page == "take":
        context: dict[str, Any] = {"answer": refusal.answer, "error": refusal.message}
        return render(request, "interviews/take.html#save-status", context, status=refusal.status)
    if request.htmx and page == "review" and refusal.answer is not None:
        return _review_item(request, refusal.answer, refusal.status, refusal.message)
    interview = refusal.answer.interview if refusal.answer else None
    context = {"interview": interview, "message": refusal.message}
    return render(request, "interviews/refused.html", context, status=refusal.status)


def _save_draft_at_once(
    request: MemberRequest, pk: int, answer_pk: int, form: AnswerTextForm, now: datetime
) -> bool:
    """Autosave's common case in one UPDATE, without locking the interview, written only if
    every rule allows it (`AnswerQuerySet.save_draft_if_writable`). False when the input is
    bad or a rule refused it; the caller then finds out which, under the lock, as before."""
    if _missing_text(request) or not form.is_valid():
        return False
    text = form.cleaned_data["text"]
    return Answer.objects.save_draft_if_writable(answer_pk, pk, request.user, text, now)


def _draft_saved(request: MemberRequest, pk: int, answer_pk: int, now: datetime) -> HttpResponse:
    """What a successful autosave answers, from what it wrote: no need to read the row back."""
    if not request.htmx:
        return redirect("interviews:take", pk)
    saved = Answer(pk=answer_pk, interview_id=pk, saved_at=now)
    return render(request, "interviews/take.html#save-status", {"answer": saved})


@require_POST
@answers_refusals("take")
def autosave(request: MemberRequest, pk: int, answer_pk: int) -> HttpResponse:
    form, now = AnswerTextForm(request.POST), timezone.now()
    if _save_draft_at_once(request, pk, answer_pk, form, now):
        return _draft_saved(request, pk, answer_pk, now)
    with transaction.atomic():
        answer = _owned_answer(request, pk, answer_pk, lock=True)
        if _missing_text(request):
            raise Refused(MISSING_TEXT, 400, answer=answer)
        if not form.is_valid():
            # django-stubs types ErrorList[i] ValidationError | str; Django returns the message.
            raise Refused(form.errors["text"][0], 400, answer=answer)  # type: ignore[arg-type]
        try:
            answer.save_draft(form.cleaned_data["text"], now)
        except TooLate as refusal:
            messages.warning(request, str(refusal))
            return HttpResponseClientRefresh() if request.htmx else redirect(answer.interview)
        except InterviewError as refusal:
            raise Refused(str(refusal), 409, answer=answer) from None
    if not request.htmx:
        return redirect(answer.interview)
    return render(request, "interviews/take.html#save-status", {"answer": answer})


@require_POST
@answers_refusals("take")
def submit(request: MemberRequest, pk: int, answer_pk: int) -> HttpResponse:
    return _close_answer(request, pk, answer_pk, "submit")


@require_POST
@answers_refusals("take")
def skip(request: MemberRequest, pk: int, answer_pk: int) -> HttpResponse:
    return _close_answer(request, pk, answer_pk, "skip")


def _close_answer(request: MemberRequest, pk: int, answer_pk: int, action: str) -> HttpResponse:
    form, now = AnswerTextForm(request.POST), timezone.now()
    notice = ""
    with transaction.atomic():
        answer = _owned_answer(request, pk, answer_pk, lock=True)
        if _missing_text(request):
            raise Refused(MISSING_TEXT, 400, answer=answer)
        interview = answer.interview
        if not form.is_valid():
            # django-stubs types ErrorList[i] ValidationError | str; Django returns the message.
            context = _panel_context(interview, answer, now, form.errors["text"][0])  # type: ignore[arg-type]
            context["draft"] = request.POST.get("text", "")[: context["max_length"]]
            template = "interviews/take.html#panel" if request.htmx else "interviews/take.html"
            return render(request, template, context, status=400)
        text = form.cleaned_data["text"]
        try:
            if action == "submit":
                answer.submit(text, now)
            else:
                answer.skip(text, now)
        except (NotShown, AnswerClosed) as refusal:
            if answer.closed_at is None:
                # Not on screen yet: posting to a later answer's id is refused outright.
                raise Refused(str(refusal), 409, answer=answer) from None
            # Closed already (a double submit, another tab, a retry): nothing is lost, the
            # candidate simply moves on with what was saved.
            notice = str(refusal)
        except TooLate as refusal:
            notice = str(refusal)
        # The next question is chosen, and its clock started, under the same lock.
        next_answer = interview.advance(now)
    return _next_step(request, interview, next_answer, now, notice)


@require_POST
def end_interview(request: MemberRequest, pk: int) -> HttpResponse:
    form = AnswerTextForm(request.POST)
    notice = ""
    with transaction.atomic():
        interview = _owned_interview(request, pk, lock=True)
        now = timezone.now()
        current = (
            interview.answers.select_for_update(of=("self",))
            .filter(closed_at__isnull=True, shown_at__isnull=False)
            .first()
        )
        if current and form.is_valid() and not _missing_text(request):
            try:
                current.save_draft(form.cleaned_data["text"], now)
            except InterviewError as refusal:
                # Too late to change it: the last text saved in time stands (late text is kept).
                notice = str(refusal)
        interview.finish(now)
    if notice:
        messages.warning(request, notice)
    messages.success(request, "Interview ended. Questions you did not reach are marked skipped.")
    return _redirect(request, interview.get_review_url())


# --- reviewing ---------------------------------------------------------------------------


def _load_review_answers(interview: Interview) -> list[Answer]:
    """Prefetch everything the review shows onto `interview.answers`; return the answers."""
    # Key points: an unanswered answer shows the question's reference (nothing to snapshot).
    answers = (
        Answer.objects.select_related("question__topic")
        .prefetch_related("question__key_points")
        .order_by("position")
    )
    prefetch_related_objects([interview], Prefetch("answers", queryset=answers))
    return list(interview.answers.all())


def _review_context(request: MemberRequest, interview: Interview) -> dict[str, Any]:
    return {
        "interview": interview,
        "summary": interview.summary(),
        # Another interview in progress pauses every reference, in this review too.
        "paused_by": request.references.paused_by,
        # The radio groups render from the forms' own choices.
        "scale_choices": SCALE_CHOICES,
    }


@never_cache
@require_GET
def review(request: MemberRequest, pk: int) -> HttpResponse:
    with transaction.atomic():
        interview = _owned_interview(request, pk, lock=True)
        if not interview.is_finished:
            # Looking at the review must not start the next question's clock.
            interview.finish_if_done(timezone.now())
    if not interview.is_finished:
        messages.info(request, "Finish the interview to see the reference answers.")
        return redirect(interview)
    answers = _load_review_answers(interview)
    context = _review_context(request, interview) | {"answers": answers}
    return render(request, "interviews/review.html", context)


def _review_item(
    request: MemberRequest, answer: Answer, status: int = 200, error: str = ""
) -> HttpResponse:
    """The answer's review card (and the summary, out of band), or back to the page."""
    interview = answer.interview
    if not request.htmx:  # refusals without htmx get their own page (_refusal_response)
        return redirect(f"{interview.get_review_url()}#answer-{answer.position}")
    answers = _load_review_answers(interview)
    context = _review_context(request, interview) | {
        "answer": next(a for a in answers if a.pk == answer.pk),
        "error": error,
        "oob_summary": True,
    }
    response = render(request, "interviews/review.html#review-item", context, status=status)
    # The checklist's form swaps nothing on success; a refusal replaces the card to say why.
    response["HX-Retarget"] = f"#answer-{answer.position}"
    response["HX-Reswap"] = "outerHTML"
    return response


def _review_saved(request: MemberRequest, answer: Answer) -> HttpResponse:
    """After a tick: the answer's score and the summary, out of band; the card stays as it is,
    so focus stays on the checkbox. Without htmx, back to the review at this answer."""
    interview = answer.interview
    if not request.htmx:
        return redirect(f"{interview.get_review_url()}#answer-{answer.position}")
    _load_review_answers(interview)
    context = _review_context(request, interview) | {"answer": answer}
    return render(request, "interviews/review.html#review-saved", context)


PAUSED = (
    "Reference answers are paused while you have an interview in progress. "
    "Finish or end it, then come back to this review."
)


def _reviewable_answer(request: MemberRequest, pk: int, answer_pk: int) -> Answer:
    """The answer of a finished interview of the user's, locked (interview first): 404 for
    anyone else's, refused while this interview or another one is running."""
    answer = _owned_answer(request, pk, answer_pk, lock=True)
    if not answer.interview.is_finished:
        raise Refused("Finish the interview first.", 409)
    if request.references.paused:
        raise Refused(PAUSED, 409, answer=answer)
    return answer


@require_POST
@answers_refusals("review")
def reveal(request: MemberRequest, pk: int, answer_pk: int) -> HttpResponse:
    form, now = RevealForm(request.POST), timezone.now()
    with transaction.atomic():
        answer = _reviewable_answer(request, pk, answer_pk)
        if not form.is_valid():
            # django-stubs types ErrorList[i] ValidationError | str; Django returns the message.
            raise Refused(form.errors["confidence"][0], 400, answer=answer)  # type: ignore[arg-type]
        try:
            answer.reveal(form.cleaned_data["confidence"], now)
        except InterviewError as error:
            raise Refused(str(error), 409, answer=answer) from None
    return _review_item(request, answer)


@require_POST
@answers_refusals("review")
def record_review(request: MemberRequest, pk: int, answer_pk: int) -> HttpResponse:
    now = timezone.now()
    with transaction.atomic():
        answer = _reviewable_answer(request, pk, answer_pk)
        if answer.is_unanswered:
            raise Refused("Nothing was answered here, so there is nothing to tick.", answer=answer)
        count = len((answer.reference or {}).get("key_points", []))
        form = ReviewForm(request.POST, key_point_count=count)
        if not form.is_valid():
            # django-stubs types ErrorList[i] ValidationError | str; Django returns the message.
            raise Refused(next(iter(form.errors.values()))[0], 400, answer=answer)  # type: ignore[arg-type]
        try:
            answer.record_review(
                form.cleaned_data["covered"],
                form.cleaned_data["self_rating"],
                form.cleaned_data["notes"],
                now,
            )
        except InterviewError as error:
            raise Refused(str(error), 409, answer=answer) from None
    return _review_saved(request, answer)
