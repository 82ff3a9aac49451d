"""The shipped bank's editorial rules, read straight from fixtures/ (no database needed)."""

import re
from collections import Counter

import pytest

from questions.bank import read_bank

# Words too common to show that a key point is stated in its answer.
STOP_WORDS = set(
    re.findall(
        r"\w+",
        """a an the and or of to in on for with by as at is are be been being it its this that
        these those from into than then so but not no can may must will would should could does
        do did has have had was were which who whom what when where why how their there they them
        one two more most less also only each every any all such other very much many about over
        under between while both same via per your you we our i if""",
    )
)
WORDS_PER_MINUTE = (95, 140)  # "about 100 to 130 spoken words per suggested minute"
FOLLOW_UP_WORDS = (40, 100)


@pytest.fixture(scope="module")
def questions():
    _, topics = read_bank()
    return [question for topic in topics for question in topic.questions]


def words(text):
    return re.findall(r"[a-z0-9]+", text.lower())


def test_the_bank_is_large_and_deep_enough(questions):
    levels = Counter(question.difficulty for question in questions)
    assert len(questions) >= 260
    assert levels["advanced"] / len(questions) >= 0.25
    assert levels["intermediate"] / len(questions) >= 0.35


def test_answer_length_follows_the_suggested_time(questions):
    low, high = WORDS_PER_MINUTE
    wrong = {
        q.slug: (len(q.answer.split()), q.suggested_minutes)
        for q in questions
        if not low * q.suggested_minutes <= len(q.answer.split()) <= high * q.suggested_minutes
    }
    assert not wrong, f"words, minutes out of {low}-{high} per minute: {wrong}"


def test_advanced_answers_carry_a_derivation_an_estimate_or_code(questions):
    thin = [
        q.slug
        for q in questions
        if q.difficulty == "advanced" and "$" not in q.answer and "```" not in q.answer
    ]
    assert not thin


def test_every_follow_up_has_a_short_answer_and_none_repeats(questions):
    low, high = FOLLOW_UP_WORDS
    prompts = Counter()
    for question in questions:
        for follow_up in question.follow_ups:
            assert low <= len(follow_up["answer"].split()) <= high, (question.slug, follow_up)
            assert "<math" in follow_up["answer_html"] or "$" not in follow_up["answer"]
            prompts[" ".join(words(follow_up["prompt"]))] += 1
    repeated = [prompt for prompt, count in prompts.items() if count > 1]
    assert not repeated


def test_every_key_point_is_stated_in_its_answer(questions):
    """Most of a key point's content words (by their first five letters) occur in the answer."""
    missing = []
    for question in questions:
        stems = {word[:5] for word in words(question.answer)}
        for point in question.key_points:
            content = [w for w in words(point) if w not in STOP_WORDS and len(w) > 2]
            found = sum(word[:5] in stems for word in content)
            if content and found / len(content) < 0.6:
                missing.append((question.slug, point))
    assert not missing


def test_every_formula_renders_to_mathml(questions):
    """read_bank has rendered everything (a formula that fails is a load error); here: every
    answer with a formula shows MathML and no dollar sign is left over as text."""
    with_math = [q for q in questions if "$" in q.answer]
    assert len(with_math) > 50
    for question in with_math:
        assert "<math" in question.answer_html, question.slug
        text_only = re.sub(r"<math.*?</math>", "", question.answer_html, flags=re.S)
        text_only = re.sub(r"<code>.*?</code>|<pre>.*?</pre>", "", text_only, flags=re.S)
        assert "$" not in text_only, question.slug


def test_the_coding_question_has_working_code(questions):
    coding = next(q for q in questions if q.slug == "kv-cache-attention-implementation")
    assert "```python" in coding.answer
    assert "class " in coding.answer
    assert "def forward" in coding.answer
