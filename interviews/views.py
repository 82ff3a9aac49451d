from contextlib import suppress

from django.contrib import messages
from django.db import transaction
from django.db.models import Prefetch, prefetch_related_objects
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect, HttpResponseClientRefresh

from questions.models import Question

from .drawing import draw_questions, matching_questions
from .forms import AnswerTextForm, NewInterviewForm, RevealForm, ReviewForm
from .models import MAX_QUESTIONS, Answer, Interview, InterviewError, TooLate


def _owned_interview(request, pk, *, lock=False):
    interviews = Interview.objects.for_user(request.user)
    if lock:
        interviews = interviews.select_for_update()
    return get_object_or_404(interviews, pk=pk)


def _owned_answer(request, pk, answer_pk):
    """The answer, locked for this transaction, or 404 for anyone but its owner."""
    return get_object_or_404(
        Answer.objects.select_for_update().select_related("interview", "question__topic"),
        pk=answer_pk,
        interview_id=pk,
        interview__user=request.user,
    )


def _redirect(request, url):
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


# --- starting ----------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def new_interview(request):
    form = NewInterviewForm(request.POST if request.method == "POST" else None)
    shortfall = None
    if request.method == "POST":
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
            questions = draw_questions(request.user, topics, difficulty, wanted)
            interview = Interview.objects.start(
                user=request.user,
                questions=questions,
                seconds_per_question=form.cleaned_data["time_limit"],
                topics=topics,
                difficulty=difficulty,
                now=timezone.now(),
            )
            return redirect(interview)
    context = {
        "form": form,
        "shortfall": shortfall,
        "in_progress": Interview.objects.for_user(request.user).in_progress().first(),
    }
    return render(request, "interviews/new.html", context)


@require_POST
def practise_question(request, slug):
    question = get_object_or_404(Question, slug=slug)
    interview = Interview.objects.start(
        user=request.user,
        questions=[question],
        seconds_per_question=question.suggested_minutes * 60,
        topics=[question.topic],
        now=timezone.now(),
    )
    return redirect(interview)


@require_POST
def practise_questions(request):
    """A new interview over the posted questions (e.g. "practise my weakest"), in that order."""
    slugs = list(dict.fromkeys(request.POST.getlist("question")))[:MAX_QUESTIONS]
    by_slug = Question.objects.in_bulk(slugs, field_name="slug")
    questions = [by_slug[slug] for slug in slugs if slug in by_slug]
    if not questions:
        messages.error(request, "Choose at least one question to practise.")
        return redirect("progress:progress")
    interview = Interview.objects.start(
        user=request.user,
        questions=questions,
        seconds_per_question=180,
        now=timezone.now(),
    )
    return redirect(interview)


@require_POST
def retake(request, pk):
    old = get_object_or_404(
        Interview.objects.for_user(request.user).finished().prefetch_related("topics"), pk=pk
    )
    questions = [a.question for a in old.answers.select_related("question").order_by("position")]
    interview = Interview.objects.start(
        user=request.user,
        questions=questions,
        seconds_per_question=old.seconds_per_question,
        topics=list(old.topics.all()),
        difficulty=old.difficulty,
        now=timezone.now(),
    )
    messages.success(request, "A new interview with the same questions has started.")
    return redirect(interview)


# --- taking ------------------------------------------------------------------------------


def _panel_context(interview, answer, now, notice=""):
    return {
        "interview": interview,
        "answer": answer,
        "question": answer.question,
        "seconds_left": answer.seconds_left(now),
        "done_count": answer.position - 1,
        "notice": notice,
        "max_length": AnswerTextForm.base_fields["text"].max_length,
    }


def _next_step(request, interview, notice=""):
    """After an answer closes: the next question's panel, or the review once all are done."""
    now = timezone.now()
    answer = interview.current_answer(now)
    if answer is None:
        if notice:
            messages.warning(request, notice)
        messages.success(request, "Interview finished. Review your answers below.")
        return _redirect(request, interview.get_review_url())
    if not request.htmx:
        if notice:
            messages.warning(request, notice)
        return redirect(interview)
    return render(
        request, "interviews/take.html#panel", _panel_context(interview, answer, now, notice)
    )


@require_GET
def take(request, pk):
    with transaction.atomic():
        interview = _owned_interview(request, pk, lock=True)
        if interview.is_finished:
            return redirect(interview.get_review_url())
        now = timezone.now()
        answer = interview.current_answer(now)
    if answer is None:
        messages.info(request, "Every question is answered. Here is your review.")
        return redirect(interview.get_review_url())
    return render(request, "interviews/take.html", _panel_context(interview, answer, now))


def _status(request, answer, message, status):
    context = {"answer": answer, "error": message}
    return render(request, "interviews/take.html#save-status", context, status=status)


