"""The bank's pages made once per bank version and cached; the user's overlay and 304s per
request (questions/pages.py)."""

import os
import re
import uuid
from datetime import timedelta

import pytest
from django.contrib import messages
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from core.caching import CSRF_STAND_IN
from interviews.models import Interview
from questions.bank import BankError, load_bank
from questions.models import BankVersion, Question
from tests.questions.test_bank import TOPIC, write_bank

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}
# One of each bank page: list, search, question, topics.
PAGES = ["/questions/", "/questions/?q=dropout", "/questions/dropout/", "/questions/topics/"]
REFERENCE_PAGES = PAGES[:3]  # the pages an interview in progress changes
CSRF_SECRET = "s" * 32  # one CSRF cookie for several clients: only the user tells them apart


def finish_practice(user, question, when=None):
    when = when or timezone.now()
    interview = Interview.objects.start(
        user=user, questions=[question], seconds_per_question=60, now=when
    )
    interview.advance(when).submit("my answer", when)
    interview.finish(when)
    return interview


def start_interview(user):
    questions = list(Question.objects.in_bank()[:2])
    interview = Interview.objects.start(
        user=user, questions=questions, seconds_per_question=600, now=timezone.now()
    )
    interview.advance(timezone.now())
    return interview


# --- the bank version ---------------------------------------------------------------------


def test_only_a_load_that_changes_something_makes_a_new_version(tmp_path):
    root = write_bank(tmp_path)
    load_bank(root)
    first = BankVersion.current()
    assert first == BankVersion.objects.values_list("token", "changed_at").get()
    assert first.changed_at <= timezone.now()
    load_bank(root)
    assert BankVersion.current() == first
    write_bank(root, topic=TOPIC.replace("The basics.", "The very basics."))
    load_bank(root)
    second = BankVersion.current()
    assert second.token != first.token
    write_bank(root, topic=TOPIC.replace("difficulty", "difficult"))
    with pytest.raises(BankError):
        load_bank(root)
    assert BankVersion.current() == second


def test_a_cached_page_changes_once_load_questions_changes_the_bank(
    client, tmp_path, query_count, version_query
):
    root = write_bank(tmp_path)
    load_bank(root)
    # Each page, and what it shows before and after the load.
    pages = [
        ("/questions/", "What is first?", "What comes first?"),
        ("/questions/?q=first", "What is <mark>first</mark>?", "What comes <mark>first</mark>?"),
        ("/questions/first/", "What is first?", "What comes first?"),
        ("/questions/topics/", "The basics.", "The very basics."),
    ]
    for url, before, _ in pages:
        assert before in client.get(url).content.decode()
        assert query_count(lambda url=url: client.get(url)) == version_query  # from the cache
    write_bank(
        root,
        topic=TOPIC.replace("What is first?", "What comes first?").replace(
            "The basics.", "The very basics."
        ),
    )
    load_bank(root)
    for url, before, after in pages:
        body = client.get(url).content.decode()
        assert before not in body, url
        assert after in body, url


@pytest.fixture(params=["local memory", "redis"])
def two_servers(request):
    """Two app servers' caches: each its own local memory, or two clients of one Redis
    (REDIS_URL). `on(n)` runs the code inside as server n."""
    if request.param == "redis":
        url = os.environ.get("REDIS_URL")
        if not url:
            pytest.skip("REDIS_URL is not set")
        redis = "django.core.cache.backends.redis.RedisCache"
        prefix = f"test-{uuid.uuid4().hex}"
        configs = [{"BACKEND": redis, "LOCATION": url, "KEY_PREFIX": prefix}] * 2
    else:
        memory = "django.core.cache.backends.locmem.LocMemCache"
        configs = [{"BACKEND": memory, "LOCATION": f"server-{n}"} for n in (0, 1)]

    def on(server):
        # A new cache client each time: nothing is remembered in this process between calls.
        return override_settings(CACHES={"default": configs[server]})

    yield on
    for server in (0, 1):
        with on(server):
            cache.clear()


def test_no_server_serves_an_older_bank_after_a_load_on_another(client, tmp_path, two_servers):
    root = write_bank(tmp_path)
    load_bank(root)
    url = "/questions/first/"
    for server in (0, 1):
        with two_servers(server):
            assert "What is first?" in client.get(url).content.decode()
    with two_servers(1):  # the load runs beside server 1 and tells no cache about it
        write_bank(root, topic=TOPIC.replace("What is first?", "What comes first?"))
        load_bank(root)
    for server in (0, 1, 0):
        with two_servers(server):
            body = client.get(url).content.decode()
        assert "What comes first?" in body
        assert "What is first?" not in body


# --- what is cached, what is not ------------------------------------------------------------


