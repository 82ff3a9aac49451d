"""Pages kept whole in the cache per user (core.caching.kept_page): a repeat visit reads them,
and any change to the user's practice, made through the model as the views make it, shows at
once, because each change counts in `User.practice_version` in its own transaction."""

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from core.caching import CSRF_STAND_IN
from interviews.models import Interview
from questions.models import Question

pytestmark = pytest.mark.django_db


@pytest.fixture
def questions(bank):
    return list(Question.objects.filter(topic__slug="training").order_by("position")[:2])


def version(user):
    return User.objects.get(pk=user.pk).practice_version


def page(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_the_bank_and_history_follow_every_step_of_an_interview(
    user, user_client, questions, query_count
):
    first = questions[0]
    list_url = reverse("questions:list") + "?topic=training"
    assert "You practised it" not in page(user_client, list_url)
    assert query_count(lambda: page(user_client, list_url)) <= 4  # kept: session, user, bank

    now = timezone.now()
    before = version(user)
    interview = Interview.objects.start(
        user=user, questions=questions, seconds_per_question=600, now=now
    )
    assert version(user) > before
    assert "reference answers are paused" in page(user_client, list_url).replace("\n   ", "")
    assert "Resume" in page(user_client, reverse("progress:history"))

    answer = interview.advance(now)
    answer.submit("Gradient descent, one small step at a time.", now + timedelta(seconds=30))
    interview.finish(now + timedelta(minutes=1))
    body = page(user_client, list_url)
    assert "paused" not in body
    assert "not reviewed yet" in body
    assert "Finished · review" in page(user_client, reverse("progress:history"))

    answer.refresh_from_db()
    answer.reveal(4, now + timedelta(minutes=2))
    answer.record_review([1], None, "", now + timedelta(minutes=3))
    answer.refresh_from_db()
    score = f"score {round(answer.score * 100)}%"
    assert score in page(user_client, list_url)
    assert score.removeprefix("score ") in page(user_client, first.get_absolute_url())


def test_a_draft_saved_changes_no_kept_page(user, questions):
    interview = Interview.objects.start(
        user=user, questions=questions, seconds_per_question=600, now=timezone.now()
    )
    answer = interview.advance(timezone.now())
    before = version(user)
    answer.save_draft("A draft.", timezone.now())
    assert version(user) == before


def test_each_user_gets_their_own_page(user, user_client, other_user, other_client, questions):
    Interview.objects.start(
        user=user, questions=questions, seconds_per_question=600, now=timezone.now()
    )
    mine = page(user_client, reverse("questions:list"))
    theirs = page(other_client, reverse("questions:list"))
    assert "reference answers are paused" in mine.replace("\n   ", "")
    assert "paused" not in theirs
    assert f"Signed in as {user.username}" in mine
    assert f"Signed in as {other_user.username}" in theirs


def test_every_response_of_a_kept_page_carries_a_token_that_works(user, bank):
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    for _ in range(2):  # made, then read from the cache
        body = page(client, reverse("progress:progress"))
        assert CSRF_STAND_IN not in body
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1)
    response = client.post(
        reverse("progress:new_per_day"), {"new_questions_per_day": 7, "csrfmiddlewaretoken": token}
    )
    assert response.status_code == 302


def test_a_page_with_a_message_shows_it_once_and_a_setting_shows_at_once(user, user_client, bank):
    url = reverse("progress:progress")
    assert 'value="5"' in page(user_client, url)
    user_client.post(reverse("progress:new_per_day"), {"new_questions_per_day": 9})
    body = page(user_client, url)
    assert "Up to 9 new questions a day" in body
    body = page(user_client, url)
    assert "Up to 9 new questions a day" not in body
    assert 'value="9"' in body


def test_what_is_due_follows_the_clock(user, user_client, questions):
    # Mid-morning, so that "the next day" is not also "later today" (a run just before
    # midnight once saw "1 question due later today" five minutes after the review).
    start = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)  # TIME_ZONE is UTC in the tests
    interview = Interview.objects.start(
        user=user, questions=questions[:1], seconds_per_question=600, now=start
    )
    answer = interview.advance(start)
    answer.submit("Something", start + timedelta(seconds=20))
    interview.finish(start + timedelta(minutes=1))
    answer.refresh_from_db()
    answer.reveal(2, start + timedelta(minutes=2))
    answer.record_review([], 1, "", start + timedelta(minutes=3))  # Again: due the next day
    with time_machine.travel(start + timedelta(minutes=5), tick=False):
        body = page(user_client, "/")
        assert "Nothing due right now" in body
        assert "question due" not in body
        assert "Nothing due right now" in page(user_client, "/")  # kept for this minute
    with time_machine.travel(start + timedelta(days=3), tick=False):
        body = page(user_client, "/")
        assert "1 question due" in body
        assert "due later today" not in body


def test_an_account_made_again_with_the_same_id_reads_nothing_of_the_old_one(user, questions):
    # A restored or reused id and the same name: what was kept for the old account, under
    # the same count of changes, must not be served to the new one.
    old = Client()
    old.force_login(user)
    Interview.objects.start(
        user=user, questions=questions, seconds_per_question=600, now=timezone.now()
    )
    assert "Resume" in page(old, reverse("progress:history"))
    pk, name, count = user.pk, user.username, version(user)
    user.delete()
    again = User.objects.create_user(
        pk=pk, username=name, password="a-Str0ng-passphrase", date_joined=timezone.now()
    )
    User.objects.filter(pk=pk).update(practice_version=count)
    new = Client()
    new.force_login(again)
    body = page(new, reverse("progress:history"))
    assert "No interviews yet" in body
    assert "Resume" not in body


def test_no_kept_page_carries_a_reference_into_a_running_interview(user, user_client, questions):
    # Each page is first kept with its reference; once an interview starts, none of them (nor
    # a 304 for them) may reach the user again until it ends.
    question = Question.objects.get(slug="dropout")
    point = question.key_points.first().html
    urls = [question.get_absolute_url(), reverse("questions:list") + "?q=dropout"]
    detail = user_client.get(urls[0])
    assert point in detail.content.decode()
    for url in urls:
        page(user_client, url)
    interview = Interview.objects.start(
        user=user, questions=questions, seconds_per_question=600, now=timezone.now()
    )
    for url in urls:
        body = page(user_client, url)
        assert point not in body
        assert "Key points" not in body
        assert question.answer_html not in body
    again = user_client.get(urls[0], HTTP_IF_NONE_MATCH=detail["ETag"])
    assert again.status_code == 200
    assert point not in again.content.decode()
    interview.finish(timezone.now())
    assert point in page(user_client, urls[0])
