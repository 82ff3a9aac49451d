"""Playwright over pytest-django's live_server, driving Debian's Chromium."""

import os
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe

# Playwright's sync API runs an event loop in this thread; Django's ORM calls made by the test
# itself (creating users, checking rows) would otherwise be refused as "async unsafe".
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = Path("/usr/bin/chromium")


def pytest_collection_modifyitems(config, items):
    if CHROMIUM.exists():
        return
    if os.environ.get("CI_REQUIRE_BROWSER"):
        raise pytest.UsageError(f"{CHROMIUM} is missing; CI must run the browser tests.")
    skip = pytest.mark.skip(reason=f"{CHROMIUM} is not installed")
    for item in items:
        if "browser" in str(item.fspath):
            item.add_marker(skip)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": str(CHROMIUM),
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": {"width": 1200, "height": 900}}


@pytest.fixture
def page(page):
    page.set_default_timeout(10_000)
    return page


@pytest.fixture(scope="session")
def axe():
    return Axe()


@pytest.fixture
def assert_accessible(axe):
    """Run axe on the current page and fail with the violations listed."""

    def check(page):
        results = axe.run(page)
        violations = results.response["violations"]
        assert not violations, f"axe on {page.url}:\n{results.generate_report()}"

    return check


@pytest.fixture
def shoot(request):
    """Save a screenshot when SCREENSHOT_DIR is set (for looking at pages, not for asserting)."""
    folder = os.environ.get("SCREENSHOT_DIR")

    def take(page, name):
        if folder:
            Path(folder).mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)

    return take


@pytest.fixture
def signed_up(page, live_server):
    """A new user, signed up through the form, logged in on `page`."""

    def sign_up(username="ada"):
        page.goto(live_server.url + "/accounts/signup/")
        page.get_by_label("Username").fill(username)
        page.get_by_label("Email").fill(f"{username}@example.com")
        page.get_by_label("Password:", exact=True).fill("first-Passw0rd-long")
        page.get_by_label("Password confirmation").fill("first-Passw0rd-long")
        page.get_by_role("button", name="Sign up").click()
        page.get_by_role("status").filter(has_text="Welcome").wait_for()
        from django.contrib.auth import get_user_model

        return get_user_model().objects.get(username=username)

    return sign_up
