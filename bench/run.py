"""Benchmark: autosave under concurrent writers, search and health, against gunicorn.

Runs against a throwaway SQLite file (or DATABASE_URL when set), on 127.0.0.1 only, with
bounded request counts. Prints latency percentiles and throughput; writes bench-results/.

    make bench                    # SQLite
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/dl_bench make bench
"""

import http.client
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PORT = int(os.environ.get("BENCH_PORT", "8765"))
WRITERS = int(os.environ.get("BENCH_WRITERS", "16"))
SAVES_PER_WRITER = int(os.environ.get("BENCH_SAVES", "40"))
READS = int(os.environ.get("BENCH_READS", "300"))


def django_env(db_file):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "SECRET_KEY": "bench-" + "k" * 60,
        "DEBUG": "false",
        "ALLOWED_HOSTS": "127.0.0.1",
        "LOG_LEVEL": "WARNING",
    }
    if not os.environ.get("DATABASE_URL"):
        env["SQLITE_PATH"] = str(db_file)
    return env


def manage(env, *args):
    subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )


def prepare(env):
    """Users, each with an interview whose first question is open; their session cookies."""
    code = f"""
import json
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone
from interviews.models import Interview
from questions.models import Question
questions = list(Question.objects.all()[:3])
out = []
for n in range({WRITERS}):
    user, _ = get_user_model().objects.get_or_create(username=f"bench{{n}}")
    interview = Interview.objects.start(user=user, questions=questions,
                                        seconds_per_question=3600, now=timezone.now())
    answer = interview.advance(timezone.now())
    client = Client()
    client.force_login(user)
    out.append({{"session": client.cookies["sessionid"].value,
                 "path": f"/interviews/{{interview.pk}}/answers/{{answer.pk}}/save/"}})
print(json.dumps(out))
"""
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def request(method, path, headers=None, body=None):
    connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
    started = time.perf_counter()
    connection.request(method, path, body=body, headers=headers or {})
    response = connection.getresponse()
    response.read()
    connection.close()
    return response.status, (time.perf_counter() - started) * 1000


def summarise(name, latencies, statuses, seconds):
    latencies.sort()
    pick = lambda q: latencies[min(len(latencies) - 1, int(q * len(latencies)))]  # noqa: E731
    return {
        "name": name,
        "requests": len(latencies),
        "errors": sum(1 for s in statuses if s >= 400),
        "throughput_rps": round(len(latencies) / seconds, 1),
        "p50_ms": round(statistics.median(latencies), 1),
        "p95_ms": round(pick(0.95), 1),
        "p99_ms": round(pick(0.99), 1),
    }


def autosave_load(writers):
    latencies, statuses, lock = [], [], threading.Lock()
    token = "benchcsrftoken0000000000000000000000"[:32]

    def writer(item):
        headers = {
            "Cookie": f"sessionid={item['session']}; csrftoken={token}",
            "X-CSRFToken": token,
            "HX-Request": "true",
            "Content-Type": "application/x-www-form-urlencoded",
        }
        for n in range(SAVES_PER_WRITER):
            status, ms = request("POST", item["path"], headers, f"text=draft+{n}+" + "x" * 500)
            with lock:
                latencies.append(ms)
                statuses.append(status)

    started = time.perf_counter()
    threads = [threading.Thread(target=writer, args=(item,)) for item in writers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return summarise(
        f"autosave, {len(writers)} concurrent writers",
        latencies,
        statuses,
        time.perf_counter() - started,
    )


def read_load(name, path, threads=8):
    latencies, statuses, lock = [], [], threading.Lock()

    def reader():
        for _ in range(READS // threads):
            status, ms = request("GET", path)
            with lock:
                latencies.append(ms)
                statuses.append(status)

    started = time.perf_counter()
    workers = [threading.Thread(target=reader) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return summarise(name, latencies, statuses, time.perf_counter() - started)


def main():
    with tempfile.TemporaryDirectory() as folder:
        env = django_env(Path(folder) / "bench.sqlite3")
        manage(env, "migrate", "--no-input")
        manage(env, "load_questions")
        manage(env, "collectstatic", "--no-input")
        writers = prepare(env)
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "config.wsgi",
                "--bind",
                f"127.0.0.1:{PORT}",
                "--workers",
                "2",
                "--threads",
                "8",
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=env,
        )
        try:
            for _ in range(100):
                try:
                    if request("GET", "/healthz")[0] == 200:
                        break
                except OSError:
                    time.sleep(0.1)
            results = [
                autosave_load(writers),
                read_load("question list, search 'dropout'", "/questions/?q=dropout"),
                read_load("question detail", "/questions/dropout/"),
                read_load("healthz", "/healthz"),
            ]
        finally:
            server.terminate()
            server.wait(timeout=10)
    database = "PostgreSQL" if os.environ.get("DATABASE_URL") else "SQLite (WAL)"
    print(f"\nBenchmark on {database}, gunicorn 2 workers x 8 threads, 127.0.0.1:{PORT}")
    print(f"{'scenario':42} {'reqs':>5} {'err':>4} {'rps':>7} {'p50':>7} {'p95':>7} {'p99':>7}")
    for r in results:
        print(
            f"{r['name']:42} {r['requests']:5} {r['errors']:4} {r['throughput_rps']:7} "
            f"{r['p50_ms']:7} {r['p95_ms']:7} {r['p99_ms']:7}"
        )
    out = ROOT / "bench-results"
    out.mkdir(exist_ok=True)
    (out / "latest.json").write_text(
        json.dumps({"database": database, "results": results}, indent=2)
    )
    if any(r["errors"] for r in results):
        sys.exit("some requests failed")


if __name__ == "__main__":
    main()
