from datetime import UTC, datetime, timedelta

import pytest

from interviews.models import Interview

T0 = datetime(2026, 11, 23, 12, 0, 0, tzinfo=UTC)


def at(seconds):
    """A moment `seconds` after T0: tests move time by passing it, never by sleeping."""
    return T0 + timedelta(seconds=seconds)


@pytest.fixture
def three_questions(make_question):
    return [make_question(slug=f"q{i}", topic="t", points=4) for i in range(1, 4)]


@pytest.fixture
def interview(user, three_questions):
    return Interview.objects.start(
        user=user, questions=three_questions, seconds_per_question=60, now=T0
    )
