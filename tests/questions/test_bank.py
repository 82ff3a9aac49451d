import json
import shutil
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from questions.bank import BankError, export_bank, load_bank, read_bank
from questions.models import KeyPoint, Question, SeedRef, Source, Topic

pytestmark = pytest.mark.django_db
FIXTURES = Path(settings.BASE_DIR) / "fixtures"
SEED_LIST = Path(settings.BASE_DIR).parent / "shared" / "seed-questions.json"

SOURCES = """
[[sources]]
slug = "coll"
title = "A collection"
publisher = "Someone"
"""

TOPIC = """
[topic]
slug = "basics"
name = "Basics"
description = "The basics."
position = 1

[[questions]]
slug = "first"
prompt = "What is first?"
difficulty = "basic"
suggested_minutes = 2
sources = ["coll:1", "coll:2"]
answer = '''
The first answer, in **Markdown**.
'''
key_points = ["One", "Two", "Three"]

[[questions.follow_ups]]
prompt = "And then?"
answer = "Then the second step follows."
"""
FOLLOW_UP = """[[questions.follow_ups]]
prompt = "And then?"
answer = "Then the second step follows."
"""


def write_bank(root, topic=TOPIC, sources=SOURCES, name="basics.toml"):
    (root / "questions").mkdir(parents=True, exist_ok=True)
    (root / "sources.toml").write_text(sources)
    (root / "questions" / name).write_text(topic)
    return root


def load(path):
    out = StringIO()
    call_command("load_questions", str(path), stdout=out)
    return out.getvalue()


def test_shipped_bank_loads_and_every_question_is_complete(bank):
    questions = Question.objects.prefetch_related("key_points", "seed_refs")
    assert questions.count() > 100
    assert Topic.objects.count() >= 10
    for question in questions:
        assert question.prompt, question.slug
        assert len(question.answer.split()) >= 100, question.slug
        assert 3 <= len(question.key_points.all()) <= 7, question.slug
        assert 1 <= len(question.follow_ups) <= 3, question.slug
        assert question.seed_refs.all(), question.slug


@pytest.mark.skipif(not SEED_LIST.exists(), reason="shared/seed-questions.json not beside the repo")
def test_shipped_bank_answers_every_seed_question_exactly_once(bank):
    seed_refs = {item["ref"] for item in json.loads(SEED_LIST.read_text())}
    bank_refs = [ref for q in export_bank() for ref in q["sources"]]
    assert len(bank_refs) == len(set(bank_refs))
    assert set(bank_refs) == seed_refs


def test_load_reports_counts_and_is_idempotent(tmp_path):
    write_bank(tmp_path)
    assert "1 created, 0 updated, 0 unchanged" in load(tmp_path)
    assert "0 created, 0 updated, 1 unchanged" in load(tmp_path)
    question = Question.objects.get(slug="first")
    assert [kp.text for kp in question.key_points.all()] == ["One", "Two", "Three"]
    assert sorted(r.ref for r in question.seed_refs.all()) == ["coll:1", "coll:2"]
    assert Source.objects.get().publisher == "Someone"


def test_an_edit_updates_in_place_and_keeps_key_point_rows(tmp_path):
    write_bank(tmp_path)
    load(tmp_path)
    original_ids = list(KeyPoint.objects.order_by("position").values_list("pk", flat=True))
    write_bank(tmp_path, TOPIC.replace('"Two"', '"Two, reworded"').replace('"coll:2"', '"coll:3"'))
    assert "0 created, 1 updated, 0 unchanged" in load(tmp_path)
    question = Question.objects.get(slug="first")
    assert [kp.text for kp in question.key_points.all()][1] == "Two, reworded"
    assert list(question.key_points.values_list("pk", flat=True)) == original_ids
    assert sorted(r.ref for r in question.seed_refs.all()) == ["coll:1", "coll:3"]


