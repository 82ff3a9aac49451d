"""core.rows: one row by primary key, read as the ORM reads it."""

import pytest
from django.utils import timezone

from core.rows import RowByKey
from interviews.models import Answer, Interview

pytestmark = pytest.mark.django_db


@pytest.fixture
def answer(user, make_question):
    questions = [make_question(slug=f"q{i}", topic="t") for i in range(2)]
    interview = Interview.objects.start(
        user=user, questions=questions, seconds_per_question=60, now=timezone.now()
    )
    answer = interview.answers.get(position=1)
    answer.text, answer.saved_at = "a <draft> & more", timezone.now()
    answer.save()
    return answer


def test_named_fields_come_back_converted_as_the_orm_converts_them(answer):
    row = RowByKey(Answer, ["text", "saved_at"])
    expected = Answer.objects.filter(pk=answer.pk).values_list("text", "saved_at").get()
    assert row.values(answer.pk) == list(expected)
    assert timezone.is_aware(row.values(answer.pk)[1])  # SQLite stores it as text


def test_an_instance_is_the_one_the_orm_loads(answer):
    found = RowByKey(Answer).instance(answer.pk)
    loaded = Answer.objects.get(pk=answer.pk)
    fields = [field.attname for field in Answer._meta.concrete_fields]
    assert [getattr(found, name) for name in fields] == [getattr(loaded, name) for name in fields]
    assert found._state.adding is False


def test_a_missing_key_is_none(answer):
    assert RowByKey(Answer, ["text"]).values(answer.pk + 1000) is None
    assert RowByKey(Answer).instance(answer.pk + 1000) is None
