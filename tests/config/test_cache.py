"""The cache and the sessions: Redis when REDIS_URL is set, so that several app servers share
them; local memory and database sessions otherwise. CI runs the PostgreSQL suite with a real
Redis, so the tests marked `needs_redis` run there against it."""

import json
import os
import uuid
from importlib import import_module

import pytest
from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache

from tests.config.test_settings import run_manage

needs_redis = pytest.mark.skipif(
    not os.environ.get("REDIS_URL"),
    reason="REDIS_URL is not set, so the cache is local memory (CI sets it for PostgreSQL)",
)

SHOW_SETTINGS = (
    "import json; from django.conf import settings; "
    "print(json.dumps([settings.CACHES['default'], settings.SESSION_ENGINE]))"
)


def settings_with(**env):
    result = run_manage("shell", "-c", SHOW_SETTINGS, SECRET_KEY="not-secret", **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_without_redis_the_cache_is_local_memory_and_sessions_are_in_the_database():
    cache, sessions = settings_with(REDIS_URL="")
    assert cache["BACKEND"] == "django.core.cache.backends.locmem.LocMemCache"
    # Local memory is per process: a session cached there would outlive a log-out made in
    # another worker. So sessions are read from the database, which every worker shares.
    assert sessions == "django.contrib.sessions.backends.db"


def test_with_redis_the_cache_and_the_sessions_are_shared_through_it():
    cache, sessions = settings_with(REDIS_URL="redis://redis.example:6379/4")
    assert cache["BACKEND"] == "core.caching.RedisCache"
    assert cache["LOCATION"] == "redis://redis.example:6379/4"
    assert sessions == "django.contrib.sessions.backends.cached_db"


@needs_redis
def test_the_cache_is_the_redis_of_redis_url():
    assert isinstance(caches["default"], RedisCache)
    assert settings.CACHES["default"]["LOCATION"] == os.environ["REDIS_URL"]


@needs_redis
def test_redis_sets_gets_and_deletes():
    cache = caches["default"]
    key = f"test-cache-{uuid.uuid4().hex}"
    assert cache.get(key) is None
    cache.set(key, {"answer": [4, 2]}, timeout=60)
    assert cache.get(key) == {"answer": [4, 2]}
    assert cache.add(key, "other") is False
    cache.delete(key)
    assert cache.get(key) is None


@needs_redis
def test_two_connections_share_what_one_stored():
    """What two app servers do: each has its own connection to the same Redis."""
    import redis

    first, second = caches.create_connection("default"), caches.create_connection("default")
    key = f"test-cache-{uuid.uuid4().hex}"
    first.set(key, "written by the first", timeout=60)
    assert second.get(key) == "written by the first"
    assert redis.Redis.from_url(os.environ["REDIS_URL"]).exists(first.make_and_validate_key(key))
    second.delete(key)
    assert first.get(key) is None


@needs_redis
def test_a_session_is_read_from_redis_without_a_query(db, django_assert_num_queries):
    engine = import_module(settings.SESSION_ENGINE)
    session = engine.SessionStore()
    session["seen"] = "yes"
    session.save()
    with django_assert_num_queries(0):
        assert engine.SessionStore(session.session_key)["seen"] == "yes"
    # Written through to the database too: a Redis restart signs nobody out.
    caches["default"].clear()
    assert engine.SessionStore(session.session_key)["seen"] == "yes"


@needs_redis
def test_the_redis_client_is_made_once_and_reused():
    # Django makes a redis.Redis for every call; ours keeps one per pool (core.caching).
    client = caches["default"]._cache
    assert client.get_client() is client.get_client()
    assert client.get_client(write=True) is client.get_client(write=True)
    key = f"reused-{uuid.uuid4()}"
    caches["default"].set(key, "kept", 30)
    assert caches["default"].get(key) == "kept"
    caches["default"].delete(key)