@require_POST
def autosave(request, pk, answer_pk):
    form = AnswerTextForm(request.POST)
    with transaction.atomic():
        answer = _owned_answer(request, pk, answer_pk)
        if not form.is_valid():
            return _status(request, answer, form.errors["text"][0], 400)
        try:
            answer.save_draft(form.cleaned_data["text"], timezone.now())
        except TooLate as refusal:
            messages.warning(request, str(refusal))
            return HttpResponseClientRefresh() if request.htmx else redirect(answer.interview)
        except InterviewError as refusal:
            return _status(request, answer, str(refusal), 409)
    if not request.htmx:
        return redirect(answer.interview)
    return render(request, "interviews/take.html#save-status", {"answer": answer})


@require_POST
def submit(request, pk, answer_pk):
    return _close_answer(request, pk, answer_pk, "submit")


@require_POST
def skip(request, pk, answer_pk):
    return _close_answer(request, pk, answer_pk, "skip")


def _close_answer(request, pk, answer_pk, action):
    form = AnswerTextForm(request.POST)
    notice = ""
    with transaction.atomic():
        answer = _owned_answer(request, pk, answer_pk)
        if not form.is_valid():
            now = timezone.now()
            context = _panel_context(answer.interview, answer, now, form.errors["text"][0])
            context["draft"] = request.POST.get("text", "")[: context["max_length"]]
            template = "interviews/take.html#panel" if request.htmx else "interviews/take.html"
            return render(request, template, context, status=400)
        text, now = form.cleaned_data["text"], timezone.now()
        try:
            if action == "submit":
                answer.submit(text, now, timed_out=form.cleaned_data["timed_out"])
            else:
                answer.skip(text, now)
        except InterviewError as refusal:
            # Closed already (a double submit, another tab) or too late: nothing is lost,
            # the candidate simply moves on with what was saved in time.
            notice = str(refusal)
    return _next_step(request, answer.interview, notice)


@require_POST
def end_interview(request, pk):
    form = AnswerTextForm(request.POST)
    with transaction.atomic():
        interview = _owned_interview(request, pk, lock=True)
        now = timezone.now()
        current = interview.answers.filter(closed_at__isnull=True, shown_at__isnull=False).first()
        if current and form.is_valid() and "text" in request.POST:
            # Too late to change it? Then the last text saved in time stands.
            with suppress(InterviewError):
                current.save_draft(form.cleaned_data["text"], now)
        interview.finish(now)
    messages.success(request, "Interview ended. Questions you did not reach are marked skipped.")
    return _redirect(request, interview.get_review_url())


# --- reviewing ---------------------------------------------------------------------------


def _load_review_answers(interview):
    """Prefetch everything the review shows onto `interview.answers`; return the answers."""
    answers = Answer.objects.select_related("question__topic").prefetch_related(
        "question__key_points", "covered_key_points"
    )
    prefetch_related_objects([interview], Prefetch("answers", queryset=answers))
    return list(interview.answers.all())


@require_GET
def review(request, pk):
    interview = _owned_interview(request, pk)
    if not interview.is_finished:
        with transaction.atomic():
            # Looking at the review must not start the next question's clock.
            interview.finish_if_done(timezone.now())
        if not interview.is_finished:
            messages.info(request, "Finish the interview to see the reference answers.")
            return redirect(interview)
    answers = _load_review_answers(interview)
    return render(
        request,
        "interviews/review.html",
        {"interview": interview, "answers": answers, "summary": interview.summary()},
    )


def _review_item(request, answer, status=200, error=""):
    """The answer's review card (and the summary, out of band), or back to the page."""
    interview = answer.interview
    if not request.htmx:
        if error:
            messages.error(request, error)
        return redirect(f"{interview.get_review_url()}#answer-{answer.position}")
    answers = _load_review_answers(interview)
    context = {
        "interview": interview,
        "answer": next(a for a in answers if a.pk == answer.pk),
        "summary": interview.summary(),
        "error": error,
        "oob_summary": True,
    }
    return render(request, "interviews/review.html#review-item", context, status=status)


def _finished_answer(request, pk, answer_pk):
    answer = get_object_or_404(
        Answer.objects.select_related("interview"),
        pk=answer_pk,
        interview_id=pk,
        interview__user=request.user,
    )
    if not answer.interview.is_finished:
        return answer, HttpResponse("Finish the interview first.", status=409)
    return answer, None


@require_POST
def reveal(request, pk, answer_pk):
    answer, refusal = _finished_answer(request, pk, answer_pk)
    if refusal:
        return refusal
    form = RevealForm(request.POST)
    if not form.is_valid():
        return _review_item(request, answer, 400, form.errors["confidence"][0])
    answer.reveal(form.cleaned_data["confidence"], timezone.now())
    return _review_item(request, answer)


@require_POST
def record_review(request, pk, answer_pk):
    answer, refusal = _finished_answer(request, pk, answer_pk)
    if refusal:
        return refusal
    key_points = list(answer.question.key_points.all())
    form = ReviewForm(request.POST, key_points=key_points)
    if not form.is_valid():
        first_error = next(iter(form.errors.values()))[0]
        return _review_item(request, answer, 400, first_error)
    try:
        answer.record_review(
            form.cleaned_data["covered"],
            form.cleaned_data["self_rating"],
            form.cleaned_data["notes"],
        )
    except InterviewError as error:
        return _review_item(request, answer, 409, str(error))
    return _review_item(request, answer)
