"""What the benchmark scripts share: a production-like environment, gunicorn, plain HTTP.

Servers listen on 127.0.0.1 only, on a free port, so several runs can share a machine.
"""

import http.client
import json
import os
import re
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CSRF_IN_PAGE = re.compile(rb'"x-csrftoken": "([A-Za-z0-9]+)"')


def environment(folder: Path, **extra: str) -> dict[str, str]:
    """Production settings (DEBUG off, manifest static files) with the benchmark's URL conf,
    on a throwaway SQLite file in `folder` unless DATABASE_URL is set."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "SECRET_KEY": "bench-only-" + "k" * 50,
        "DEBUG": "false",
        "HTTPS": "false",
        "ALLOWED_HOSTS": "127.0.0.1",
        "LOG_LEVEL": "WARNING",
        "BENCH_STATIC_ROOT": str(folder / "static"),
        **extra,
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    if not env.get("DATABASE_URL"):
        env["SQLITE_PATH"] = str(folder / "bench.sqlite3")
    return env


def python(env: dict[str, str], *args: str) -> str:
    """Run Python with `args` in the checkout; its output, or exit with it on failure."""
    result = subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if result.returncode:
        sys.exit(f"python {' '.join(args)} failed:\n{result.stdout}{result.stderr}")
    return result.stdout


def manage(env: dict[str, str], *args: str) -> str:
    return python(env, "manage.py", *args)


def prepare_database(env: dict[str, str], bank: Path | None = None) -> None:
    manage(env, "migrate", "--no-input")
    manage(env, "load_questions", *([str(bank)] if bank else []))
    manage(env, "collectstatic", "--no-input")


def seed(env: dict[str, str], candidates: int, history: int, reader: int) -> dict:
    """The benchmark's accounts and interviews (bench/seed.py); what it printed."""
    output = python(env, "-m", "bench.seed", str(candidates), str(history), str(reader))
    return json.loads(output.strip().splitlines()[-1])


def delete_keys(redis_url: str, prefix: str) -> None:
    """Forget a run's keys (under its CACHE_KEY_PREFIX) in a Redis others may share."""
    import redis

    client = redis.Redis.from_url(redis_url)
    for key in client.scan_iter(match=f"{prefix}:*"):
        client.delete(key)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Response:
    status: int
    body: bytes
    headers: dict[str, str]
    cookies: dict[str, str]
    ms: float


def request(
    port: int,
    method: str,
    path: str,
    headers: dict[str, str] | None = None,
    body: bytes | None = None,
    timeout: float = 30,
) -> Response:
    """One request on its own connection (gunicorn's sync workers close it after each)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    started = time.perf_counter()
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        data = response.read()
    finally:
        connection.close()
    elapsed = (time.perf_counter() - started) * 1000
    cookies: dict[str, str] = {}
    for value in response.headers.get_all("Set-Cookie") or []:
        cookies.update({name: morsel.value for name, morsel in SimpleCookie(value).items()})
    return Response(response.status, data, dict(response.headers.items()), cookies, elapsed)


def cookie_header(cookies: dict[str, str]) -> str:
    return "; ".join(f"{name}={value}" for name, value in cookies.items())


def csrf_token(page: bytes) -> str:
    """The token base.html puts in <body data-hx-headers>, as htmx sends it."""
    found = CSRF_IN_PAGE.search(page)
    if not found:
        raise ValueError("no CSRF token in the page")
    return found.group(1).decode()


@dataclass
class Server:
    """gunicorn with `workers` sync workers on a free port of 127.0.0.1; its log in `log`."""

    env: dict[str, str]
    log: Path
    workers: int = 4
    port: int = field(default_factory=free_port)
    process: subprocess.Popen | None = None

    def __enter__(self) -> "Server":
        self._log_file = self.log.open("ab")
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "config.wsgi",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                str(self.workers),
                "--worker-class",
                "sync",
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=self._log_file,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited at start:\n{self.log_tail()}")
            try:
                if request(self.port, "GET", "/healthz", timeout=5).status == 200:
                    return self
            except OSError:
                pass
            time.sleep(0.2)
        self.__exit__()
        raise RuntimeError(f"gunicorn did not answer /healthz within 60 s:\n{self.log_tail()}")

    def __exit__(self, *exc_info: object) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._log_file.close()

    def log_tail(self, lines: int = 40) -> str:
        text = self.log.read_text(errors="replace") if self.log.exists() else ""
        return "\n".join(text.splitlines()[-lines:])

    def request(self, method: str, path: str, **kwargs) -> Response:
        return request(self.port, method, path, **kwargs)
