import pytest
from django.core.cache import cache
from django.test import Client


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache (throttle counters, cached pages)."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def make_user(db, django_user_model):
    def make(username="candidate", password="a-Str0ng-passphrase", **extra):
        extra.setdefault("email", f"{username}@example.com")
        return django_user_model.objects.create_user(username=username, password=password, **extra)

    return make


@pytest.fixture
def user(make_user):
    return make_user()


@pytest.fixture
def other_user(make_user):
    return make_user(username="someone-else")


@pytest.fixture
def user_client(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def other_client(other_user):
    client = Client()
    client.force_login(other_user)
    return client


@pytest.fixture
def bank(db):
    """The shipped question bank, loaded from fixtures/."""
    from questions.bank import load_bank

    load_bank()


@pytest.fixture
def make_question(db):
    """A small question with its topic and key points, for tests that need few rows."""
    from django.utils import timezone

    from questions.models import BankVersion, KeyPoint, Question, Topic
    from questions.rendering import render_inline, render_markdown

    def make(slug="q", topic="topic", prompt=None, difficulty="basic", points=3, **extra):
        topic_obj, _ = Topic.objects.get_or_create(
            slug=topic, defaults={"name": topic.title(), "position": 1}
        )
        answer = extra.pop("answer", f"Reference answer for {slug}.")
        follow_ups = extra.pop(
            "follow_ups",
            [{"prompt": f"Follow-up for {slug}?", "answer": f"Follow-up answer for {slug}."}],
        )
        for follow_up in follow_ups:
            follow_up["answer_html"] = render_markdown(follow_up["answer"])
        question = Question.objects.create(
            slug=slug,
            prompt=prompt or f"Question {slug}?",
            topic=topic_obj,
            difficulty=difficulty,
            answer=answer,
            answer_html=render_markdown(answer),
            follow_ups=follow_ups,
            **extra,
        )
        KeyPoint.objects.bulk_create(
            KeyPoint(
                question=question,
                position=i,
                text=f"Key point {i} of {slug}",
                html=render_inline(f"Key point {i} of {slug}"),
            )
            for i in range(1, points + 1)
        )
        question.refresh_key_points_text()
        # Like load_questions: a changed bank is a new version (cached bank pages move on).
        BankVersion.bump(timezone.now())
        return question

    return make


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix, tmp_path_factory):
    """On SQLite, test in a file (WAL, IMMEDIATE, busy timeout) like `make run` does, not in
    Django's shared-cache memory database, where concurrent threads fail with "table is
    locked" instead of waiting: the concurrency tests then say something true on both
    databases."""
    from django.conf import settings

    database = settings.DATABASES["default"]
    if database["ENGINE"] == "django.db.backends.sqlite3":
        database.setdefault("TEST", {})["NAME"] = str(
            tmp_path_factory.mktemp("db") / "test.sqlite3"
        )


@pytest.fixture
def query_count():
    """How many database queries `call()` makes (to compare two sizes of data)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count(call):
        with CaptureQueriesContext(connection) as queries:
            call()
        return len(queries.captured_queries)

    return count


@pytest.fixture
def add_questions(db):
    """Add `count` questions in bulk (three key points, one seed ref each), over five topics."""
    from django.utils import timezone

    from questions.models import BankVersion, KeyPoint, Question, SeedRef, Source, Topic

    def add(count):
        source, _ = Source.objects.get_or_create(slug="extra", defaults={"title": "Extra"})
        topics = [
            Topic.objects.get_or_create(
                slug=f"extra-topic-{n}", defaults={"name": f"Extra topic {n}", "position": 20 + n}
            )[0]
            for n in range(5)
        ]
        start = Question.objects.count()
        questions = Question.objects.bulk_create(
            Question(
                slug=f"extra-{n}",
                prompt=f"Extra question {n}?",
                topic=topics[n % 5],
                difficulty=("basic", "advanced")[n % 2],
                position=n,
                answer=f"Reference answer {n}.",
                answer_html=f"<p>Reference answer {n}.</p>",
                follow_ups=[{"prompt": "Then?", "answer": "So.", "answer_html": "<p>So.</p>"}],
                key_points_text="one\ntwo\nthree",
            )
            for n in range(start, start + count)
        )
        KeyPoint.objects.bulk_create(
            KeyPoint(question=question, position=p, text=f"Point {p}", html=f"Point {p}")
            for question in questions
            for p in (1, 2, 3)
        )
        SeedRef.objects.bulk_create(
            SeedRef(question=question, source=source, number=question.slug)
            for question in questions
        )
        BankVersion.bump(timezone.now())
        return questions

    return add


@pytest.fixture
def version_query():
    """Queries a bank page makes for the bank's version: one, or none where the cache is shared
    by every process (Redis) and the version is read from it (questions.models.BankVersion)."""
    from django.core.cache import caches
    from django.core.cache.backends.redis import RedisCache

    return 0 if isinstance(caches["default"], RedisCache) else 1