def test_a_ref_can_move_to_another_question(tmp_path):
    write_bank(tmp_path)
    load(tmp_path)
    second = TOPIC.replace('slug = "first"', 'slug = "second"').replace(
        '["coll:1", "coll:2"]', '["coll:9"]'
    )
    moved = TOPIC.replace('["coll:1", "coll:2"]', '["coll:1"]') + second.split("[topic]")[1].split(
        "position = 1", 1
    )[1].replace('"coll:9"', '"coll:2"')
    write_bank(tmp_path, moved)
    load(tmp_path)
    assert SeedRef.objects.get(number="2").question.slug == "second"


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (('difficulty = "basic"', 'difficulty = "hard"'), "question first: field 'difficulty'"),
        (('prompt = "What is first?"\n', ""), "question first: field 'prompt' is missing"),
        (('["One", "Two", "Three"]', '["One"]'), "field 'key_points' has 1 items (want 3-7)"),
        ((FOLLOW_UP, "follow_ups = []"), "question first: has 0 follow-ups (want 1-3)"),
        (
            ('answer = "Then the second step follows."', ""),
            "follow-up 1: field 'answer' is missing",
        ),
        ((FOLLOW_UP, 'follow_ups = ["And then?"]'), "field 'follow_ups' must be"),
        (('"coll:2"', '"other:2"'), "'other:2' names no collection"),
        (('"coll:2"', '"coll 2"'), "'coll 2' is not a ref"),
        (('slug = "first"', 'slug = "First Question"'), "must be lowercase-with-dashes"),
        (("suggested_minutes = 2", "suggested_minutes = 90"), "'suggested_minutes'"),
        (("[topic]", "[topix]"), "has no [topic] table"),
        (("answer = '''", "answer = '''\n'''\nx = '''"), "field 'answer' is empty"),
    ],
)
def test_each_validation_error_names_file_question_and_field(tmp_path, change, expected):
    write_bank(tmp_path, TOPIC.replace(*change))
    with pytest.raises(CommandError) as error:
        load(tmp_path)
    assert "basics.toml" in str(error.value)
    assert expected in str(error.value)
    assert not Question.objects.exists()


def test_invalid_toml_is_reported_with_its_file(tmp_path):
    write_bank(tmp_path, TOPIC + "\nthis is = = not toml")
    with pytest.raises(BankError) as error:
        read_bank(tmp_path)
    assert "basics.toml: cannot be read as TOML" in error.value.problems[0]


def test_duplicates_across_files_are_rejected(tmp_path):
    write_bank(tmp_path)
    (tmp_path / "questions" / "again.toml").write_text(TOPIC.replace('"basics"', '"again"'))
    with pytest.raises(BankError) as error:
        read_bank(tmp_path)
    text = "\n".join(error.value.problems)
    assert "slug is also used in" in text
    assert "'coll:1' is already answered by first" in text


def test_one_bad_file_changes_nothing(tmp_path):
    write_bank(tmp_path)
    load(tmp_path)
    write_bank(tmp_path, TOPIC.replace("What is first?", "Changed?"))
    (tmp_path / "questions" / "broken.toml").write_text(
        TOPIC.replace('"basics"', '"broken"')
        .replace('"first"', '"other"')
        .replace('"coll:1", "coll:2"', '"coll:5"')
        .replace('"basic"', '"nope"')
    )
    with pytest.raises(CommandError):
        load(tmp_path)
    assert Question.objects.get().prompt == "What is first?"


def test_failure_inside_the_transaction_rolls_everything_back(tmp_path, monkeypatch):
    from questions.models import QuestionQuerySet

    write_bank(tmp_path)

    def explode(*args, **kwargs):
        raise RuntimeError("disk full")

    # The last step of a load, after every row is written: all of it must roll back.
    monkeypatch.setattr(QuestionQuerySet, "update_search_vectors", explode)
    with pytest.raises(RuntimeError):
        load_bank(tmp_path)
    assert not Question.objects.exists()
    assert not Topic.objects.exists()
    monkeypatch.undo()
    load_bank(tmp_path)
    write_bank(tmp_path, TOPIC.replace("What is first?", "Changed?"))
    monkeypatch.setattr(QuestionQuerySet, "update_search_vectors", explode)
    with pytest.raises(RuntimeError):
        load_bank(tmp_path)  # an update of a loaded bank rolls back as well
    assert Question.objects.get().prompt == "What is first?"


