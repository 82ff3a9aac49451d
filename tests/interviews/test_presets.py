"""One-click rounds draw as their preset says (the demo seeder draws through the same
function, interviews.drawing.draw_preset)."""

import pytest
from django.urls import reverse

from interviews.models import Interview
from interviews.presets import PRESETS

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("preset", PRESETS, ids=lambda preset: preset.slug)
def test_a_preset_starts_its_round_at_once(user, user_client, bank, preset):
    response = user_client.post(reverse("interviews:preset", args=[preset.slug]))
    interview = Interview.objects.for_user(user).in_progress().get()
    assert response.status_code == 302
    assert response.url == interview.get_absolute_url()
    assert interview.seconds_per_question == preset.seconds
    questions = [answer.question for answer in interview.answers.select_related("question")]
    assert len(questions) == preset.count
    if preset.difficulties:
        assert {question.difficulty for question in questions} <= set(preset.difficulties)
    if preset.mixed:
        assert len({question.topic_id for question in questions}) == preset.count


def test_an_unknown_preset_is_a_404(user_client, bank):
    assert user_client.post(reverse("interviews:preset", args=["marathon"])).status_code == 404
    assert not Interview.objects.exists()
