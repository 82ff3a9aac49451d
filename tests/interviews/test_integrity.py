"""The interview's promise, tried the way a hostile candidate would: no reference early, no
write outside the clock, nothing saved is lost, no 500s."""

import csv
import io
from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from interviews.models import Answer, Interview

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


def secret_question(make_question, slug):
    """A question whose reference, key points and follow-ups carry unmistakable markers."""
    question = make_question(
        slug=slug,
        topic="secrets",
        prompt=f"Explain {slug} please?",
        answer=f"The reference says refsecret{slug} and more.",
        follow_ups=[{"prompt": f"fuprompt{slug}?", "answer": f"fuanswer{slug} in short."}],
    )
    for key_point in question.key_points.all():
        key_point.text = key_point.html = f"kpsecret{slug}{key_point.position}"
        key_point.save()
    question.refresh_key_points_text()
    return question


def markers(question):
    return [f"refsecret{question.slug}", f"kpsecret{question.slug}", f"fu{'prompt'}{question.slug}"]


@pytest.fixture
def scene(user, make_question):
    """A finished, revealed interview over X and Z, then a running interview over X and Y."""
    x, y, z = (secret_question(make_question, slug) for slug in ("xq", "yq", "zq"))
    now = timezone.now()
    old = Interview.objects.start(
        user=user, questions=[x, z], seconds_per_question=60, now=now - timedelta(days=2)
    )
    for _ in range(2):
        answer = old.show_next(now - timedelta(days=2))
        answer.submit("my old answer", now - timedelta(days=2))
    old.finish(now - timedelta(days=2))
    old.answers.get(position=2).reveal(3, now - timedelta(days=2))  # the first stays unrevealed
    fillers = [make_question(slug=f"filler{i}", topic="secrets") for i in range(3)]
    running = Interview.objects.start(
        user=user, questions=[x, y, *fillers], seconds_per_question=600, now=now
    )
    running.show_next(now)
    return {"x": x, "y": y, "z": z, "old": old, "running": running}


# --- one rule, every route -------------------------------------------------------------------


def _walk(resolvers, prefix=""):
    for entry in resolvers:
        if isinstance(entry, URLResolver):
            namespace = f"{entry.namespace}:" if entry.namespace else ""
            yield from _walk(entry.url_patterns, prefix + namespace)
        elif isinstance(entry, URLPattern) and entry.name:
            yield prefix + entry.name, entry


def _kwarg_choices(name, scene, question_slugs):
    running, old = scene["running"], scene["old"]
    shown = running.answers.get(position=1)
    return {
        "pk": [running.pk, old.pk],
        "answer_pk": [
            shown.pk,
            running.answers.get(position=2).pk,
            *old.answers.values_list("pk", flat=True),
        ],
        "slug": question_slugs,
        "uidb64": ["MQ"],
        "token": ["set-password"],
    }.get(name)


# POSTs that would end the running interview or the session: the rule is about a running one.
ENDS_THE_SCENE = {"interviews:end", "logout", "delete_account", "password_change"}


