"""Benchmark: each page's requests per second as a share of a bare view in the same run.

    make bench                                                       # throwaway SQLite file
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/dl_bench make bench   # a throwaway database
    REDIS_URL=redis://127.0.0.1:6379/1 DATABASE_URL=... make bench   # shared cache and sessions

gunicorn (BENCH_WORKERS sync workers, 4) serves the app on 127.0.0.1 with production settings
plus /bench/bare/, a view returning "ok" behind the same middleware (bench/urls.py). Each page
gets a fixed number of requests over BENCH_CONCURRENCY (16) connections at once, after a
warm-up round. Machines here are noisy, so only the ratio to the bare view, measured before
and after the pages, is compared with the targets of issue 15. Every response must be a 200
with the page's own content: anything else is counted as failed, and the run exits non-zero.

Environment: BENCH_REQUESTS (per page, 960), BENCH_BARE_REQUESTS (4800), BENCH_MAX_SECONDS
(a slower page stops early, 20), BENCH_CONCURRENCY (16, also the number of candidates),
BENCH_HISTORY (interviews of the account history and progress are read as, 1000), BENCH_READER
(interviews of the account bank pages are read as, 10; BENCH_BANK_AS=history reads them as the
other), BENCH_WORKERS (4), BENCH_QUERY (the search, "batch norm"), BENCH_STRICT=1 (exit
non-zero when a target is missed too). Results: a table, and bench-results/latest.json.
"""

import http.client
import json
import os
import platform
import statistics
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote, urlencode

from bench.servers import (
    ROOT,
    Server,
    cookie_header,
    csrf_token,
    delete_keys,
    environment,
    prepare_database,
    request,
    seed,
)

REQUESTS = int(os.environ.get("BENCH_REQUESTS", "960"))
BARE_REQUESTS = int(os.environ.get("BENCH_BARE_REQUESTS", "4800"))
CONCURRENCY = int(os.environ.get("BENCH_CONCURRENCY", "16"))
HISTORY = int(os.environ.get("BENCH_HISTORY", "1000"))
READER = int(os.environ.get("BENCH_READER", "10"))
# Bank pages are read by an account with READER interviews; "history" reads them as the
# account with HISTORY interviews instead (the per-user overlay at its largest).
BANK_AS = os.environ.get("BENCH_BANK_AS", "reader")
# A page this slow stops early (the table says how many requests it made), so that a run stays
# within minutes whatever state the app is in.
MAX_SECONDS = float(os.environ.get("BENCH_MAX_SECONDS", "20"))
WORKERS = int(os.environ.get("BENCH_WORKERS", "4"))
QUERY = os.environ.get("BENCH_QUERY", "batch norm")
STRICT = os.environ.get("BENCH_STRICT", "") not in ("", "0")

AUTOSAVE = "autosave (POST, htmx)"

# One request: (method, path, headers, body) for client `index`'s `number`-th request.
type Call = tuple[str, str, dict[str, str], bytes | None]


@dataclass
class Page:
    name: str
    build: Callable[[int, int], Call]
    # What a right answer contains (a login page or an error page would not).
    expect: bytes
    # Issue 15's budget: requests/s as a share of the bare view's, and p99 latency.
    target_share: float | None = None
    target_p99_ms: float | None = None
    requests: int = REQUESTS


