import csv
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from questions.bank import load_bank
from questions.models import Question
from tests.browser.locators import answer_box

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def practise_and_review(page, live_server, question, text, ticks):
    """Open a question, practise it, answer, then review: confidence, reveal, tick."""
    page.goto(live_server.url + question.get_absolute_url())
    page.get_by_role("button", name="Practise this question").click()
    expect(page.get_by_text("Question 1 of 1")).to_be_visible()
    page.locator("#interview-panel[data-ready]").wait_for()
    answer_box(page).fill(text)
    page.get_by_role("button", name="Submit and continue").click()
    expect(page).to_have_url(re.compile(r"/review/$"))
    item = page.locator("#answer-1")
    # No confidence given: the app's own message, not the browser's bubble.
    item.get_by_role("button", name="Reveal the reference answer").click()
    expect(page.locator("#answer-1 .message-error")).to_contain_text("how confident")
    item = page.locator("#answer-1")
    item.get_by_label("3").check()
    item.get_by_role("button", name="Reveal the reference answer").click()
    checkboxes = page.locator("#answer-1").get_by_role("checkbox")
    expect(checkboxes.first).to_be_visible()
    total = checkboxes.count()
    for index in range(ticks):
        page.locator("#answer-1").get_by_role("checkbox").nth(index).check()
        expect(page.locator("#answer-1 .score-pill")).to_have_text(
            f"Score {round(100 * (index + 1) / total)}%"
        )
    return round(100 * ticks / total)


def test_two_interviews_show_up_in_history_progress_and_csv(
    page, live_server, signed_up, assert_accessible, shoot, tmp_path
):
    load_bank()
    signed_up()
    page.goto(live_server.url + "/history/")
    expect(page.get_by_text("No interviews yet")).to_be_visible()
    assert_accessible(page)

    dropout = Question.objects.get(slug="dropout")
    attention = Question.objects.get(slug="self-attention")
    first_score = practise_and_review(page, live_server, dropout, "Randomly zeroes units.", 2)
    second_score = practise_and_review(page, live_server, attention, "softmax(QK^T/sqrt d)V", 1)

    # The bank says when each was last practised, and the score, in the list and the page.
    page.goto(live_server.url + "/questions/?q=dropout")
    row = page.locator(".question-item", has=page.get_by_role("link", name=dropout.prompt))
    expect(row).to_contain_text("You practised it")
    expect(row).to_contain_text(f"score {first_score}%")
    assert_accessible(page)
    page.goto(live_server.url + dropout.get_absolute_url())
    expect(page.locator(".your-last")).to_contain_text(f"score {first_score}%")
    assert_accessible(page)
    shoot(page, "detail-practised")

    page.goto(live_server.url + "/history/")
    rows = page.locator("table.history tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text(f"{second_score}%")
    expect(rows.nth(1)).to_contain_text(f"{first_score}%")
    assert_accessible(page)
    shoot(page, "history")

    page.goto(live_server.url + "/progress/")
    expect(page.locator("svg.line-chart circle")).to_have_count(2)
    # Readiness: each practised topic has one reviewed question, just reviewed.
    readiness = page.locator("table.readiness")
    for topic in ("Regularization", "Attention"):
        row = readiness.get_by_role("row", name=re.compile(topic))
        expect(row).to_contain_text(re.compile(r"1 of \d+ reviewed"))
        expect(row.get_by_role("button", name=re.compile(f"Practise {topic}"))).to_be_visible()
    expect(page.get_by_role("heading", name="Due for repetition")).to_be_visible()
    expect(page.get_by_role("heading", name="Weakest questions")).to_be_visible()
    assert_accessible(page)
    shoot(page, "progress")

    page.goto(live_server.url + "/history/")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download answers (CSV)").click()
    path = Path(tmp_path) / "answers.csv"
    download_info.value.save_as(path)
    rows = list(csv.DictReader(path.open(encoding="utf-8")))
    assert [row["question"] for row in rows] == [dropout.prompt, attention.prompt]
    assert rows[0]["answer"] == "Randomly zeroes units."
    assert rows[1]["confidence"] == "3"
