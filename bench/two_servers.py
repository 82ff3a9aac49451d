"""Two app servers over one PostgreSQL and one Redis behave as one.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/dl_bench REDIS_URL=redis://127.0.0.1:6379/1 \\
        python -m bench.two_servers

Starts two gunicorn instances (two workers each) on two ports with the same settings, over a
throwaway database made next to DATABASE_URL's (dropped at the end) and the Redis of
REDIS_URL (under a key prefix of its own, deleted at the end), and alternates requests between
them. It checks that:

- a session started on one server is signed in on the other, and a log-out on one ends it on
  both (no session lost, none outliving its log-out);
- every autosave sent to one server reads back through the other (no lost save);
- after `manage.py load_questions` changes a question's prompt, both servers show the new
  prompt on the list, search and question pages, signed in or not, even to a browser that
  revalidates what it was sent before (no stale bank page, no wrong 304).

Without PostgreSQL and Redis it says why it skipped, and exits 0. `make bench` runs it, and so
does tests/config/test_two_servers.py when both are available.
"""

import contextlib
import os
import re
import shutil
import sys
import tempfile
import tomllib
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode, urlsplit, urlunsplit

from django.utils.html import escape

from bench.seed import PASSWORD
from bench.servers import (
    ROOT,
    Response,
    Server,
    cookie_header,
    csrf_token,
    delete_keys,
    environment,
    manage,
    prepare_database,
    seed,
)

SAVES = 10


def skip_reason() -> str:
    """Why this cannot run here, or "" when it can."""
    database_url = os.environ.get("DATABASE_URL", "")
    if urlsplit(database_url).scheme not in ("postgres", "postgresql"):
        return "needs PostgreSQL: set DATABASE_URL=postgres://... (both servers share it)"
    if not os.environ.get("REDIS_URL"):
        return "needs Redis: set REDIS_URL=redis://... (both servers share its cache and sessions)"
    return ""


@contextlib.contextmanager
def throwaway_database(database_url: str) -> Iterator[str]:
    """A new, empty database on DATABASE_URL's server; its URL; dropped afterwards."""
    import psycopg

    parts = urlsplit(database_url)
    name = f"{parts.path.lstrip('/') or 'postgres'}_two_servers"
    # Created and dropped from the server's maintenance database: DATABASE_URL's own database
    # need not exist (the test suite only ever creates test_<name>).
    admin_url = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield urlunsplit(parts._replace(path=f"/{name}"))
    finally:
        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


class Checks:
    def __init__(self) -> None:
        self.failures: list[str] = []

    def expect(self, condition: bool, what: str) -> bool:
        print(f"  {'ok  ' if condition else 'FAIL'} {what}", flush=True)
        if not condition:
            self.failures.append(what)
        return condition


class Browser:
    """One visitor's cookies, carried between the two servers as one browser would."""

    def __init__(self) -> None:
        self.cookies: dict[str, str] = {}
        self.token = ""

    def get(self, server: Server, path: str, headers: dict[str, str] | None = None) -> Response:
        response = server.request("GET", path, headers={**self.headers(), **(headers or {})})
        self.cookies.update(response.cookies)
        if response.status == 200 and b"x-csrftoken" in response.body:
            self.token = csrf_token(response.body)
        return response

    def post(
        self, server: Server, path: str, fields: dict[str, str], headers: dict[str, str]
    ) -> Response:
        response = server.request(
            "POST",
            path,
            headers={
                **self.headers(),
                "Content-Type": "application/x-www-form-urlencoded",
                "Origin": f"http://127.0.0.1:{server.port}",
                "X-CSRFToken": self.token,
                **headers,
            },
            body=urlencode(fields).encode(),
        )
        self.cookies.update(response.cookies)
        return response

    def headers(self) -> dict[str, str]:
        return {"Cookie": cookie_header(self.cookies)} if self.cookies else {}


def signed_in_as(response: Response, username: str) -> bool:
    return response.status == 200 and f"Signed in as {username}".encode() in response.body


def check_sign_in(checks: Checks, servers: list[Server], browser: Browser, username: str) -> None:
    print("Sessions: sign in on one server, stay signed in on the other", flush=True)
    first, second = servers
    browser.get(first, "/accounts/login/")
    login = browser.post(
        first, "/accounts/login/", {"username": username, "password": PASSWORD}, {}
    )
    checks.expect(
        login.status == 302 and "sessionid" in browser.cookies,
        f"log-in on :{first.port} answers 302 with a session (got {login.status})",
    )
    for number in range(6):
        server = servers[(number + 1) % 2]
        checks.expect(
            signed_in_as(browser.get(server, "/history/"), username),
            f"request {number + 1} on :{server.port} is signed in as {username}",
        )


def check_autosave(checks: Checks, servers: list[Server], browser: Browser, take: str) -> None:
    print(f"Autosave: {SAVES} saves alternating between the servers, each read on the other")
    interview = browser.get(servers[0], take)
    answer = re.search(rb'data-hx-post="([^"]+/save/)"', interview.body)
    if not checks.expect(answer is not None, "the take page shows an open answer"):
        return
    assert answer is not None
    autosave = answer.group(1).decode()
    for number in range(SAVES):
        writer, reader = servers[number % 2], servers[(number + 1) % 2]
        text = f"Draft {number} <saved> through :{writer.port} & read through :{reader.port}"
        saved = browser.post(
            writer,
            autosave,
            {"text": text},
            {"HX-Request": "true", "HX-Current-URL": f"http://127.0.0.1:{writer.port}{take}"},
        )
        shown = browser.get(reader, take)
        checks.expect(
            saved.status == 200 and shown.status == 200 and escape(text).encode() in shown.body,
            f"save {number + 1} on :{writer.port} (HTTP {saved.status}) reads back on "
            f":{reader.port}",
        )