def split(requests: int) -> list[int]:
    """How many of `requests` each connection sends."""
    return [requests // CONCURRENCY + (i < requests % CONCURRENCY) for i in range(CONCURRENCY)]


def measure(port: int, page: Page) -> dict:
    """`page.requests` requests over CONCURRENCY connections at once, after a warm-up round."""
    latencies: list[float] = []
    failures: Counter[str] = Counter()
    warm_up_failures: Counter[str] = Counter()
    lock = threading.Lock()
    shares = split(page.requests)
    sent = [0] * CONCURRENCY

    def one(index: int, number: int, record: bool) -> None:
        method, path, headers, body = page.build(index, number)
        started = time.perf_counter()
        try:
            response = request(port, method, path, headers=headers, body=body)
            problem = (
                f"HTTP {response.status}"
                if response.status != 200
                else ("unexpected content" if page.expect not in response.body else "")
            )
        except (OSError, http.client.HTTPException) as error:
            problem = type(error).__name__
        ms = (time.perf_counter() - started) * 1000
        with lock:
            if problem:
                (failures if record else warm_up_failures)[problem] += 1
            elif record:
                latencies.append(ms)

    def client(index: int, barrier: threading.Barrier) -> None:
        one(index, -1, record=False)  # warm-up: connections, templates, caches
        barrier.wait()
        stop = time.perf_counter() + MAX_SECONDS
        for number in range(shares[index]):
            one(index, number, record=True)
            sent[index] = number + 1
            if time.perf_counter() > stop:
                break

    barrier = threading.Barrier(CONCURRENCY + 1)
    threads = [threading.Thread(target=client, args=(i, barrier)) for i in range(CONCURRENCY)]
    for thread in threads:
        thread.start()
    barrier.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - started
    latencies.sort()

    def percentile(q: float) -> float | None:
        if not latencies:
            return None
        return round(latencies[min(len(latencies) - 1, int(q * len(latencies)))], 1)

    return {
        "page": page.name,
        "requests": sum(sent),
        "sent_by_connection": sent,
        "failed": sum(failures.values()),
        "failures": dict(failures),
        "warm_up_failures": dict(warm_up_failures),
        "seconds": round(seconds, 2),
        # Only right answers count: a fast error page is not throughput.
        "rps": round(len(latencies) / seconds, 1),
        "p50_ms": round(statistics.median(latencies), 1) if latencies else None,
        "p99_ms": percentile(0.99),
        "target_share": page.target_share,
        "target_p99_ms": page.target_p99_ms,
    }


def candidate_headers(port: int, candidates: list[dict]) -> list[dict[str, str]]:
    """Each candidate's cookies and htmx headers, as the take page's autosave sends them."""
    headers = []
    for candidate in candidates:
        cookies = {"sessionid": candidate["session"]}
        take = request(port, "GET", candidate["take"], headers={"Cookie": cookie_header(cookies)})
        if take.status != 200:
            sys.exit(f"{candidate['username']}'s take page answered {take.status}, not 200.")
        cookies.update(take.cookies)
        headers.append(
            {
                "Cookie": cookie_header(cookies),
                "X-CSRFToken": csrf_token(take.body),
                "Origin": f"http://127.0.0.1:{port}",
                "HX-Request": "true",
                "HX-Current-URL": f"http://127.0.0.1:{port}{candidate['take']}",
                "HX-Target": "save-status",
                "HX-Trigger": "answer-text",
                "HX-Trigger-Name": "text",
                "Content-Type": "application/x-www-form-urlencoded",
            }
        )
    return headers


def draft_text(run_id: str, index: int, number: int) -> str:
    return f"Draft {number} of candidate {index} in run {run_id}: " + "gradient " * 60


def draft(run_id: str, index: int, number: int) -> bytes:
    return urlencode({"text": draft_text(run_id, index, number)}).encode()


def pages(port: int, data: dict, run_id: str) -> list[Page]:
    candidates = data["candidates"]
    htmx = candidate_headers(port, candidates)
    member = {"Cookie": f"sessionid={data['history']['session']}"}
    reader = {"Cookie": f"sessionid={data[BANK_AS]['session']}"}
    # What a browser sends with the take page: its session and CSRF cookies.
    take_cookies = [{"Cookie": headers["Cookie"]} for headers in htmx]

    def get(path: str, headers: dict[str, str] | None = None) -> Callable[[int, int], Call]:
        return lambda index, number: ("GET", path, headers or {}, None)

    return [
        Page(
            AUTOSAVE,
            lambda i, n: ("POST", candidates[i]["autosave"], htmx[i], draft(run_id, i, n)),
            b"save-status",
            0.20,
            80,
        ),
        Page(
            "take page",
            lambda i, n: ("GET", candidates[i]["take"], take_cookies[i], None),
            b"answer-text",
            0.15,
        ),
        Page("question list", get("/questions/", reader), b"</html>", 0.25),
        Page("search", get(f"/questions/?q={quote(QUERY)}", reader), b"</html>", 0.25),
        Page("question detail", get(data["question"], reader), b"</html>", 0.25),
        Page(f"history ({HISTORY:,} interviews)", get("/history/", member), b"</html>", 0.10),
        Page(f"progress ({HISTORY:,} interviews)", get("/progress/", member), b"</html>", 0.10),
        Page("home (anonymous)", get("/"), b"</html>"),
    ]


def autosaves_kept(port: int, candidates: list[dict], sent: list[int], run_id: str) -> list[str]:
    """Each candidate's take page shows the last draft it sent: no save was lost or crossed."""
    from django.utils.html import escape

    lost = []
    for index, (candidate, count) in enumerate(zip(candidates, sent, strict=True)):
        # The warm-up round sent draft -1, then the measured ones 0 .. count - 1.
        expected = escape(draft_text(run_id, index, count - 1)).encode()
        cookie = {"Cookie": f"sessionid={candidate['session']}"}
        page = request(port, "GET", candidate["take"], headers=cookie)
        if expected not in page.body:
            lost.append(candidate["username"])
    return lost


def verdict(row: dict) -> str:
    if row["failed"]:
        return f"FAIL ({row['failed']} failed)"
    if row["warm_up_failures"]:
        return "FAIL (in warm-up)"
    if row["target_share"] is None:
        return ""
    met = row["share"] >= row["target_share"]
    if row["target_p99_ms"] is not None:
        met = met and row["p99_ms"] <= row["target_p99_ms"]
    return "pass" if met else "miss"


def target_text(row: dict) -> str:
    if row["target_share"] is None:
        return ""
    text = f">= {row['target_share']:.0%}"
    if row["target_p99_ms"] is not None:
        text += f", p99 <= {row['target_p99_ms']:.0f} ms"
    return text


# (heading, width, alignment) of each column of the table.
COLUMNS = [
    ("page", 30, "<"),
    ("reqs", 5, ">"),
    ("failed", 6, ">"),
    ("req/s", 8, ">"),
    ("of bare", 8, ">"),
    ("p50 ms", 7, ">"),
    ("p99 ms", 7, ">"),
    ("target", 24, "<"),
    ("result", 6, "<"),
]


def table_line(cells: list[object]) -> str:
    return "  ".join(
        f"{'-' if cell is None else cell!s:{align}{width}}"
        for cell, (_, width, align) in zip(cells, COLUMNS, strict=True)
    ).rstrip()


def print_table(header: str, rows: list[dict]) -> None:
    print(f"\n{header}\n")
    print(table_line([heading for heading, _, _ in COLUMNS]))
    print(table_line(["-" * width for _, width, _ in COLUMNS]))
    for row in rows:
        share = None if row["share"] is None else f"{row['share']:.1%}"
        cells = [row["page"], row["requests"], row["failed"], row["rps"], share]
        print(table_line([*cells, row["p50_ms"], row["p99_ms"], target_text(row), row["result"]]))


def main() -> None:
    run_id = uuid.uuid4().hex[:8]
    with tempfile.TemporaryDirectory(prefix="bench-") as folder_name:
        folder = Path(folder_name)
        # Keys of this run only, whatever else the Redis (if any) holds.
        env = environment(folder, CACHE_KEY_PREFIX=f"bench-{run_id}")
        started = time.perf_counter()
        prepare_database(env)
        data = seed(env, CONCURRENCY, HISTORY, READER)
        print(f"Prepared in {time.perf_counter() - started:.0f} s: {data['config']}", flush=True)
        bare = Page(
            "bare view",
            lambda i, n: ("GET", "/bench/bare/", {}, None),
            b"ok",
            requests=BARE_REQUESTS,
        )
        with Server(env, folder / "gunicorn.log", workers=WORKERS) as server:
            try:
                before = measure(server.port, bare)
                measured = [measure(server.port, page) for page in pages(server.port, data, run_id)]
                after = measure(server.port, bare)
                autosave = next(row for row in measured if row["page"] == AUTOSAVE)
                lost = autosaves_kept(
                    server.port, data["candidates"], autosave["sent_by_connection"], run_id
                )
            except BaseException:
                print(server.log_tail(), file=sys.stderr)
                raise
            errors_logged = server.log_tail()
        if env.get("REDIS_URL"):
            delete_keys(env["REDIS_URL"], env["CACHE_KEY_PREFIX"])
    bare_rps = statistics.mean([before["rps"], after["rps"]])
    bare_row = {
        **before,
        "requests": before["requests"] + after["requests"],
        "failed": before["failed"] + after["failed"],
        "warm_up_failures": before["warm_up_failures"] or after["warm_up_failures"],
        "rps": round(bare_rps, 1),
        "rps_before": before["rps"],
        "rps_after": after["rps"],
        "p50_ms": round(statistics.mean([before["p50_ms"] or 0, after["p50_ms"] or 0]), 1),
        "p99_ms": max(before["p99_ms"] or 0, after["p99_ms"] or 0),
    }
    rows = [bare_row, *measured]
    for row in rows:
        row["share"] = round(row["rps"] / bare_rps, 4) if bare_rps else None
        row["result"] = verdict(row)
    config = data["config"]
    header = (
        f"Benchmark on {config['database']}, cache {config['cache']}, "
        f"sessions {config['sessions']}; "
        f"gunicorn {WORKERS} sync workers, {CONCURRENCY} connections; bank pages read by an "
        f"account with {READER if BANK_AS == 'reader' else HISTORY} interviews; bare view "
        f"{before['rps']} req/s before the pages, {after['rps']} after"
    )
    print_table(header, rows)
    if lost:
        print(f"\nAutosave lost or crossed: not the last draft on the take page of {lost}")
    if errors_logged:
        print(f"\nThe server logged:\n{errors_logged}")
    out = ROOT / "bench-results"
    out.mkdir(exist_ok=True)
    (out / "latest.json").write_text(
        json.dumps(
            {
                "when": datetime.now(UTC).isoformat(timespec="seconds"),
                "machine": {
                    "cpus": os.cpu_count(),
                    "load": os.getloadavg(),
                    "python": platform.python_version(),
                },
                "config": config,
                "workers": WORKERS,
                "concurrency": CONCURRENCY,
                "history_interviews": HISTORY,
                "bank_pages_account_interviews": READER if BANK_AS == "reader" else HISTORY,
                "autosaves_lost": lost,
                "rows": rows,
            },
            indent=2,
        )
        + "\n"
    )
    print("\nWritten to bench-results/latest.json")
    if lost or any(row["result"].startswith("FAIL") for row in rows):
        sys.exit("Some requests failed (see the table).")
    if STRICT and any(row["result"] == "miss" for row in rows):
        sys.exit("Some pages missed their target.")


if __name__ == "__main__":
    main()
