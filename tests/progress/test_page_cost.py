"""History, progress and home do the same work with 150 interviews as with 1,000.

Query counts alone would not show it (one query can read every answer), so this measures the
work itself: on SQLite, the virtual-machine instructions the database ran for the page (its
progress handler, called at every instruction); on PostgreSQL, the rows every scan of every
query read, kept or filtered out, by EXPLAIN ANALYZE. And no query of these pages reads the
answers table at all: each interview's numbers and the user's tallies stand in for it.
"""

import json

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from questions.models import Question

from .test_progress import bulk_history

pytestmark = pytest.mark.django_db
PAGES = ["/history/", "/history/?page=3", "/progress/", "/"]
SCANS = {"Seq Scan", "Index Scan", "Index Only Scan", "Bitmap Heap Scan"}


def page_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return [query["sql"] for query in queries.captured_queries]


def instructions(client, url):
    """SQLite: virtual-machine instructions run while the page was served."""
    count = 0

    def tick():
        nonlocal count
        count += 1
        return 0  # carry on

    connection.ensure_connection()
    connection.connection.set_progress_handler(tick, 1)
    try:
        assert client.get(url).status_code == 200
    finally:
        connection.connection.set_progress_handler(None, 1)
    return count


def rows_read(plan):
    """Rows the scans of an EXPLAIN ANALYZE plan read, kept or filtered out, in every loop."""
    own = 0
    if plan["Node Type"] in SCANS:
        own = (plan["Actual Rows"] + plan.get("Rows Removed by Filter", 0)) * plan["Actual Loops"]
    return own + sum(rows_read(child) for child in plan.get("Plans", []))


def rows_read_by_page(client, url):
    """PostgreSQL: rows read by the page's queries, with the planner's statistics up to date
    (so it chooses as it would on a live database)."""
    sqls = page_queries(client, url)
    total = 0
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
        for sql in sqls:
            if sql.lstrip().upper().startswith("SELECT"):
                cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + sql)
                plan = cursor.fetchone()[0]
                total += rows_read(
                    (plan if isinstance(plan, list) else json.loads(plan))[0]["Plan"]
                )
    return total


def work(client):
    """The work of making each page: pages kept in the cache are forgotten first."""
    measure = instructions if connection.vendor == "sqlite" else rows_read_by_page
    result = {}
    for url in PAGES:
        cache.clear()
        result[url] = measure(client, url)
    return result


@pytest.mark.skipif(
    connection.vendor not in ("sqlite", "postgresql"), reason="measured on SQLite and PostgreSQL"
)
def test_pages_do_the_same_work_however_long_the_history(user, user_client, bank):
    questions = list(Question.objects.filter(topic__slug="training").order_by("position")[:2])
    # 150: more than a history page and the chart's 100 points, so both show all they can.
    bulk_history(user, questions, 150)
    small = work(user_client)
    bulk_history(user, questions, 850, start=150)
    large = work(user_client)
    if connection.vendor == "sqlite":
        assert large == small
    else:
        # With 150 interviews the planner may read the whole (small) table where 1,000 take
        # an index: the work may shrink as the history grows, never grow.
        assert all(large[url] <= small[url] for url in PAGES), (small, large)
    for url in PAGES:
        assert not any("interviews_answer" in sql for sql in page_queries(user_client, url))