def test_no_route_sends_a_reference_of_any_question_while_an_interview_runs(user, scene):
    """Walk every named URL in the URL conf, as GET, htmx GET and POST, and look for any
    reference answer, key point or follow-up of the running interview's questions."""
    client = Client()
    client.force_login(user)
    running = scene["running"]
    secrets = markers(scene["x"]) + markers(scene["y"])
    slugs = [scene["x"].slug, scene["y"].slug]
    visited = 0
    for name, pattern in _walk(get_resolver().url_patterns):
        if name.startswith("admin:"):
            continue  # staff only; a candidate is sent to the admin's log-in (checked below)
        params = list(pattern.pattern.converters)
        choices = [_kwarg_choices(param, scene, slugs) for param in params]
        assert all(choices), f"no test values for {name} {params}"
        combos = [{}]
        for param, values in zip(params, choices, strict=True):
            combos = [{**combo, param: value} for combo in combos for value in values]
        for kwargs in combos:
            url = reverse(name, kwargs=kwargs)
            responses = [client.get(url), client.get(url, **HTMX)]
            if name not in ENDS_THE_SCENE:
                post = {"text": "probe", "confidence": "4", "question": slugs, "q": "refsecret"}
                responses += [client.post(url, post), client.post(url, post, **HTMX)]
            for response in responses:
                visited += 1
                assert response.status_code < 500, url
                body = (
                    b"".join(response.streaming_content) if response.streaming else response.content
                )
                for secret in secrets:
                    assert secret.encode() not in body, f"{secret} leaked by {url}"
            running.refresh_from_db()
            assert not running.is_finished, f"{url} ended the interview"
    assert visited > 60
    admin = client.get(reverse("admin:questions_question_change", args=[scene["x"].pk]))
    assert admin.status_code == 302


def test_the_bank_pauses_every_reference_not_just_the_interviews(user_client, scene):
    for question in (scene["x"], scene["y"], scene["z"]):
        body = user_client.get(question.get_absolute_url()).content.decode()
        assert "Reference answers are paused" in body
        assert f"refsecret{question.slug}" not in body
        assert scene["running"].get_absolute_url() in body


def test_a_question_page_reads_the_same_whether_or_not_it_is_in_the_interview(user_client, scene):
    def visible(question):
        body = user_client.get(question.get_absolute_url()).content.decode()
        return body.replace(question.prompt, "PROMPT").replace(question.slug, "SLUG")

    # y is in the running interview, z is not; x z differ only by prompt, slug and history.
    assert "paused" in visible(scene["y"])
    assert visible(scene["y"]).count("Reference answer") == visible(scene["z"]).count(
        "Reference answer"
    )


def test_search_matches_prompts_only_while_an_interview_runs(user, user_client, scene):
    def found(query):
        return user_client.get(reverse("questions:list"), {"q": query}).content.decode()

    # Listed or not, by its link (the prompt's matches are highlighted with <mark>).
    assert scene["y"].get_absolute_url() not in found("refsecretyq")
    assert scene["y"].get_absolute_url() not in found("kpsecretyq")
    assert scene["y"].get_absolute_url() in found("Explain yq")
    assert "search looks at questions and topics only" in found("anything")
    scene["running"].finish(timezone.now())
    assert scene["y"].get_absolute_url() in found("refsecretyq")


def test_practise_of_any_question_leads_back_to_the_running_interview(user_client, scene):
    running = scene["running"]
    for question in (scene["x"], scene["z"]):  # in the interview, and not in it
        response = user_client.post(reverse("interviews:practise", args=[question.slug]))
        assert response.status_code == 302
        assert response.url == running.get_absolute_url()
    response = user_client.post(reverse("interviews:practise", args=["no-such-question"]))
    assert response.url == running.get_absolute_url()  # not even a 404 tells anything
    assert Interview.objects.in_progress().count() == 1
    for url, data in [
        (reverse("interviews:practise_questions"), {"question": ["zq"]}),
        (reverse("interviews:retake", args=[scene["old"].pk]), {}),
        (reverse("interviews:new"), {"question_count": "1", "time_limit": "60"}),
    ]:
        assert user_client.post(url, data).url == running.get_absolute_url()
    assert Interview.objects.count() == 2


def test_an_older_review_hides_references_and_refuses_reveal_while_one_runs(user_client, scene):
    old = scene["old"]
    body = user_client.get(old.get_review_url()).content.decode()
    assert "my old answer" in body
    assert "Reference answers are paused" in body
    for question in (scene["x"], scene["z"]):
        assert f"refsecret{question.slug}" not in body
        assert f"kpsecret{question.slug}" not in body
    answer = old.answers.get(position=1)
    for name, data in [("reveal", {"confidence": "3"}), ("record_review", {"covered": [1]})]:
        url = reverse(f"interviews:{name}", args=[old.pk, answer.pk])
        response = user_client.post(url, data, **HTMX)
        assert response.status_code == 409
        assert "refsecret" not in response.content.decode()
    answer.refresh_from_db()
    assert answer.revealed_at is None
    scene["running"].finish(timezone.now())
    assert "refsecretzq" in user_client.get(old.get_review_url()).content.decode()


