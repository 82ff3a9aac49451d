import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from interviews.models import Answer, Interview
from questions.bank import load_bank
from questions.models import Question
from tests.browser.locators import answer_box

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SECONDS = 12  # over 10, so the 10-seconds-left announcement is made


def countdown_seconds(page):
    minutes, seconds = page.locator(".countdown-value").inner_text().split(":")
    return int(minutes) * 60 + int(seconds)


def test_a_whole_timed_interview_then_the_review(
    page, live_server, signed_up, assert_accessible, shoot, is_phone
):
    load_bank()
    user = signed_up()

    # The form a new user fills in.
    page.goto(live_server.url + "/interviews/new/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Start a mock interview")
    # As the choices change, the form says how many questions match and the time it takes.
    summary = page.locator("#interview-summary")
    expect(summary).to_contain_text("questions match")
    expect(summary).to_contain_text("15 minutes")  # 5 questions x 3 minutes
    page.get_by_label("Regularization & generalization").check()
    page.get_by_label("Advanced").check()
    expect(summary).to_contain_text(re.compile(r"^\d+ questions? match"))
    page.get_by_label("Any").check()
    page.get_by_label("Number of questions").fill("2")
    page.get_by_label("1 minute").check()
    expect(summary).to_contain_text("2 minutes in all")
    assert page.get_by_label("Number of questions").bounding_box()["width"] < 120
    assert page.get_by_label("Advanced").bounding_box()["height"] >= 16
    assert_accessible(page)
    shoot(page, "interview-new")

    # A very short limit is set directly: three questions, SECONDS each.
    questions = list(Question.objects.filter(topic__slug="regularization").order_by("position")[:3])
    interview = Interview.objects.start(
        user=user, questions=questions, seconds_per_question=SECONDS, now=timezone.now()
    )
    page.goto(live_server.url + interview.get_absolute_url())
    expect(page.get_by_text("Question 1 of 3")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text(questions[0].prompt)
    # The answer box is described by the question, so a screen reader reads it on focus.
    expect(answer_box(page)).to_have_accessible_description(
        re.compile(re.escape(questions[0].prompt))
    )
    if is_phone:
        expect(page.locator("#answer-help")).to_be_hidden()
    else:
        expect(page.locator("#answer-help")).to_be_visible()
    # The deadline is in the browser's time zone, like the "Saved" time; no server zone name.
    page.locator("#interview-panel[data-ready]").wait_for()
    deadline = page.locator(".deadline time")
    local = deadline.evaluate("t => new Date(t.getAttribute('datetime')).toLocaleTimeString()")
    expect(deadline).to_have_text(local)
    expect(page.locator(".deadline-zone")).to_have_count(0)
    # "End interview": a confirmation with a Cancel, and the buttons beside it do not move.
    submit_box = page.get_by_role("button", name="Submit and continue").bounding_box()
    page.get_by_text("End interview…").click()
    expect(page.get_by_role("button", name="Yes, end the interview")).to_be_visible()
    assert page.get_by_role("button", name="Submit and continue").bounding_box() == submit_box
    assert_accessible(page)
    shoot(page, "interview-end-confirm")
    page.get_by_role("link", name="Cancel").click()
    expect(page.get_by_role("button", name="Yes, end the interview")).to_be_hidden()
    assert_accessible(page)
    shoot(page, "interview-take")

    # Type, wait for the autosave, reload: same text, clock not reset.
    box = answer_box(page)
    box.fill("Overfitting: low training error, high validation error.")
    expect(page.locator("#save-status")).to_contain_text("Saved")
    before = countdown_seconds(page)
    page.reload()
    expect(answer_box(page)).to_have_value(
        "Overfitting: low training error, high validation error."
    )
    assert countdown_seconds(page) <= before
    shoot(page, "interview-take-reloaded")  # the kept page, with this draft and clock
    answer_box(page).press("Control+Enter")

    # Between questions: what happened, what is left; the next clock waits for the button.
    expect(page.get_by_role("heading", level=1)).to_have_text("Question 2 is next")
    expect(page.get_by_text("Question 1: submitted at")).to_be_visible()
    expect(page.get_by_role("button", name="Start question 2")).to_be_focused()
    assert interview.answers.get(position=2).shown_at is None
    assert_accessible(page)
    page.get_by_role("button", name="Start question 2").click()

    # Question 2: type, then let its clock run out; the page submits by itself.
    expect(page.get_by_text("Question 2 of 3")).to_be_visible()
    page.locator("#interview-panel[data-ready]").wait_for()
    answer_box(page).fill("Started typing and ran out of time")
    expect(page.locator("#save-status")).to_contain_text("Saved")
    if is_phone:
        # The clock stays in view while the page scrolls.
        page.mouse.wheel(0, 600)
        expect(page.locator("#countdown")).to_be_in_viewport()
    # Announced politely, once, as the clock passes it; routine saves are not announced.
    expect(page.locator("#announcer")).to_have_text("10 seconds left")
    expect(page.get_by_text("Timed out: your text as saved at")).to_be_visible(
        timeout=(SECONDS + 5) * 1000
    )
    shoot(page, "interview-between")
    page.get_by_role("button", name="Start question 3").click()
    expect(page.get_by_text("Question 3 of 3")).to_be_visible()
    second = interview.answers.get(position=2)
    assert second.outcome == Answer.Outcome.TIMED_OUT
    assert second.text == "Started typing and ran out of time"

    # Question 3: skip, which ends the interview and opens the review.
    page.get_by_role("button", name="Skip").click()
    expect(page).to_have_url(re.compile(rf"/interviews/{interview.pk}/review/$"))
    expect(page.get_by_text("Interview finished")).to_be_visible()
    assert_accessible(page)

    # Reveal the first answer's reference after giving a confidence, tick two key points.
    first = page.locator("#answer-1")
    expect(first.get_by_text("Overfitting: low training error")).to_be_visible()
    first.get_by_label("4", exact=True).check()
    first.get_by_role("button", name="Reveal the reference answer").click()
    first = page.locator("#answer-1")
    expect(first.get_by_text("Reference answer", exact=True)).to_be_visible()
    checkboxes = first.get_by_role("checkbox")
    total = checkboxes.count()
    checkboxes.nth(0).check()
    expect(page.locator("#answer-1 .score-pill")).to_have_text(f"Score {round(100 / total)}%")
    page.locator("#answer-1").get_by_role("checkbox").nth(1).check()
    expect(page.locator("#answer-1 .score-pill")).to_have_text(f"Score {round(200 / total)}%")
    expect(page.locator("#review-summary")).to_contain_text("score")
    assert_accessible(page)
    shoot(page, "interview-review")
    assert interview.answers.get(position=1).score == pytest.approx(2 / total)


def test_references_are_paused_everywhere_while_an_interview_runs(
    page, live_server, signed_up, assert_accessible, shoot
):
    """A candidate mid-interview wanders to the bank: every reference is paused, search looks
    at prompts only, practise leads back, and finishing brings the references back."""
    load_bank()
    user = signed_up("grace")
    question = Question.objects.get(slug="dropout")
    interview = Interview.objects.start(
        user=user, questions=[question], seconds_per_question=300, now=timezone.now()
    )
    page.goto(live_server.url + interview.get_absolute_url())
    expect(page.get_by_role("heading", level=1)).to_have_text(question.prompt)

    other = Question.objects.get(slug="kv-cache-sizing")
    for slug in (question.slug, other.slug):
        page.goto(live_server.url + f"/questions/{slug}/")
        expect(page.get_by_role("heading", name="Reference answers are paused")).to_be_visible()
        expect(page.get_by_role("heading", name="Reference answer", exact=True)).to_have_count(0)
    assert_accessible(page)
    shoot(page, "references-paused")

    # Practise from the bank takes the candidate back to the running interview.
    page.get_by_role("button", name="Practise this question").click()
    expect(page).to_have_url(re.compile(rf"/interviews/{interview.pk}/$"))
    expect(page.get_by_text("You have an interview in progress")).to_be_visible()

    answer_box(page).fill("Dropout zeroes units at random while training.")
    page.get_by_role("button", name="Submit and continue").click()
    expect(page).to_have_url(re.compile(rf"/interviews/{interview.pk}/review/$"))
    page.goto(live_server.url + f"/questions/{other.slug}/")
    page.get_by_text("Think first, then show the answer").click()
    expect(page.get_by_role("heading", name="Reference answer", exact=True)).to_be_visible()
    expect(page.locator("math").first).to_be_visible()  # formulas arrive as MathML
    assert_accessible(page)
