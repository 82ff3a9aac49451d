"""Playwright over pytest-django's live_server, driving Debian's Chromium.

Every journey runs on four screens (a 390 px phone and a 1280 px desktop, each light and
dark), and `assert_accessible` checks each page a journey visits three ways: no horizontal
overflow, axe with zero violations, and the Nu HTML checker with zero errors.
"""

import json
import os
import shutil
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe

# Playwright's sync API runs an event loop in this thread; Django's ORM calls made by the test
# itself (creating users, checking rows) would otherwise be refused as "async unsafe".
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = Path("/usr/bin/chromium")
ROOT = Path(__file__).resolve().parents[2]
VNU_JAR = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
NU_PORTS = range(8130, 8140)

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
DESKTOP = {"viewport": {"width": 1280, "height": 900}}
SCREENS = {
    "phone-light": {**PHONE, "color_scheme": "light"},
    "phone-dark": {**PHONE, "color_scheme": "dark"},
    "desktop-light": {**DESKTOP, "color_scheme": "light"},
    "desktop-dark": {**DESKTOP, "color_scheme": "dark"},
}


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


@pytest.fixture(params=list(SCREENS))
def screen(request):
    """Which screen this run of a journey uses: phone or desktop, light or dark."""
    return request.param


@pytest.fixture
def browser_context_args(browser_context_args, screen):
    return {**browser_context_args, **SCREENS[screen]}


@pytest.fixture
def is_phone(screen):
    return screen.startswith("phone")


@pytest.fixture
def page(page):
    page.set_default_timeout(10_000)
    return page


@pytest.fixture
def last_document(page):
    """The last HTML document the page navigated to, as the server sent it."""
    documents = {}

    def remember(response):
        if (
            response.request.is_navigation_request()
            and response.frame == page.main_frame
            and response.headers.get("content-type", "").startswith("text/html")
        ):
            documents["last"] = response

    page.on("response", remember)
    return documents


@pytest.fixture(scope="session")
def axe():
    return Axe()


def _free_port():
    for port in NU_PORTS:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) != 0:
                return port
    raise RuntimeError(f"no free port in {NU_PORTS} for the Nu HTML checker")


@pytest.fixture(scope="session")
def nu_checker():
    """The Nu HTML checker as a local web service (one JVM for the session), or None."""
    java = shutil.which("java")
    if not (java and VNU_JAR.exists()):
        if os.environ.get("CI_REQUIRE_BROWSER"):
            pytest.fail("The Nu HTML checker needs java and node_modules/vnu-jar (make test).")
        yield None
        return
    port = _free_port()
    process = subprocess.Popen(
        [java, "-Xss4m", "-cp", str(VNU_JAR), "nu.validator.servlet.Main", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}/?out=json"
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2).close()
            break
        except OSError:
            if time.monotonic() > deadline or process.poll() is not None:
                process.kill()
                raise RuntimeError("the Nu HTML checker did not start") from None
            time.sleep(0.3)

    def check(html):
        request = urllib.request.Request(
            url, data=html.encode(), headers={"Content-Type": "text/html; charset=utf-8"}
        )
        with urllib.request.urlopen(request, timeout=60) as response:
            messages = json.load(response)["messages"]
        return [m for m in messages if m.get("type") == "error"]

    yield check
    process.terminate()
    process.wait(timeout=10)


def _overflow(page):
    """How far the page scrolls sideways, and the elements that stick out."""
    return page.evaluate(
        """() => {
          const root = document.documentElement;
          const width = root.clientWidth;
          const wide = [...document.body.querySelectorAll('*')]
            .filter(el => el.getBoundingClientRect().right > width + 0.5)
            .filter(el => !el.closest('.table-wrap, pre, .visually-hidden, .skip-link'))
            .slice(0, 5)
            .map(el => el.tagName.toLowerCase() + (el.className ? '.' + el.className : '')
                       + ' right=' + Math.round(el.getBoundingClientRect().right));
          return {excess: root.scrollWidth - width, width, wide};
        }"""
    )


@pytest.fixture
def assert_accessible(axe, nu_checker, screen, last_document):
    """Check the current page: fits the screen, axe finds nothing, Nu finds no error."""

    def check(page):
        overflow = _overflow(page)
        assert overflow["excess"] <= 0, f"{page.url} scrolls sideways on {screen}: {overflow}"
        results = axe.run(page)
        violations = results.response["violations"]
        assert not violations, f"axe on {page.url} ({screen}):\n{results.generate_report()}"
        if nu_checker is None:
            return
        # The HTML as served (the parser forgives what the DOM no longer shows), then the live
        # document: every fragment htmx swapped in since.
        sources = {
            "live document": "<!DOCTYPE html>\n"
            + page.evaluate("document.documentElement.outerHTML")
        }
        if "last" in last_document:
            sources = {"served HTML": last_document["last"].text(), **sources}
        for what, html in sources.items():
            errors = nu_checker(html)
            assert not errors, f"Nu HTML checker, {what} of {page.url}:\n" + "\n".join(
                f"line {e.get('lastLine')}: {e['message']} [{e.get('extract', '').strip()}]"
                for e in errors
            )

    return check


@pytest.fixture
def shoot(request, screen):
    """Save a screenshot when SCREENSHOT_DIR is set (for looking at pages, not for asserting)."""
    folder = os.environ.get("SCREENSHOT_DIR")

    def take(page, name):
        if folder:
            Path(folder).mkdir(parents=True, exist_ok=True)
            path = Path(folder) / f"{name}-{screen}.png"
            page.screenshot(path=str(path), full_page=True)

    return take


@pytest.fixture
def open_menu(is_phone):
    """Open the account menu: on a phone it is part of the one "Menu" of the header."""

    def open_(page):
        name = "Menu" if is_phone else None
        if name:
            page.locator(".nav-compact > summary").click()
        else:
            page.locator(".account-menu .menu > summary").click()

    return open_


@pytest.fixture
def header_link(is_phone):
    """A link of the header, through the phone's menu when needed."""

    def find(page, name):
        if is_phone:
            menu = page.locator("details.nav-compact")
            if menu.get_attribute("open") is None:
                menu.locator("summary").click()
            return menu.get_by_role("link", name=name, exact=True)
        return page.locator(".site-nav").get_by_role("link", name=name, exact=True)

    return find


@pytest.fixture
def signed_up(page, live_server):
    """A new user, signed up through the form, logged in on `page`."""

    def sign_up(username="ada"):
        page.goto(live_server.url + "/accounts/signup/")
        page.get_by_label("Username").fill(username)
        page.get_by_label("Email").fill(f"{username}@example.com")
        page.get_by_label("Password", exact=True).fill("first-Passw0rd-long")
        page.get_by_label("Password confirmation").fill("first-Passw0rd-long")
        page.get_by_role("button", name="Sign up").click()
        page.get_by_role("status").filter(has_text="Welcome").wait_for()
        from django.contrib.auth import get_user_model

        return get_user_model().objects.get(username=username)

    return sign_up