def test_export_and_load_round_trip(bank, tmp_path):
    exported = json.loads(_export())
    assert {
        "slug",
        "prompt",
        "topic",
        "difficulty",
        "answer",
        "key_points",
        "follow_ups",
        "sources",
    } <= set(exported[0])
    # Rebuild TOML files from the export, load them into an empty bank, export again.
    shutil.copy(FIXTURES / "sources.toml", tmp_path / "sources.toml")
    (tmp_path / "questions").mkdir()
    for topic in Topic.objects.all():
        lines = [
            "[topic]",
            f"slug = {json.dumps(topic.slug)}",
            f"name = {json.dumps(topic.name)}",
            f"description = {json.dumps(topic.description)}",
            f"position = {topic.position}",
            "",
        ]
        for item in (q for q in exported if q["topic"] == topic.slug):
            lines += (
                ["[[questions]]"]
                + [
                    f"{key} = {json.dumps(item[key], ensure_ascii=False)}"
                    for key in (
                        "slug",
                        "prompt",
                        "difficulty",
                        "suggested_minutes",
                        "sources",
                        "answer",
                        "key_points",
                    )
                ]
                + [""]
            )
            for follow_up in item["follow_ups"]:
                lines += [
                    "[[questions.follow_ups]]",
                    f"prompt = {json.dumps(follow_up['prompt'], ensure_ascii=False)}",
                    f"answer = {json.dumps(follow_up['answer'], ensure_ascii=False)}",
                    "",
                ]
        (tmp_path / "questions" / f"{topic.slug}.toml").write_text("\n".join(lines))
    KeyPoint.objects.all().delete()
    SeedRef.objects.all().delete()
    Question.objects.all().delete()
    load(tmp_path)
    assert json.loads(_export()) == exported


def _export():
    out = StringIO()
    call_command("export_questions", stdout=out)
    return out.getvalue()


def test_loader_errors_on_missing_folder(tmp_path):
    with pytest.raises(CommandError, match="not found"):
        load(tmp_path / "nowhere")


OWN_SOURCE = """
[[sources]]
slug = "ours"
title = "Written for this bank"
written_here = true
"""


def test_a_question_without_seed_refs_is_credited_to_the_bank_itself(tmp_path, client):
    write_bank(tmp_path, TOPIC.replace('["coll:1", "coll:2"]', "[]"), SOURCES + OWN_SOURCE)
    load(tmp_path)
    question = Question.objects.get(slug="first")
    assert [r.ref for r in question.seed_refs.all()] == ["ours:first"]
    exported = export_bank()[0]
    assert exported["sources"] == []
    assert exported["origin"] == "written-here"
    listed = client.get(reverse("questions:list"), {"source": "ours"}).content.decode()
    assert "What is first?" in listed
    assert "Written for this bank" in client.get(question.get_absolute_url()).content.decode()


def test_without_an_own_source_a_question_needs_seed_refs(tmp_path):
    write_bank(tmp_path, TOPIC.replace('["coll:1", "coll:2"]', "[]"))
    with pytest.raises(BankError) as error:
        load_bank(tmp_path)
    assert "has no seed refs" in str(error.value)


def test_formulas_are_rendered_to_mathml_when_loaded(tmp_path):
    topic = TOPIC.replace("The first answer, in **Markdown**.", "Cost $O(n^2)$ and $h_{t-1}$.")
    write_bank(tmp_path, topic.replace('"Two"', '"Two is $x^2$"'))
    load(tmp_path)
    question = Question.objects.get(slug="first")
    assert question.answer_html.count("<math") == 2
    assert "<msub>" in question.answer_html
    assert "<msup>" in question.key_points.get(position=2).html
    assert "$" not in question.answer_html


def test_a_broken_formula_is_a_load_error_naming_the_question(tmp_path):
    write_bank(tmp_path, TOPIC.replace("in **Markdown**.", r"in $\frac{1}{$ broken."))
    with pytest.raises(BankError) as error:
        load_bank(tmp_path)
    assert "question first: answer: formula" in str(error.value)


