import re

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_sign_up_log_out_log_in_change_password(page, live_server, assert_accessible):
    page.goto(live_server.url + "/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("deep-learning interviews")
    assert_accessible(page)

    page.get_by_role("link", name="Sign up").click()
    expect(page).to_have_url(re.compile(r"/accounts/signup/$"))
    assert_accessible(page)
    page.get_by_label("Username").fill("ada")
    page.get_by_label("Email").fill("ada@example.com")
    page.get_by_label("Password:", exact=True).fill("first-Passw0rd-long")
    page.get_by_label("Password confirmation").fill("first-Passw0rd-long")
    page.get_by_role("button", name="Sign up").click()
    expect(page.get_by_role("status")).to_contain_text("Welcome, ada")

    page.get_by_text("ada", exact=True).click()  # the account menu
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("link", name="Log in")).to_be_visible()

    page.get_by_role("link", name="Log in").click()
    assert_accessible(page)
    page.get_by_label("Username").fill("ada")
    page.get_by_label("Password").fill("wrong-password")
    page.get_by_role("button", name="Log in").click()
    expect(page.locator(".errorlist")).to_contain_text("correct username and password")
    page.get_by_label("Password").fill("first-Passw0rd-long")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_text("ada", exact=True)).to_be_visible()

    page.get_by_text("ada", exact=True).click()
    page.get_by_role("link", name="Change password").click()
    assert_accessible(page)
    page.get_by_label("Old password").fill("first-Passw0rd-long")
    page.get_by_label("New password:", exact=True).fill("second-Passw0rd-long")
    page.get_by_label("New password confirmation").fill("second-Passw0rd-long")
    page.get_by_role("button", name="Change password").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Password changed")
    assert_accessible(page)
