"""manage.py seed_demo: a demo account with six weeks of practice, for development only."""

import io
import re
from datetime import UTC, datetime, timedelta
from unittest import mock

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.test import Client, override_settings
from django.urls import reverse

from interviews.models import Answer, Interview
from repetition import schedule
from repetition.models import Card, Review

pytestmark = pytest.mark.django_db
# Midday, so that "today" has room for today's round whatever the hour the suite runs at.
NOW = datetime(2026, 5, 14, 12, 0, tzinfo=UTC)


@pytest.fixture
def debug(settings):
    settings.DEBUG = True


@pytest.fixture
def frozen_now():
    """The command, the views and the test all read this clock."""
    with mock.patch("django.utils.timezone.now", return_value=NOW):
        yield NOW


def seed(*args):
    out = io.StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def credentials(output):
    match = re.search(r"user name (\S+), password (\S+)", output)
    assert match, output
    return match.group(1), match.group(2)


def log_in(username, password):
    client = Client()
    response = client.post(reverse("login"), {"username": username, "password": password})
    assert response.status_code == 302, "the printed password logs in"
    return client


@override_settings(DEBUG=False)
def test_refuses_when_debug_is_off():
    with pytest.raises(CommandError, match="DEBUG is off"):
        seed()
    assert not get_user_model().objects.exists()


@override_settings(DEBUG=False)
def test_force_runs_with_debug_off():
    # Past the DEBUG check, it stops at the next one: the bank is empty here.
    with pytest.raises(CommandError, match="load_questions"):
        seed("--force")


def test_refuses_on_an_empty_bank(debug):
    with pytest.raises(CommandError, match="manage.py load_questions"):
        seed()
    assert not get_user_model().objects.exists()


def test_refuses_an_invalid_user_name(debug):
    with pytest.raises(CommandError, match="not a valid user name"):
        seed("--username", "no spaces please")
    assert not get_user_model().objects.exists()


def test_an_existing_account_is_refused_and_left_alone(debug, bank, make_user):
    existing = make_user(username="demo", password="their-own-passphrase")
    with pytest.raises(CommandError, match="exists already.*--reset"):
        seed()
    existing.refresh_from_db()
    assert existing.check_password("their-own-passphrase")
    assert not Interview.objects.exists()


def test_six_weeks_of_practice_to_look_at(debug, bank, frozen_now):
    output = seed()
    username, password = credentials(output)
    assert username == "demo"
    client = log_in(username, password)
    user = get_user_model().objects.get(username="demo")

    interviews = Interview.objects.for_user(user)
    assert not interviews.in_progress().exists()
    finished = interviews.finished()
    assert finished.count() >= 20
    first, last = finished.order_by("created_at")[0], finished.order_by("-created_at")[0]
    assert last.created_at - first.created_at >= timedelta(days=35)
    assert last.finished_at.date() == NOW.date(), "the streak reaches today"

    answers = Answer.objects.filter(interview__user=user)
    assert answers.filter(outcome=Answer.Outcome.TIMED_OUT).exists()
    assert answers.filter(state=Answer.State.UNANSWERED).exists()
    assert answers.filter(state=Answer.State.REVIEWED).exclude(notes="").exists()
    # An interview left unreviewed, as in real use.
    assert finished.exclude(answers__state=Answer.State.REVIEWED).exists()

    # The schedule is the one the review log gives: nothing was written around the models.
    for card in Card.objects.filter(user=user):
        log = list(
            Review.objects.filter(user=user, question=card.question_id).values_list(
                "reviewed_at", "rating"
            )
        )
        assert schedule.fold(log, card.created_at).due == card.due

    home = client.get("/").content.decode()
    assert re.search(r"\d+ questions? due", home)
    assert "Practise what's due" in home

    context = client.get(reverse("progress:progress")).context
    assert context["due_now"] > 0
    assert context["forecast"][1]["count"] > 0, "some questions are due tomorrow"
    assert sum(row["count"] for row in context["forecast"][2:]) > 0, "the week has more bars"
    assert any(row.seen for row in context["readiness"])
    assert context["chart"]["points"]
    assert context["totals"]["streak"] >= 3

    assert client.get(reverse("progress:history")).status_code == 200
    assert f"password {password}" in output


def test_reset_recreates_that_account_only(debug, bank, make_user, frozen_now):
    old = make_user(username="trial", password="old-passphrase")
    other = make_user(username="someone-else")
    username, password = credentials(seed("--username", "trial", "--reset"))
    assert username == "trial"
    assert not get_user_model().objects.filter(pk=old.pk).exists()
    assert get_user_model().objects.filter(pk=other.pk).exists()
    new = get_user_model().objects.get(username="trial")
    assert Interview.objects.for_user(new).count() >= 20
    assert not Interview.objects.for_user(other).exists()
    log_in(username, password)
