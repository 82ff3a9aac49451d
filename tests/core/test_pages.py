import pytest
from django.test import RequestFactory
from django.views.defaults import server_error

pytestmark = pytest.mark.django_db


def test_home_is_public_and_offers_the_main_actions(client):
    response = client.get("/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Browse the questions" in body
    assert 'href="#main"' in body  # skip link
    assert "htmx" in body


def test_pages_carry_a_strict_content_security_policy(client):
    policy = client.get("/")["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "style-src 'self'" in policy
    assert "unsafe-inline" not in policy


def test_body_sends_the_csrf_token_to_htmx(client):
    body = client.get("/").content.decode()
    assert 'data-hx-headers=\'{"x-csrftoken": "' in body


def test_healthz_checks_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_healthz_reports_a_broken_database_as_503(client, monkeypatch):
    from django.db.backends.utils import CursorWrapper

    def broken(*args, **kwargs):
        raise RuntimeError("database is down")

    monkeypatch.setattr(CursorWrapper, "execute", broken)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["status"] == "error"


def test_unknown_url_gets_the_styled_404_page(client):
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()
    assert "site.css" in response.content.decode()


def test_500_page_renders_without_a_request_context():
    response = server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    assert "Something went wrong" in response.content.decode()


def test_wrong_method_is_405(client):
    assert client.post("/healthz").status_code == 405


def test_home_offers_to_resume_an_interview_in_progress(user, user_client, make_question):
    from django.utils import timezone

    from interviews.models import Interview

    interview = Interview.objects.start(
        user=user, questions=[make_question()], seconds_per_question=60, now=timezone.now()
    )
    body = user_client.get("/").content.decode()
    assert "Resume your interview" in body
    assert interview.get_absolute_url() in body


def test_a_database_that_never_answers_gives_a_quick_503_without_its_error_text(tmp_path):
    """A server that accepts connections and then says nothing: /healthz must answer 503 within
    the connect timeout instead of hanging the worker, and publish no driver error text."""
    import os
    import socket
    import subprocess
    import sys
    import threading
    import time

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    port = listener.getsockname()[1]
    held = []
    stop = threading.Event()

    def accept_and_stay_silent():
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(listener.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept_and_stay_silent, daemon=True)
    thread.start()
    script = (
        "import django, json; django.setup();"
        "from django.test import Client;"
        "r = Client().get('/healthz');"
        "print(json.dumps({'status': r.status_code, 'body': r.content.decode()}))"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": f"postgres://nobody:secretpw@127.0.0.1:{port}/hidden_db",
        "DB_CONNECT_TIMEOUT": "2",
        "SECRET_KEY": "test-only",
        "ALLOWED_HOSTS": "testserver",
    }
    started = time.monotonic()
    try:
        result = subprocess.run(
            [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=30
        )
    finally:
        stop.set()
        thread.join()
        for connection in held:
            connection.close()
        listener.close()
    elapsed = time.monotonic() - started
    import json

    outcome = json.loads(result.stdout.strip().splitlines()[-1])
    assert outcome["status"] == 503
    assert "hidden_db" not in outcome["body"]
    assert "nobody" not in outcome["body"]
    assert json.loads(outcome["body"]) == {"status": "error", "database": "unavailable"}
    assert elapsed < 15