def test_one_interview_in_progress_per_user_is_a_database_rule(user, three_questions):
    from django.db import IntegrityError, transaction

    Interview.objects.start(
        user=user, questions=three_questions, seconds_per_question=60, now=timezone.now()
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Interview.objects.create(user=user, question_count=1, created_at=timezone.now())


# --- writes only to the shown, open answer, judged by the server's clock -----------------------


@pytest.fixture
def running(user, three_questions, user_client):
    interview = Interview.objects.start(
        user=user, questions=three_questions, seconds_per_question=60, now=timezone.now()
    )
    user_client.get(interview.get_absolute_url())  # shows question 1
    return interview


def answer_url(name, answer):
    return reverse(f"interviews:{name}", args=[answer.interview_id, answer.pk])


@pytest.mark.parametrize("action", ["autosave", "submit", "skip"])
@pytest.mark.parametrize("headers", [{}, HTMX])
def test_an_answer_not_yet_shown_takes_no_write(user_client, running, action, headers):
    upcoming = running.answers.get(position=3)
    response = user_client.post(answer_url(action, upcoming), {"text": "early"}, **headers)
    assert response.status_code == 409
    assert "not been shown" in response.content.decode()
    upcoming.refresh_from_db()
    assert (upcoming.text, upcoming.outcome, upcoming.shown_at) == ("", "", None)
    assert running.answers.get(position=1).is_current


def test_the_browser_cannot_call_an_early_submit_a_time_out(user_client, running):
    current = running.answers.get(position=1)
    user_client.post(answer_url("submit", current), {"text": "done", "timed_out": "on"}, **HTMX)
    current.refresh_from_db()
    assert current.outcome == Answer.Outcome.SUBMITTED


@pytest.mark.parametrize("action", ["autosave", "submit", "skip"])
@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        ("", "application/x-www-form-urlencoded"),
        ('{"text": "json"}', "application/json"),
        ("timed_out=on", "application/x-www-form-urlencoded"),
        ("--x\r\nbroken", "multipart/form-data; boundary=x"),
    ],
)
def test_a_write_without_the_text_field_is_400_and_keeps_the_draft(
    user_client, running, action, body, content_type
):
    current = running.answers.get(position=1)
    user_client.post(answer_url("autosave", current), {"text": "my draft"}, **HTMX)
    response = user_client.post(
        answer_url(action, current), body, content_type=content_type, **HTMX
    )
    assert response.status_code == 400
    current.refresh_from_db()
    assert current.text == "my draft"
    assert current.is_current


def test_a_late_submit_without_javascript_keeps_the_text_flagged_late(user, user_client, running):
    current = running.answers.get(position=1)
    user_client.post(answer_url("autosave", current), {"text": "saved in time"})
    current.refresh_from_db()
    with time_machine.travel(current.deadline + timedelta(seconds=140), tick=False):
        response = user_client.post(answer_url("submit", current), {"text": "typed after the end"})
    assert response.status_code == 302
    current.refresh_from_db()
    assert current.outcome == Answer.Outcome.TIMED_OUT
    assert current.text == "saved in time"
    assert current.late_text == "typed after the end"
    running.finish(timezone.now())
    body = user_client.get(running.get_review_url()).content.decode()
    assert "typed after the end" in body
    assert "late, not scored" in body


def test_the_take_page_without_javascript_shows_the_deadline_as_a_clock_time(user_client, running):
    current = running.answers.get(position=1)
    body = user_client.get(running.get_absolute_url()).content.decode()
    assert f'answer by <time datetime="{current.deadline:%Y-%m-%dT%H:%M:%S}' in body
    assert current.deadline.strftime("%H:%M:%S") in body
    assert 'class="hint js-only"' in body


