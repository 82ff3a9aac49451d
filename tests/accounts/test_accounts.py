import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client

pytestmark = pytest.mark.django_db
User = get_user_model()

GOOD = {
    "username": "grace",
    "email": "grace@example.com",
    "password1": "a-Long-enough-Passw0rd",
    "password2": "a-Long-enough-Passw0rd",
}


def test_sign_up_creates_the_user_and_logs_them_in(client):
    response = client.post("/accounts/signup/", GOOD, follow=True)
    assert response.status_code == 200
    assert User.objects.filter(username="grace").exists()
    assert response.context["user"].username == "grace"
    assert "Welcome, grace" in response.content.decode()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"password2": "something-else-entirely"}, "didn’t match"),
        ({"password1": "password", "password2": "password"}, "too common"),
        ({"password1": "12345678901", "password2": "12345678901"}, "entirely numeric"),
        ({"email": "not-an-email"}, "valid email"),
        ({"username": ""}, "required"),
    ],
)
def test_sign_up_rejects_bad_input_and_creates_nothing(client, change, message):
    response = client.post("/accounts/signup/", {**GOOD, **change})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not User.objects.exists()


def test_sign_up_rejects_a_taken_username_whatever_its_case(client, make_user):
    make_user(username="Grace")
    response = client.post("/accounts/signup/", GOOD)
    assert response.status_code == 400
    assert "already exists" in response.content.decode()
    assert User.objects.count() == 1


def test_sign_up_rejects_a_taken_email(client, make_user):
    make_user(username="other", email="GRACE@example.com")
    response = client.post("/accounts/signup/", GOOD)
    assert response.status_code == 400
    assert "email address already exists" in response.content.decode()


def test_signed_in_user_visiting_sign_up_goes_home(user_client):
    assert user_client.get("/accounts/signup/").url == "/"


def test_post_without_csrf_token_gets_the_styled_403(make_user):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/accounts/signup/", GOOD)
    assert response.status_code == 403
    assert "This form has expired" in response.content.decode()
    assert not User.objects.exists()


def test_log_in_and_log_out(client, make_user):
    make_user(username="alan", password="a-Str0ng-passphrase")
    response = client.post(
        "/accounts/login/", {"username": "alan", "password": "a-Str0ng-passphrase"}
    )
    assert response.status_code == 302
    assert client.get("/").context["user"].is_authenticated
    assert client.post("/accounts/logout/").status_code == 302
    assert not client.get("/").context["user"].is_authenticated


def test_log_out_says_so_and_log_in_lands_on_the_history(client, make_user):
    make_user(username="alan", password="a-Str0ng-passphrase")
    response = client.post(
        "/accounts/login/", {"username": "alan", "password": "a-Str0ng-passphrase"}
    )
    assert response.url == "/history/"
    response = client.post("/accounts/logout/", follow=True)
    assert "You are logged out" in response.content.decode()


def test_repeated_failed_logins_are_throttled_with_a_clear_message(client, make_user):
    make_user(username="alan", password="a-Str0ng-passphrase")
    for _ in range(4):
        response = client.post("/accounts/login/", {"username": "alan", "password": "nope"})
        assert response.status_code == 200
    response = client.post("/accounts/login/", {"username": "alan", "password": "nope"})
    assert response.status_code == 429
    assert "Too many failed log-in attempts" in response.content.decode()
    # Even the right password is refused during the cool-off.
    response = client.post(
        "/accounts/login/", {"username": "alan", "password": "a-Str0ng-passphrase"}
    )
    assert response.status_code == 429


def test_login_required_by_default(client):
    response = client.get("/accounts/password/change/")
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/?next=")


def test_password_change(user, user_client):
    response = user_client.post(
        "/accounts/password/change/",
        {
            "old_password": "a-Str0ng-passphrase",
            "new_password1": "brand-New-passphrase-9",
            "new_password2": "brand-New-passphrase-9",
        },
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("brand-New-passphrase-9")


def test_password_reset_sends_a_link_by_email(client, user):
    response = client.post("/accounts/password/reset/", {"email": user.email})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert "/accounts/password/reset/" in mail.outbox[0].body


def test_password_reset_for_an_unknown_email_reveals_nothing(client):
    response = client.post("/accounts/password/reset/", {"email": "nobody@example.com"})
    assert response.status_code == 302
    assert len(mail.outbox) == 0