def _answer_and_review(user, question, now):
    from interviews.models import Interview

    interview = Interview.objects.start(
        user=user, questions=[question], seconds_per_question=None, now=now
    )
    answer = interview.show_next(now)
    answer.submit("my answer", now)
    interview.finish(now)
    answer.reveal(4, now)
    answer.record_review([1, 3], 4, "", now)
    return interview, answer


def test_a_past_review_reads_as_it_did_after_the_bank_changes(tmp_path, make_user):
    from django.utils import timezone

    user = make_user()
    write_bank(tmp_path)
    load(tmp_path)
    interview, answer = _answer_and_review(user, Question.objects.get(slug="first"), timezone.now())
    changed = TOPIC.replace("The first answer", "A rewritten answer").replace(
        '["One", "Two", "Three"]', '["New one", "New two", "New three", "New four"]'
    )
    write_bank(tmp_path, changed)
    assert "1 updated" in load(tmp_path)
    answer.refresh_from_db()
    assert answer.score == pytest.approx(2 / 3)
    assert answer.covered == [1, 3]
    client = Client()
    client.force_login(user)
    body = client.get(interview.get_review_url()).content.decode()
    assert "The first answer" in body
    assert "A rewritten answer" not in body
    assert "New one" not in body
    assert body.count('type="checkbox" name="covered"') == 3
    assert 'value="1" checked' in body
    assert 'value="3" checked' in body


def test_questions_gone_from_the_files_are_retired_when_answered_else_deleted(
    tmp_path, make_user, client
):
    from django.utils import timezone

    second = TOPIC.split("position = 1", 1)[1].replace('slug = "first"', 'slug = "second"')
    second = second.replace('"coll:1", "coll:2"', '"coll:3"').replace("What is first?", "Two?")
    write_bank(tmp_path, TOPIC + second)
    load(tmp_path)
    user = make_user()
    interview, _ = _answer_and_review(user, Question.objects.get(slug="first"), timezone.now())
    third = second.replace('slug = "second"', 'slug = "third"').replace("Two?", "Three?")
    write_bank(tmp_path, TOPIC.split("[[questions]]")[0] + third.replace('"coll:3"', '"coll:4"'))
    assert "1 retired (gone from the files but answered by candidates), 1 deleted" in load(tmp_path)
    assert Question.objects.get(slug="first").retired
    assert not Question.objects.filter(slug="second").exists()
    assert client.get(reverse("questions:detail", args=["first"])).status_code == 404
    assert "What is first?" not in client.get(reverse("questions:list")).content.decode()
    user_client = Client()
    user_client.force_login(user)
    assert "What is first?" in user_client.get(interview.get_review_url()).content.decode()
    write_bank(tmp_path, TOPIC)
    load(tmp_path)
    assert not Question.objects.get(slug="first").retired  # back in the files, back in the bank


def test_a_question_that_is_not_a_table_is_reported_not_a_crash(tmp_path):
    write_bank(tmp_path, 'questions = ["x"]\n' + TOPIC.split("[[questions]]")[0])
    with pytest.raises(BankError) as error:
        load_bank(tmp_path)
    assert "basics.toml: question #1: must be a [[questions]] table" in str(error.value)


def test_code_blocks_can_take_focus_so_their_sideways_scroll_is_reachable():
    from questions.rendering import render_markdown

    html = render_markdown("```python\nx = 1\n```\n\n    indented = 2\n\n$$\nx^2\n$$\n")
    assert html.count('<pre tabindex="0">') == 2
    assert "<pre>" not in html
    assert '<div class="math block" tabindex="0">' in html
    # A long inline formula scrolls by itself, and can take focus; a short one is plain.
    long_formula = "$e^{z_i - m} / \\sum_k e^{z_k - m} = e^{-m} e^{z_i}$"
    html = render_markdown(f"Short $x^2$, long {long_formula}.")
    assert html.count('<span class="math inline">') == 1
    assert html.count('<span class="math inline long" tabindex="0">') == 1
    from questions.rendering import render_inline

    assert "tabindex" not in render_inline("long $e^{z_i - m} / \\sum_k e^{z_k - m} = e^{-m}$")
