import pytest
from django.db import connection
from django.urls import reverse

from questions.models import Question

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def many_questions(add_questions):
    """A few hundred extra questions, to show query counts do not grow with the bank."""
    return add_questions(300)


def test_list_is_public_and_shows_prompts_topics_and_counts(client, bank):
    response = client.get("/questions/")
    assert response.status_code == 200
    body = response.content.decode()
    total = Question.objects.count()
    assert f"<strong>{total}</strong> questions" in body
    assert len(response.context["page"].object_list) == 20
    assert "asked in 2 collections" in body or "asked in 3 collections" in body


def test_list_filters_by_topic_difficulty_and_source(client, bank):
    response = client.get("/questions/?topic=transformers&difficulty=basic&source=datainterview-80")
    questions = response.context["page"].object_list
    assert questions
    for question in questions:
        assert question.topic.slug == "transformers"
        assert question.difficulty == "basic"
        assert question.seed_refs.filter(source__slug="datainterview-80").exists()


def test_search_finds_dropout_first_by_prompt(client, bank):
    response = client.get("/questions/?q=dropout")
    questions = list(response.context["page"].object_list)
    assert questions
    assert "dropout" in questions[0].prompt.lower()
    if connection.vendor == "postgresql":  # ranked: prompt matches come before body matches
        prompt_hits = [("dropout" in q.prompt.lower()) for q in questions]
        assert prompt_hits == sorted(prompt_hits, reverse=True)


def test_search_matches_key_points_and_answers_too(client, make_question):
    make_question(slug="alpha", prompt="Unrelated prompt", answer="Talks about the Nesterov trick.")
    make_question(slug="beta", prompt="Another one")
    response = client.get("/questions/?q=nesterov")
    assert [q.slug for q in response.context["page"].object_list] == ["alpha"]
    response = client.get("/questions/?q=KEY+point+of+beta")
    assert [q.slug for q in response.context["page"].object_list] == ["beta"]


def test_htmx_request_gets_only_the_results_fragment(client, bank):
    response = client.get("/questions/?q=attention", **HTMX)
    body = response.content.decode()
    assert response.status_code == 200
    assert body.lstrip().startswith('<section id="results"')
    assert "<html" not in body
    assert "<form" not in body
    assert response["Vary"]
    assert "HX-Request" in response["Vary"]


def test_history_restore_gets_the_full_page(client, bank):
    response = client.get("/questions/?q=attention", **HTMX, HTTP_HX_HISTORY_RESTORE_REQUEST="true")
    assert "<html" in response.content.decode()


def test_empty_result_suggests_clearing_filters(client, bank):
    response = client.get("/questions/?q=zzzyyyxxx")
    body = response.content.decode()
    assert "No questions match" in body
    assert "Clear all filters" in body


@pytest.mark.parametrize(
    "query",
    [
        "?topic=nope&difficulty=impossible&source=unknown",
        "?page=abc",
        "?page=-4",
        "?page=99999",
        "?q=" + "dropout " * 1250,
        "?q=%00%01&topic[]=x",
        "?q=' OR 1=1 --",
        "?q=%22unbalanced",
    ],
)
def test_bad_input_gets_a_sensible_page(client, bank, query):
    response = client.get("/questions/" + query)
    assert response.status_code == 200
    filters = response.context["filters"]
    assert filters.topic == filters.difficulty == filters.source == ""
    assert len(filters.q) <= 200


def test_page_out_of_range_shows_the_last_page(client, bank):
    response = client.get("/questions/?page=99999")
    page = response.context["page"]
    assert page.number == page.paginator.num_pages


def test_filtered_querystring_is_kept_in_pagination_links(client, bank):
    body = client.get("/questions/?difficulty=intermediate").content.decode()
    assert "difficulty=intermediate&amp;page=2" in body


@pytest.mark.parametrize(
    "query",
    [
        "",
        "?q=layer",
        "?topic=extra-topic-1&difficulty=basic&source=extra&page=2",
        "?q=question&page=3",
    ],
)
def test_list_query_count_does_not_grow_with_the_bank(
    client, add_questions, query_count, query, version_query
):
    url = reverse("questions:list") + query
    fresh, cached = cost_at_30_and_330_questions(client, url, add_questions, query_count)
    # Made after a load: the new version is read from the database even with Redis.
    assert fresh <= 5  # the bank version, topics, sources, count, page
    assert cached == version_query