@pytest.mark.parametrize("name", ["take", "review"])
def test_take_and_review_are_never_cached(user_client, running, name):
    if name == "review":
        running.finish(timezone.now())
    response = user_client.get(reverse(f"interviews:{name}", args=[running.pk]))
    assert "no-store" in response["Cache-Control"]


# --- faults and bad input that used to give 500s -----------------------------------------


def test_an_id_beyond_64_bits_is_a_404(user_client, running):
    huge = "9" * 25
    assert user_client.get(f"/interviews/{huge}/").status_code == 404
    assert (
        user_client.post(
            f"/interviews/{running.pk}/answers/{huge}/save/", {"text": "x"}
        ).status_code
        == 404
    )


def test_a_nul_byte_in_practise_is_a_clear_refusal(user_client, make_question):
    make_question(slug="fine")
    response = user_client.post(
        reverse("interviews:practise_questions"), {"question": ["fi\x00ne"]}
    )
    assert response.status_code == 302
    assert not Interview.objects.exists()
    messages = [str(m) for m in response.wsgi_request._messages]
    assert messages == ["That is not a question of the bank."]


def test_a_malformed_hx_current_url_on_an_anonymous_htmx_request_is_a_401(client, running):
    current = running.answers.get(position=1)
    response = client.post(
        answer_url("autosave", current), {"text": "x"}, HTTP_HX_CURRENT_URL="http://[", **HTMX
    )
    assert response.status_code == 401


def test_a_very_long_login_name_gets_a_message(client, user):
    response = client.post(reverse("login"), {"username": "u" * 300, "password": "whatever"})
    assert response.status_code == 200
    assert "longer than any account" in response.content.decode()


def test_csv_cells_never_start_a_formula(user, user_client, three_questions):
    interview = Interview.objects.start(
        user=user, questions=three_questions, seconds_per_question=60, now=timezone.now()
    )
    for text in ['=HYPERLINK("x")', "+1", "@SUM(A1)"]:
        answer = interview.show_next(timezone.now())
        answer.submit(text, timezone.now())
    response = user_client.get(reverse("progress:export"))
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    texts = [row[-1] for row in rows[1:]]
    assert sorted(texts) == sorted(['\'=HYPERLINK("x")', "'+1", "'@SUM(A1)"])


def test_sign_up_is_throttled_per_address(client, settings):
    url = reverse("signup")
    statuses = [
        client.post(url, {"username": f"u{i}"}).status_code
        for i in range(settings.SIGNUPS_PER_HOUR + 1)
    ]
    assert statuses[:-1] == [400] * settings.SIGNUPS_PER_HOUR
    assert statuses[-1] == 429
    assert client.get(url).status_code == 200


def test_password_reset_is_throttled_per_address(client, settings, mailoutbox):
    url = reverse("password_reset")
    limit = settings.PASSWORD_RESETS_PER_HOUR
    statuses = [client.post(url, {"email": "a@example.com"}).status_code for _ in range(limit + 1)]
    assert statuses == [302] * limit + [429]


def test_deleting_the_account_removes_its_log_in_records(client, user):
    from axes.models import AccessAttempt, AccessLog

    client.post(reverse("login"), {"username": user.username, "password": "wrong"})
    assert AccessAttempt.objects.filter(username=user.username).exists()
    client.post(reverse("login"), {"username": user.username, "password": "a-Str0ng-passphrase"})
    assert AccessLog.objects.filter(username=user.username).exists()
    response = client.post(
        reverse("delete_account"), {"password": "a-Str0ng-passphrase", "confirm": "on"}
    )
    assert response.status_code == 302
    assert not AccessAttempt.objects.filter(username=user.username).exists()
    assert not AccessLog.objects.filter(username=user.username).exists()
