import pytest
from django.db import connection
from django.urls import reverse

from questions.models import Question, Source

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, django_user_model):
    admin = django_user_model.objects.create_superuser("boss", "boss@example.com", "pw-Admin-123")
    client.force_login(admin)
    return client


def test_admin_lists_searches_and_filters_questions(admin_client, bank):
    response = admin_client.get("/admin/questions/question/?q=dropout&difficulty__exact=basic")
    assert response.status_code == 200
    assert "dropout" in response.content.decode().lower()
    source = Source.objects.get(slug="analytics-vidhya-top-30")
    response = admin_client.get(
        reverse("admin:questions_question_changelist"), {"seed_refs__source__id__exact": source.pk}
    )
    shown = set(response.context["cl"].result_list.values_list("pk", flat=True))
    expected = set(Question.objects.filter(seed_refs__source=source).values_list("pk", flat=True))
    assert shown == expected
    assert len(expected) < Question.objects.count()


def test_admin_shows_the_bank_read_only_and_says_where_to_edit(admin_client, bank):
    question = Question.objects.get(slug="dropout")
    url = reverse("admin:questions_question_change", args=[question.pk])
    body = admin_client.get(url).content.decode()
    assert question.key_points.first().text in body
    assert "key_points-0-text" not in body  # no inputs: nothing here would survive a reload
    assert "fixtures/questions/&lt;topic&gt;.toml" in body
    response = admin_client.post(url, {"prompt": "Changed in the admin"})
    assert response.status_code == 403
    question.refresh_from_db()
    assert question.prompt != "Changed in the admin"
    assert admin_client.get(reverse("admin:questions_question_add")).status_code == 403


def test_non_staff_cannot_open_the_admin(user_client):
    response = user_client.get("/admin/questions/question/")
    assert response.status_code == 302
    assert "/admin/login/" in response.url


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the GIN index is PostgreSQL-only")
def test_search_vector_has_a_gin_index_on_postgresql():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexdef FROM pg_indexes WHERE indexname = 'question_search_vector_gin'"
        )
        (definition,) = cursor.fetchone()
    assert "gin (search_vector)" in definition
