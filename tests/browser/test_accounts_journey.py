import re

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_sign_up_log_out_log_in_change_password(
    page, live_server, assert_accessible, open_menu, header_link, is_phone, shoot
):
    page.goto(live_server.url + "/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("deep-learning interviews")
    assert_accessible(page)
    shoot(page, "home")
    if is_phone:
        # One row of header: the brand, "Sign up" and a menu that opens inside the screen.
        assert page.locator(".site-header").bounding_box()["height"] < 70
        page.get_by_role("group").filter(has_text="Menu").locator("summary").click()
        menu = page.locator(".nav-compact > ul")
        expect(menu).to_be_visible()
        box = menu.bounding_box()
        assert box["x"] >= 0
        assert box["x"] + box["width"] <= 390
        assert_accessible(page)
        page.locator(".nav-compact > summary").click()

    page.get_by_role("link", name="Sign up").click()
    expect(page).to_have_url(re.compile(r"/accounts/signup/$"))
    assert_accessible(page)
    shoot(page, "signup")
    username = page.get_by_label("Username")
    expect(username).to_have_attribute("autocomplete", "username")
    expect(username).to_have_attribute("autocapitalize", "none")
    expect(page.get_by_label("Email")).to_have_attribute("autocomplete", "email")
    expect(page.get_by_label("Password", exact=True)).to_have_attribute(
        "autocomplete", "new-password"
    )
    # Help text comes after its input, and labels carry no colon.
    assert page.evaluate(
        "document.getElementById('id_email').nextElementSibling.classList.contains('helptext')"
    )
    expect(page.locator("label", has_text=":")).to_have_count(0)

    # A mistake is shown in the page's own style, and the page stays valid and accessible.
    page.get_by_role("button", name="Sign up").click()
    expect(page.locator(".errorlist").first).to_be_visible()
    assert_accessible(page)

    username.fill("ada")
    page.get_by_label("Email").fill("ada@example.com")
    page.get_by_label("Password", exact=True).fill("first-Passw0rd-long")
    page.get_by_label("Password confirmation").fill("first-Passw0rd-long")
    page.get_by_role("button", name="Sign up").click()
    expect(page.get_by_role("status")).to_contain_text("Welcome, ada")
    # Somewhere to act: the home page says what to do next.
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("What to practise next")

    open_menu(page)
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("status")).to_contain_text("You are logged out")
    assert_accessible(page)

    header_link(page, "Log in").click()
    # Checked once the new page is there: a check run mid-navigation finds no document body.
    expect(page.get_by_role("heading", level=1)).to_have_text("Log in")
    assert_accessible(page)
    shoot(page, "login")
    expect(page.get_by_label("Password")).to_have_attribute("autocomplete", "current-password")
    page.get_by_label("Username").fill("ada")
    page.get_by_label("Password").fill("wrong-password")
    page.get_by_role("button", name="Log in").click()
    expect(page.locator(".errorlist")).to_contain_text("correct username and password")
    assert_accessible(page)
    page.get_by_label("Password").fill("first-Passw0rd-long")
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile(r"/history/$"))

    open_menu(page)
    page.get_by_role("link", name="Change password").click()
    expect(page.get_by_label("Old password")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Old password").fill("first-Passw0rd-long")
    page.get_by_label("New password", exact=True).fill("second-Passw0rd-long")
    page.get_by_label("New password confirmation").fill("second-Passw0rd-long")
    page.get_by_role("button", name="Change password").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Password changed")
    assert_accessible(page)

    open_menu(page)
    page.get_by_role("link", name="Delete account").click()
    expect(page.get_by_role("button", name="Delete my account")).to_be_visible()
    assert_accessible(page)
