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
    assert 'hx-headers=\'{"x-csrftoken": "' in body


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