def test_htmx_fragments_are_cached_apart_from_full_pages(client, bank, query_count, version_query):
    url = "/questions/?q=attention"
    fragment = client.get(url, **HTMX)
    full = client.get(url)
    for _ in range(2):
        page = client.get(url).content.decode()
        assert "<html" in page
        assert 'role="search"' in page
        assert '<section id="results"' in page
        again = client.get(url, **HTMX).content.decode()
        assert again.lstrip().startswith('<section id="results"')
        assert "<html" not in again
        assert 'role="search"' not in again
    assert query_count(lambda: client.get(url, **HTMX)) == version_query
    assert query_count(lambda: client.get(url)) == version_query
    assert fragment["ETag"] != full["ETag"]
    assert client.get(url, HTTP_IF_NONE_MATCH=fragment["ETag"]).status_code == 200
    restore = client.get(url, **HTMX, HTTP_HX_HISTORY_RESTORE_REQUEST="true")
    assert "<html" in restore.content.decode()
    for response in (fragment, full):
        assert {"Cookie", "HX-Request"} <= {v.strip() for v in response["Vary"].split(",")}


def test_the_practice_overlay_is_the_users_own_on_a_cached_page(
    user, user_client, other_client, make_question
):
    question = make_question(slug="done", prompt="Practised prompt")
    make_question(slug="not-done", prompt="Another prompt")
    for url in ("/questions/", question.get_absolute_url()):
        other_client.get(url)  # the shared part is now cached
    finish_practice(user, question)
    listing = user_client.get("/questions/").content.decode()
    detail = user_client.get(question.get_absolute_url()).content.decode()
    rows = {
        re.search(r'href="/questions/([^/]+)/"', row).group(1): row
        for row in listing.split('<li class="question-item">')[1:]
    }
    assert "You practised it" in rows["done"]
    assert "You practised it" not in rows["not-done"]
    assert "You last practised it" in detail
    assert "Your attempts" in detail
    for url in ("/questions/", question.get_absolute_url()):
        body = other_client.get(url).content.decode()
        assert "You practised it" not in body
        assert "You last practised it" not in body
        assert "Your attempts" not in body


def test_a_paused_user_never_gets_the_cached_page_made_with_references(
    user, user_client, other_client, make_question
):
    question = make_question(
        slug="secret",
        prompt="A plain prompt?",
        answer="The reference says refsecret.",
        follow_ups=[{"prompt": "fusecret?", "answer": "fuanswersecret."}],
    )
    urls = [question.get_absolute_url(), "/questions/?q=point", "/questions/?q=plain"]
    # Others' visits cache the pages made with references.
    for client in (Client(), other_client):
        assert "refsecret" in client.get(urls[0]).content.decode()
        assert "Key <mark>point</mark> 1 of secret" in client.get(urls[1]).content.decode()
        client.get(urls[2])
    start_interview(user)
    for url in urls:
        for headers in ({}, HTMX):
            body = user_client.get(url, **headers).content.decode()
            for secret in ("refsecret", "fusecret", "fuanswersecret", "Key point 1 of secret"):
                assert secret not in body, (url, secret)
    assert "Reference answers are paused" in user_client.get(urls[0]).content.decode()
    assert "No questions match" in user_client.get(urls[1]).content.decode()


# --- ETag, Last-Modified and 304 --------------------------------------------------------------