def cost_at_30_and_330_questions(client, url, add_questions, query_count):
    """The page's query counts, rendered afresh and then from the cache, with 30 and then 330
    questions: the same at both sizes, or the test fails."""
    add_questions(30)  # each addition is a new bank version: the page is made again
    small = [query_count(lambda: client.get(url)) for _ in range(2)]
    add_questions(300)
    large = [query_count(lambda: client.get(url)) for _ in range(2)]
    assert small == large
    assert client.get(url).status_code == 200
    return small


def test_detail_shows_everything_about_a_question(client, bank):
    question = Question.objects.get(slug="dropout")
    response = client.get(question.get_absolute_url())
    body = response.content.decode()
    assert response.status_code == 200
    assert "Reference answer" in body
    for key_point in question.key_points.all():
        assert key_point.html in body
    assert "Follow-up questions" in body
    for follow_up in question.follow_ups:
        assert follow_up["answer_html"] in body
    assert "Asked in" in body
    assert "Analytics Vidhya" in body
    assert f"about {question.suggested_minutes} minutes to answer" in body
    siblings = Question.objects.filter(topic=question.topic).order_by("position")
    previous = siblings.filter(position__lt=question.position).last()
    following = siblings.filter(position__gt=question.position).first()
    assert (f'href="{previous.get_absolute_url()}" rel="prev"' in body) == bool(previous)
    assert (f'href="{following.get_absolute_url()}" rel="next"' in body) == bool(following)


def test_detail_renders_markdown_without_raw_html(client, make_question):
    question = make_question(answer="Uses `code` and <script>alert(1)</script> **bold**.")
    body = client.get(question.get_absolute_url()).content.decode()
    assert "<code>code</code>" in body
    assert "<strong>bold</strong>" in body
    assert "<script>alert(1)</script>" not in body
    assert "&lt;script&gt;" in body


def test_detail_previous_and_next_stay_in_the_topic(client, bank):
    question = Question.objects.filter(topic__slug="training").order_by("position")[1]
    response = client.get(question.get_absolute_url())
    assert response.context["previous_question"].topic_id == question.topic_id
    assert response.context["next_question"].topic_id == question.topic_id
    assert response.context["previous_question"].position < question.position


def test_unknown_slug_is_404(client, bank):
    assert client.get("/questions/no-such-question/").status_code == 404


def test_detail_query_count_is_constant(client, add_questions, query_count, version_query):
    url = reverse("questions:detail", args=["extra-15"])
    fresh, cached = cost_at_30_and_330_questions(client, url, add_questions, query_count)
    assert fresh <= 6  # the bank version, question, key points, seed refs, previous, next
    assert cached == version_query


def test_topics_page_counts_questions_by_difficulty(
    client, bank, django_assert_max_num_queries, version_query
):
    with django_assert_max_num_queries(2):  # the bank version, the topics with their counts
        response = client.get("/questions/topics/")
    with django_assert_max_num_queries(version_query):  # cached: the bank version only
        assert "/questions/?topic=training" in client.get("/questions/topics/").content.decode()
    body = response.content.decode()
    assert response.status_code == 200
    topic = next(t for t in response.context["topics"] if t.slug == "training")
    assert topic.total == Question.objects.filter(topic__slug="training").count()
    assert topic.basic_count + topic.intermediate_count + topic.advanced_count == topic.total
    assert "/questions/?topic=training" in body
    positions = [t.position for t in response.context["topics"]]
    assert positions == sorted(positions)


def test_a_question_written_here_is_not_counted_as_asked_in_a_collection(client, bank):
    body = client.get(reverse("questions:list"), {"q": "kv cache need"}).content.decode()
    assert Question.objects.get(slug="kv-cache-sizing").get_absolute_url() in body
    assert "written for this bank" in body
    counts = dict(Question.objects.with_list_data().values_list("slug", "source_count"))
    assert counts["kv-cache-sizing"] == 0
    assert counts["dropout"] >= 1
