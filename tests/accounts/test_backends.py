"""The signed-in user, read on every request by one statement built once."""

from datetime import timedelta

import pytest
from django.contrib.auth import SESSION_KEY
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.backends import UserBackend, find_user
from accounts.models import User, practice_changed

pytestmark = pytest.mark.django_db


def fields_of(user):
    return {field.attname: getattr(user, field.attname) for field in User._meta.concrete_fields}


def test_find_user_loads_what_the_orm_loads(make_user):
    user = make_user(email="ada@example.com", first_name="Ada", is_staff=True)
    user.last_login = timezone.now() - timedelta(days=2)
    user.save()
    practice_changed([user.pk])
    found, loaded = find_user(user.pk), User.objects.get(pk=user.pk)
    assert fields_of(found) == fields_of(loaded)
    assert found.practice_version == 1
    # Datetimes come back aware (on SQLite they are stored as text), the state as the ORM's.
    assert timezone.is_aware(found.date_joined)
    assert timezone.is_aware(found.last_login)
    assert (found._state.db, found._state.adding) == ("default", False)
    assert found.check_password("a-Str0ng-passphrase")


def test_find_user_of_a_missing_id_is_none(user):
    assert find_user(user.pk + 1000) is None


def test_an_inactive_user_is_refused(user):
    assert UserBackend().get_user(user.pk) == user
    User.objects.filter(pk=user.pk).update(is_active=False)
    assert UserBackend().get_user(user.pk) is None


def test_a_signed_in_request_reads_the_user_once_by_primary_key(user_client, user):
    with CaptureQueriesContext(connection) as queries:
        response = user_client.get(reverse("progress:history"))
    assert response.status_code == 200
    reads = [q["sql"] for q in queries.captured_queries if '"accounts_user"' in q["sql"]]
    assert len(reads) == 1
    assert reads[0].startswith("SELECT ")
    assert response.context["user"] == user


def test_signing_up_and_logging_in_record_this_backend():
    client = Client()
    client.post(
        reverse("signup"),
        {
            "username": "grace",
            "email": "grace@example.com",
            "password1": "a-Long-enough-Passw0rd",
            "password2": "a-Long-enough-Passw0rd",
        },
    )
    assert client.session["_auth_user_backend"] == "accounts.backends.UserBackend"
    assert int(client.session[SESSION_KEY]) == User.objects.get(username="grace").pk
    assert client.get(reverse("progress:history")).status_code == 200
    # Logging in again (a password checked by this backend) records it too.
    client.post(reverse("logout"))
    client.post(reverse("login"), {"username": "grace", "password": "a-Long-enough-Passw0rd"})
    assert client.session["_auth_user_backend"] == "accounts.backends.UserBackend"
    assert client.get(reverse("progress:history")).status_code == 200


def test_another_session_ends_when_the_password_changes(user, make_user):
    # The session's hash of the password is checked against the row find_user reads.
    first, second = Client(), Client()
    first.force_login(user)
    second.force_login(user)
    assert second.get(reverse("progress:history")).status_code == 200
    user.set_password("an-Other-long-Passw0rd")
    user.save()
    response = second.get(reverse("progress:history"))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]
