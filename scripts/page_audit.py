"""Screenshots and checks of every page, logged out and in, phone and desktop, light and dark.

Run against a server started with `make run` (or any URL of this app):

    .venv/bin/python scripts/page_audit.py http://127.0.0.1:8000 screenshots/

It signs up, practises and reviews two questions, leaves a third interview in progress, and for
each page and screen saves a full-page PNG and prints what axe, the Nu HTML checker and a
horizontal-overflow probe find. Looking at the pictures is the point; the browser tests assert.
"""

import json
import shutil
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect, sync_playwright

ROOT = Path(__file__).resolve().parents[1]
VNU_JAR = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
SCREENS = {
    "phone-light": {
        "viewport": {"width": 390, "height": 844},
        "is_mobile": True,
        "has_touch": True,
        "color_scheme": "light",
    },
    "phone-dark": {
        "viewport": {"width": 390, "height": 844},
        "is_mobile": True,
        "has_touch": True,
        "color_scheme": "dark",
    },
    "desktop-light": {"viewport": {"width": 1280, "height": 900}, "color_scheme": "light"},
    "desktop-dark": {"viewport": {"width": 1280, "height": 900}, "color_scheme": "dark"},
}


def nu_errors(html, port):
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/?out=json",
        data=html.encode(),
        headers={"Content-Type": "text/html; charset=utf-8"},
    )
    for _ in range(100):  # the checker takes a few seconds to start
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                return [m for m in json.load(response)["messages"] if m.get("type") == "error"]
        except OSError:
            time.sleep(0.5)
    raise RuntimeError("the Nu HTML checker did not answer")


def overflow(page):
    return page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )


def sign_up(page, base, name):
    page.goto(base + "/accounts/signup/")
    page.get_by_label("Username").fill(name)
    page.get_by_label("Email").fill(name + "@example.com")
    page.get_by_label("Password", exact=True).fill("first-Passw0rd-long")
    page.get_by_label("Password confirmation").fill("first-Passw0rd-long")
    page.get_by_role("button", name="Sign up").click()
    page.get_by_role("heading", name="What to practise next").wait_for()


def practise(page, base, slug, text, ticks):
    page.goto(f"{base}/questions/{slug}/")
    page.get_by_role("button", name="Practise this question").click()
    page.locator("#interview-panel[data-ready]").wait_for()
    page.get_by_label("Your answer").fill(text)
    page.get_by_role("button", name="Submit and continue").click()
    page.wait_for_url("**/review/")
    item = page.locator("#answer-1")
    item.get_by_label("3").check()
    item.get_by_role("button", name="Reveal the reference answer").click()
    boxes = page.locator("#answer-1").get_by_role("checkbox")
    expect(boxes.first).to_be_visible()
    for index in range(ticks):
        page.locator("#answer-1").get_by_role("checkbox").nth(index).check()
        expect(page.locator("#answer-1 .score-pill")).to_be_visible()
    return page.url


def main(base, folder, only=""):
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    port = 8139
    nu = subprocess.Popen(
        [shutil.which("java"), "-cp", str(VNU_JAR), "nu.validator.servlet.Main", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    problems = 0
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
            setup = browser.new_context()
            page = setup.new_page()
            sign_up(page, base, "u" + uuid.uuid4().hex[:8])
            review = practise(page, base, "dropout", "Randomly zeroes units while training.", 2)
            practise(page, base, "self-attention", "softmax(QK^T / sqrt(d)) V", 1)
            state = setup.storage_state()
            setup.close()
            # Another user, with an interview in progress (references paused for them only).
            setup = browser.new_context()
            page = setup.new_page()
            sign_up(page, base, "r" + uuid.uuid4().hex[:8])
            page.goto(base + "/questions/batch-normalization/")
            page.get_by_role("button", name="Practise this question").click()
            page.locator("#interview-panel[data-ready]").wait_for()
            take = page.url
            page.get_by_label("Your answer").fill("It normalises activations per mini-batch.")
            expect(page.locator("#save-status")).to_contain_text("Saved")
            state_running = setup.storage_state()
            setup.close()

            pages_out = {
                "home": "/",
                "list": "/questions/",
                "search": "/questions/?q=batch+norm",
                "detail": "/questions/dropout/",
                "topics": "/questions/topics/",
                "login": "/accounts/login/",
                "signup": "/accounts/signup/",
                "reset": "/accounts/password/reset/",
                "notfound": "/no-such-page/",
            }
            pages_in = {
                "in-new": "/interviews/new/",
                "in-history": "/history/",
                "in-progress": "/progress/",
                "in-search": "/questions/?q=dropout",
                "in-detail": "/questions/dropout/",
                "in-review": review.replace(base, ""),
                "in-password": "/accounts/password/change/",
                "in-delete": "/account/delete/",
            }
            pages_running = {
                "run-take": take.replace(base, ""),
                "run-search": "/questions/?q=batch+norm",
            }
            axe = Axe()
            for screen, args in SCREENS.items():
                if only and only not in screen:
                    continue
                for storage, pages in (
                    (None, pages_out),
                    (state, pages_in),
                    (state_running, pages_running),
                ):
                    context = browser.new_context(storage_state=storage, **args)
                    page = context.new_page()
                    for label, path in pages.items():
                        served = page.goto(base + path).text()
                        page.wait_for_load_state("networkidle")
                        time.sleep(0.2)
                        page.screenshot(path=str(folder / f"{label}-{screen}.png"), full_page=True)
                        # The first screens one by one, at a size one can read.
                        size = args["viewport"]
                        height = page.evaluate("document.documentElement.scrollHeight")
                        for n in range(min(3, -(-height // size["height"]))):
                            clip = {"x": 0, "y": n * size["height"], **size}
                            clip["height"] = min(size["height"], height - clip["y"])
                            shot = folder / f"{label}-{screen}-{n + 1}.png"
                            page.screenshot(path=str(shot), full_page=True, clip=clip)
                        found = []
                        excess = overflow(page)
                        if excess > 0:
                            found.append(f"overflow {excess}px")
                        violations = axe.run(page).response["violations"]
                        for v in violations:
                            targets = [n["target"] for n in v["nodes"]][:3]
                            found.append(f"axe {v['id']}: {targets}")
                        html = "<!DOCTYPE html>\n" + page.evaluate(
                            "document.documentElement.outerHTML"
                        )
                        for source in (served, html):
                            for e in nu_errors(source, port):
                                extract = e.get("extract", "").strip()[:80]
                                found.append(f"nu: {e['message']} [{extract}]")
                        problems += len(found)
                        print(f"{screen:14} {label:12} {'ok' if not found else ''}")
                        for line in found:
                            print("    " + line)
                    context.close()
            browser.close()
    finally:
        nu.terminate()
    print(f"{problems} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    # An optional third argument keeps only the screens whose name holds it ("phone").
    sys.exit(main(sys.argv[1].rstrip("/"), sys.argv[2], *sys.argv[3:4]))