def question_prompt_line(bank: Path, slug: str) -> tuple[Path, str]:
    """The file and the `prompt = "..."` line of the question `slug` in a bank folder."""
    for path in sorted((bank / "questions").glob("*.toml")):
        text = path.read_text()
        found = re.search(rf'^slug = "{re.escape(slug)}"\n(?:.*\n)*?(prompt = ".*")$', text, re.M)
        if found:
            return path, found.group(1)
    raise LookupError(f"no question {slug} with a one-line prompt in {bank}")


def bank_pages(slug: str, word: str) -> list[str]:
    return ["/questions/", f"/questions/?q={word}", f"/questions/{slug}/"]


def check_bank(
    checks: Checks,
    servers: list[Server],
    env: dict[str, str],
    bank: Path,
    question: str,
    visitors: dict[str, Browser],
) -> None:
    print("Bank: load_questions changes a prompt; no server shows the old page", flush=True)
    slug = question.strip("/").rsplit("/", 1)[-1]
    path, line = question_prompt_line(bank, slug)
    prompt = tomllib.loads(line)["prompt"]
    # The prompt's longest word: a search that finds the question and highlights in it.
    word = max(re.findall(r"[A-Za-z]+", prompt), key=len)
    marker = f"Edited{uuid.uuid4().hex[:8]}"
    before: dict[tuple[str, int, str], Response] = {}
    for who, browser in visitors.items():
        for server in servers:
            for page in bank_pages(slug, word):
                # Twice: the second may come from a cache the first filled.
                browser.get(server, page)
                before[who, server.port, page] = response = browser.get(server, page)
                # Search results highlight the words matched inside the prompt.
                shown = "?q=" in page or escape(prompt).encode() in response.body
                checks.expect(
                    response.status == 200 and shown and marker.encode() not in response.body,
                    f"{who} on :{server.port} {page} shows the prompt before the change",
                )
    edited = line.replace('prompt = "', f'prompt = "{marker} ', 1)
    path.write_text(path.read_text().replace(line, edited, 1))
    output = manage(env, "load_questions", str(bank))
    checks.expect("1 updated" in output, f"load_questions reports the change: {output.strip()}")
    for who, browser in visitors.items():
        for server in servers:
            for page in [*bank_pages(slug, word), f"/questions/?q={marker}"]:
                old = before.get((who, server.port, page))
                # What a browser sends to revalidate the page it has: never a 304 now.
                revalidate = {}
                if old and "ETag" in old.headers:
                    revalidate["If-None-Match"] = old.headers["ETag"]
                if old and "Last-Modified" in old.headers:
                    revalidate["If-Modified-Since"] = old.headers["Last-Modified"]
                response = browser.get(server, page, revalidate)
                # The marker is new: only the changed bank can have put it in the page.
                checks.expect(
                    response.status == 200 and marker.encode() in response.body,
                    f"{who} on :{server.port} {page} shows the new prompt "
                    f"(HTTP {response.status}{', revalidated' if revalidate else ''})",
                )


def check_log_out(checks: Checks, servers: list[Server], browser: Browser, username: str) -> None:
    print("Sessions: log out on one server, signed out on both", flush=True)
    second = servers[1]
    browser.get(second, "/history/")
    session = browser.cookies["sessionid"]
    logout = browser.post(second, "/accounts/logout/", {}, {})
    checks.expect(logout.status == 302, f"log-out on :{second.port} answers 302")
    # The browser forgets its cookie; a copy of it (another tab's request in flight, a stolen
    # cookie) must not sign in anywhere either, on any worker of either server.
    for number in range(6):
        server = servers[number % 2]
        response = server.request("GET", "/history/", headers={"Cookie": f"sessionid={session}"})
        checks.expect(
            response.status == 302 and "/accounts/login/" in response.headers.get("Location", ""),
            f"the logged-out session sends request {number + 1} on :{server.port} to log in "
            f"(HTTP {response.status})",
        )


def main() -> None:
    reason = skip_reason()
    if reason:
        print(f"Two app servers: skipped, {reason}")
        return
    prefix = f"two-servers-{uuid.uuid4().hex[:8]}"
    checks = Checks()
    with (
        tempfile.TemporaryDirectory(prefix="two-servers-") as folder_name,
        throwaway_database(os.environ["DATABASE_URL"]) as database_url,
    ):
        folder = Path(folder_name)
        bank = folder / "bank"
        shutil.copytree(ROOT / "fixtures", bank)
        env = environment(folder, DATABASE_URL=database_url, CACHE_KEY_PREFIX=prefix)
        try:
            prepare_database(env, bank)
            data = seed(env, 1, 0, 0)
            candidate = data["candidates"][0]
            with (
                Server(env, folder / "first.log", workers=2) as first,
                Server(env, folder / "second.log", workers=2) as second,
            ):
                servers = [first, second]
                print(f"Two gunicorn servers on :{first.port} and :{second.port}", flush=True)
                member = Browser()
                check_sign_in(checks, servers, member, candidate["username"])
                check_autosave(checks, servers, member, candidate["take"])
                visitors = {"anonymous": Browser(), "signed in": member}
                check_bank(checks, servers, env, bank, data["question"], visitors)
                check_log_out(checks, servers, member, candidate["username"])
                if checks.failures:
                    print(f"\n:{first.port} logged:\n{first.log_tail()}")
                    print(f"\n:{second.port} logged:\n{second.log_tail()}")
        finally:
            delete_keys(env["REDIS_URL"], prefix)
    if checks.failures:
        sys.exit(f"Two app servers: {len(checks.failures)} check(s) failed.")
    print("Two app servers behave as one: every check passed.")


if __name__ == "__main__":
    main()
