"""Search: spellings as one term, phrase and prompt first, snippets, and the paused rule."""

import re

from django.utils import timezone

from interviews.models import Interview
from questions.models import Question
from questions.search import parse


def slugs(client, query):
    """The questions the result page links to, in order (read from the page: a cached page
    has no queryset behind it)."""
    body = client.get("/questions/", {"q": query}).content.decode()
    return re.findall(r'class="question-link" href="/questions/([^/"]+)/"', body)


def test_common_spellings_are_one_term():
    assert len(parse("batch norm")) == 1
    assert parse("BatchNorm")[0].pattern == parse("batch normalization")[0].pattern
    assert parse("BN")[0].pattern == parse("batch-norm")[0].pattern
    assert parse("RNN")[0].pattern == parse("recurrent")[0].pattern
    assert [t.text for t in parse("what is the difference between dropout and BN")] == [
        "dropout",
        "bn",
    ]


def test_batch_norm_finds_batch_normalisation_first_in_any_spelling(client, make_question):
    make_question(slug="bn", prompt="How does batch normalization work?")
    make_question(slug="spread", prompt="Why use a mini-batch?", answer="Weight norm is another.")
    make_question(slug="body", prompt="Why train deep nets?", answer="BatchNorm helps a lot.")
    for query in ("batch norm", "batchnorm", "batch normalisation", "BN"):
        found = slugs(client, query)
        assert found[0] == "bn", query
        assert "spread" not in found  # "batch" and "norm" apart are not the phrase
    assert slugs(client, "batch norm") == ["bn", "body"]


def test_prompt_matches_come_before_key_point_and_answer_matches(client, make_question):
    make_question(slug="in-answer", answer="Dropout in passing.")
    make_question(slug="in-prompt", prompt="What is dropout?")
    assert slugs(client, "dropout") == ["in-prompt", "in-answer"]


def test_words_match_at_the_start_of_a_word_only(client, make_question):
    make_question(slug="attention", prompt="What is attention?")
    assert slugs(client, "attent") == ["attention"]
    assert slugs(client, "tention") == []


def test_results_highlight_the_prompt_and_show_the_matching_key_point(client, make_question):
    make_question(slug="alpha", prompt="What is <alpha> dropout?")
    make_question(slug="beta", prompt="Another one")
    body = client.get("/questions/", {"q": "dropout"}).content.decode()
    assert "What is &lt;alpha&gt; <mark>dropout</mark>?" in body
    body = client.get("/questions/", {"q": "point 2 of beta"}).content.decode()
    assert "Key <mark>point</mark> <mark>2</mark> of <mark>beta</mark>" in body
    assert "<mark>beta</mark>" in body
    assert "Key point:" in body


def test_while_paused_no_key_point_snippet_and_prompts_only(user, user_client, make_question):
    make_question(slug="kp", prompt="Plain prompt", points=2)
    Interview.objects.start(
        user=user,
        questions=[Question.objects.get(slug="kp")],
        seconds_per_question=60,
        now=timezone.now(),
    )
    body = user_client.get("/questions/", {"q": "Key point 1 of kp"}).content.decode()
    assert "Key point:" not in body
    assert "No questions match" in body
    body = user_client.get("/questions/", {"q": "plain"}).content.decode()
    assert "<mark>Plain</mark> prompt" in body
    assert "Key point" not in body


def test_signed_in_list_shows_last_practice_beside_the_cached_list(
    user, user_client, make_question, django_assert_max_num_queries
):
    question = make_question(slug="done", prompt="Practised prompt")
    now = timezone.now()
    interview = Interview.objects.start(
        user=user, questions=[question], seconds_per_question=60, now=now
    )
    interview.show_next(now).submit("text", now)
    interview.finish(now)
    # Made afresh: session, user, bank version, paused?, topics, sources, count, page, practice.
    with django_assert_max_num_queries(9):
        body = user_client.get("/questions/").content.decode()
    assert "You practised it" in body
    assert "not reviewed yet" in body
    # From the cache: session, user, bank version, paused?, practice.
    with django_assert_max_num_queries(5):
        body = user_client.get("/questions/").content.decode()
    assert "You practised it" in body