def test_an_anonymous_repeat_visit_gets_304_until_the_bank_changes(client, bank):
    first = {url: client.get(url) for url in PAGES}
    for url, response in first.items():
        assert response["ETag"]
        assert response["Last-Modified"]
        assert "private" in response["Cache-Control"]
        assert "no-cache" in response["Cache-Control"]
        for validator in (
            {"HTTP_IF_NONE_MATCH": response["ETag"]},
            {"HTTP_IF_MODIFIED_SINCE": response["Last-Modified"]},
        ):
            repeat = client.get(url, **validator)
            assert repeat.status_code == 304, (url, validator)
            assert repeat.content == b""
            assert repeat["ETag"] == response["ETag"]
    BankVersion.bump(timezone.now() + timedelta(seconds=2))
    for url, response in first.items():
        assert client.get(url, HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 200
        assert client.get(url, HTTP_IF_MODIFIED_SINCE=response["Last-Modified"]).status_code == 200


def test_a_signed_in_repeat_visit_gets_304_by_etag_only(user_client, bank):
    for url in PAGES:
        response = user_client.get(url)
        assert response["ETag"]
        # A date cannot tell two users apart: signed-in pages are revalidated by ETag alone.
        assert "Last-Modified" not in response
        assert user_client.get(url, HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 304
        since = {"HTTP_IF_MODIFIED_SINCE": "Sat, 01 Jan 2050 00:00:00 GMT"}
        assert user_client.get(url, **since).status_code == 200


def test_a_304_is_never_served_across_users(bank, user, other_user):
    anonymous, first, second = Client(), Client(), Client()
    first.force_login(user)
    second.force_login(other_user)
    clients = (anonymous, first, second)
    for client in clients:
        client.cookies["csrftoken"] = CSRF_SECRET
    for url in PAGES:
        etags = [client.get(url)["ETag"] for client in clients]
        assert len(set(etags)) == 3, url
        for client in clients:
            for etag in etags:
                status = client.get(url, HTTP_IF_NONE_MATCH=etag).status_code
                assert status == (304 if etag == client.get(url)["ETag"] else 200), url


def test_a_304_is_never_served_across_paused_and_unpaused(user, user_client, bank):
    open_etags = {url: user_client.get(url)["ETag"] for url in REFERENCE_PAGES}
    interview = start_interview(user)
    paused_etags = {}
    for url, etag in open_etags.items():
        response = user_client.get(url, HTTP_IF_NONE_MATCH=etag)
        assert response.status_code == 200, url
        assert "paused" in response.content.decode()
        paused_etags[url] = response["ETag"]
        assert user_client.get(url, HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 304
    interview.finish(timezone.now())
    for url, etag in paused_etags.items():
        response = user_client.get(url, HTTP_IF_NONE_MATCH=etag)
        assert response.status_code == 200, url
        assert "paused" not in response.content.decode()


def test_a_304_changes_with_the_users_own_practice(user, user_client, bank):
    question = Question.objects.get(slug="dropout")
    urls = ["/questions/?q=dropout", question.get_absolute_url()]
    etags = {url: user_client.get(url)["ETag"] for url in urls}
    finish_practice(user, question)
    for url, etag in etags.items():
        response = user_client.get(url, HTTP_IF_NONE_MATCH=etag)
        assert response.status_code == 200, url
        assert "practised it" in response.content.decode()


def test_a_page_that_shows_a_message_is_never_a_304(client, bank):
    url = "/questions/dropout/"
    etag = client.get(url)["ETag"]
    storage, carrier = CookieStorage(HttpRequest()), HttpResponse()
    storage.add(messages.SUCCESS, "Your account was deleted.")
    storage.update(carrier)
    client.cookies["messages"] = carrier.cookies["messages"].value
    response = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 200
    assert "Your account was deleted." in response.content.decode()
    assert "ETag" not in response
    assert "Last-Modified" not in response
    # Shown once; the page without it is the one the browser holds.
    assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304


def test_each_visitor_of_a_cached_anonymous_page_gets_a_working_csrf_token(
    bank, query_count, version_query
):
    Client().get("/questions/")  # the whole page is cached now
    tokens = []
    for _ in range(2):
        visitor = Client(enforce_csrf_checks=True)
        assert query_count(lambda visitor=visitor: visitor.get("/questions/")) == version_query
        body = visitor.get("/questions/").content.decode()
        token = re.search(r'"x-csrftoken": "([^"]+)"', body).group(1)
        assert CSRF_STAND_IN not in body
        tokens.append(token)
        login = {"username": "nobody", "password": "wrong", "csrfmiddlewaretoken": token}
        assert visitor.post(reverse("login"), login).status_code == 200
        without = {**login, "csrfmiddlewaretoken": ""}
        assert visitor.post(reverse("login"), without).status_code == 403
    assert tokens[0] != tokens[1]


def test_a_new_csrf_cookie_means_a_full_page(client, bank):
    """The page's CSRF tokens are made from the cookie's secret: a page held from before the
    secret changed (log-in, log-out, cleared cookies) would post with a stale token."""
    url = "/questions/"
    etag = client.get(url)["ETag"]
    client.cookies["csrftoken"] = CSRF_SECRET
    assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 200


def test_a_cache_that_fails_costs_the_render_not_the_page(client, make_question, monkeypatch):
    """Redis down: the bank's pages are rendered without the cache, never a 500."""
    from django.core.cache import cache

    make_question(slug="still-here", prompt="Is the page still served?")

    def broken(*args, **kwargs):
        raise ConnectionError("the cache does not answer")

    monkeypatch.setattr(cache, "get", broken)
    monkeypatch.setattr(cache, "set", broken)
    for url in ("/questions/", "/questions/still-here/", "/questions/topics/"):
        response = client.get(url)
        assert response.status_code == 200
    assert "Is the page still served?" in client.get("/questions/").content.decode()


def test_with_redis_the_version_is_read_from_it_and_a_load_replaces_it_as_it_commits(
    bank, version_query, query_count, django_capture_on_commit_callbacks
):
    if version_query:
        pytest.skip("the cache is this process's own memory: the version is read from the db")
    first = BankVersion.current()
    assert query_count(BankVersion.current) == 0
    with django_capture_on_commit_callbacks(execute=True):
        BankVersion.bump(timezone.now())
        # A reader that read the old version from the database before the load committed,
        # and adds it now: the version written at commit must win.
        cache.add(BankVersion.SHARED_KEY, tuple(first), BankVersion.SHARED_SECONDS)
    newest = BankVersion.objects.get()
    assert query_count(BankVersion.current) == 0
    assert BankVersion.current().token == newest.token != first.token
