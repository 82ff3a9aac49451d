"""Sign up, a quick round with one timeout, the screen between questions, the review laid out
for reading, and the next day: the home page says what is due and practises it."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone
from playwright.sync_api import expect

from interviews.models import Answer, Interview
from questions.bank import load_bank
from tests.browser.locators import answer_box

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_quick_round_timeout_review_then_what_is_due_the_next_day(
    page, live_server, signed_up, assert_accessible, shoot, is_phone
):
    load_bank()
    user = signed_up()
    page.goto(live_server.url + "/")
    expect(page.get_by_role("heading", level=1)).to_have_text("What to practise next")
    assert_accessible(page)
    shoot(page, "home-new-user")

    # One click starts the quick round: three questions, two minutes each.
    page.get_by_role("button", name=re.compile("Quick round")).click()
    expect(page.get_by_text("Question 1 of 3")).to_be_visible()
    interview = Interview.objects.get(user=user)
    assert (interview.question_count, interview.seconds_per_question) == (3, 120)
    page.locator("#interview-panel[data-ready]").wait_for()
    answer_box(page).fill("It trades bias for variance; I would show both curves.")
    page.get_by_role("button", name="Submit and continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Question 2 is next")
    page.get_by_role("button", name="Start question 2").click()
    expect(page.get_by_text("Question 2 of 3")).to_be_visible()
    page.locator("#interview-panel[data-ready]").wait_for()
    answer_box(page).fill("A first thought, then time ran out")
    expect(page.locator("#save-status")).to_contain_text("Saved")

    # The candidate walks away; the clock runs out on the server while they are gone.
    second = interview.answers.get(position=2)
    with time_machine.travel(second.deadline + timedelta(minutes=2), tick=True):
        page.reload()
        expect(page.get_by_role("heading", level=1)).to_have_text("Question 3 is next")
        saved = timezone.localtime(Answer.objects.get(pk=second.pk).saved_at)
        expect(page.locator(".between-outcome")).to_contain_text(
            f"Timed out: your text as saved at {saved:%H:%M:%S} is kept."
        )
        expect(page.get_by_text("1 question left")).to_be_visible()
        # The next prompt is not on the screen; its clock has not started.
        third = interview.answers.get(position=3)
        expect(page.get_by_text(third.question.prompt)).to_have_count(0)
        assert third.shown_at is None
        assert_accessible(page)
        shoot(page, "between-questions")
        page.get_by_role("button", name="Start question 3").click()
        expect(page.get_by_text("Question 3 of 3")).to_be_visible()
        page.locator("#interview-panel[data-ready]").wait_for()
        page.get_by_role("button", name="Skip").click()  # blank: not answered
        expect(page).to_have_url(re.compile(rf"/interviews/{interview.pk}/review/$"))

        # The review: nothing reviewed yet; the blank one needs no confidence or ticks.
        expect(page.locator("#review-summary")).to_contain_text("Not reviewed yet")
        expect(page.locator("#answer-3")).to_contain_text("Nothing was typed")
        expect(page.locator("#answer-3").get_by_role("checkbox")).to_have_count(0)
        first = page.locator("#answer-1")
        first.get_by_label("4", exact=True).check()
        first.get_by_role("button", name="Reveal the reference answer").click()
        first = page.locator("#answer-1")
        yours = first.get_by_role("heading", name="Your answer", exact=True)
        reference = first.get_by_role("heading", name="Reference answer", exact=True)
        expect(reference).to_be_visible()
        yours_box, reference_box = yours.bounding_box(), reference.bounding_box()
        if is_phone:  # stacked
            assert reference_box["y"] > yours_box["y"] + 20
        else:  # side by side
            assert abs(reference_box["y"] - yours_box["y"]) < 5
            assert reference_box["x"] > yours_box["x"] + 200
        checkbox = first.get_by_role("checkbox").first
        checkbox.check()
        expect(page.locator("#answer-1-score")).to_contain_text("Score")
        expect(page.locator("#review-summary")).not_to_contain_text("Not reviewed yet")
        # The card was not replaced: the ticked checkbox still has the focus.
        expect(checkbox).to_be_focused()
        page.keyboard.press("Tab")
        expect(first.get_by_role("checkbox").nth(1)).to_be_focused()
        assert_accessible(page)
        shoot(page, "review-side-by-side")

    # The next day, the home page says what is due and practises it.
    with time_machine.travel(timezone.now() + timedelta(days=1, hours=1), tick=True):
        page.goto(live_server.url + "/")
        heading = page.get_by_role("heading", name=re.compile(r"\d+ questions? due"))
        expect(heading).to_be_visible()
        due = int(re.match(r"\d+", heading.inner_text()).group(0))
        assert due >= 2  # the reviewed one (ticked little) and the blank one
        assert_accessible(page)
        shoot(page, "home-due")
        page.get_by_role("button", name="Practise what's due").click()
        expect(page.get_by_text(re.compile(r"Question 1 of \d+"))).to_be_visible()
        round_ = Interview.objects.for_user(user).in_progress().get()
        firsts = list(round_.answers.order_by("position")[:due])
        assert {a.question_id for a in firsts} >= {
            interview.answers.get(position=1).question_id,
            interview.answers.get(position=3).question_id,
        } - {interview.answers.get(position=2).question_id}
        assert_accessible(page)
