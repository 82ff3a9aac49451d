import re

import pytest
from playwright.sync_api import expect

from questions.bank import load_bank

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_search_filter_open_and_come_back(page, live_server, assert_accessible, shoot, is_phone):
    load_bank()
    page.goto(live_server.url + "/questions/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Interview questions")
    filters = page.locator("details.filter-panel")
    if is_phone:
        # Results first: the filters wait behind a toggle and the first result is on screen.
        expect(page.get_by_label("Topic")).to_be_hidden()
        expect(page.locator(".question-item").first).to_be_in_viewport()
    else:
        expect(page.get_by_label("Topic")).to_be_visible()
    assert_accessible(page)

    page.get_by_label("Search").fill("dropout")
    expect(page).to_have_url(re.compile(r"\?q=dropout$"))
    expect(page.locator(".result-count")).to_contain_text("match")
    first_count = page.locator(".question-item").count()
    assert first_count > 1
    expect(page.locator(".question-item mark").first).to_have_text(
        re.compile("dropout", re.IGNORECASE)
    )

    if is_phone:
        filters.locator("summary").click()
    page.get_by_label("Topic").select_option(label="Regularization & generalization")
    expect(page).to_have_url(re.compile(r"q=dropout&topic=regularization"))
    expect(filters.locator("summary")).to_contain_text("Filters (1)")
    expect(page.locator(".question-item").first).to_contain_text("dropout")
    narrowed = page.locator(".question-item").count()
    assert narrowed < first_count
    assert_accessible(page)
    shoot(page, "browse-filtered")

    # Leaving the search box asks for nothing: the results already follow what was typed, and a
    # request started by that blur would push its URL and cancel the click that caused it.
    sent = []
    page.on("request", lambda request: sent.append(request.url))
    page.get_by_label("Search").focus()
    page.get_by_label("Search").blur()
    page.wait_for_timeout(500)
    assert sent == []

    page.get_by_role("link", name=re.compile(r"^What is dropout")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("dropout")
    # The reference waits behind a toggle, so browsing does not spoil practice.
    expect(page.get_by_role("heading", name="Key points")).to_be_hidden()
    assert_accessible(page)
    page.get_by_text("Think first, then show the answer").click()
    expect(page.get_by_role("heading", name="Key points")).to_be_visible()
    assert_accessible(page)
    shoot(page, "browse-detail")

    page.go_back()
    expect(page).to_have_url(re.compile(r"q=dropout&topic=regularization"))
    expect(page.get_by_label("Search")).to_have_value("dropout")
    expect(page.get_by_label("Topic")).to_have_value("regularization")
    expect(page.locator(".question-item")).to_have_count(narrowed)

    # The same URL loaded directly renders the same results.
    page.goto(page.url)
    expect(page.locator(".question-item")).to_have_count(narrowed)

    page.get_by_role("link", name="Clear filters").click()
    expect(page).to_have_url(re.compile(r"/questions/$"))


def test_search_ranks_the_phrase_and_its_spellings_first(page, live_server, assert_accessible):
    load_bank()
    for query in ("batch norm", "batchnorm", "BN"):
        page.goto(live_server.url + "/questions/?q=" + query)
        first = page.locator(".question-item").first
        expect(first.locator(".question-link")).to_contain_text(
            re.compile("batch normali[sz]ation", re.IGNORECASE)
        )
        expect(first.locator("mark").first).to_be_visible()
    assert_accessible(page)
    page.goto(live_server.url + "/questions/topics/")
    assert_accessible(page)


def test_browsing_works_without_javascript(browser, live_server):
    load_bank()
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(live_server.url + "/questions/")
    page.get_by_label("Search").fill("attention")
    page.get_by_label("Difficulty").select_option("basic")
    page.get_by_role("button", name="Apply filters").click()
    expect(page).to_have_url(re.compile(r"q=attention&topic=&difficulty=basic"))
    for item in page.locator(".question-item").all():
        expect(item.locator(".badge")).to_have_text("Basic")
    page.get_by_role("link", name=re.compile("attention", re.IGNORECASE)).first.click()
    page.get_by_text("Think first, then show the answer").click()
    expect(page.get_by_role("heading", name="Key points")).to_be_visible()
    context.close()
