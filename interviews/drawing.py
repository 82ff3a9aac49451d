"""Choosing questions for a new interview: random among those that match, unseen ones first."""

from collections.abc import Sequence

from django.db.models import Max

from accounts.models import User
from questions.models import Question, QuestionQuerySet, Topic

from .models import Answer


def matching_questions(topics: Sequence[Topic], difficulty: str) -> QuestionQuerySet:
    questions = Question.objects.in_bank()
    if topics:
        questions = questions.filter(topic__in=topics)
    if difficulty:
        questions = questions.filter(difficulty=difficulty)
    return questions


def draw_questions(
    user: User, topics: Sequence[Topic], difficulty: str, count: int
) -> list[Question]:
    """Up to `count` questions: never-seen ones at random, then the least recently seen."""
    candidates = list(
        matching_questions(topics, difficulty).order_by("?").values_list("pk", flat=True)
    )
    last_seen = dict(
        Answer.objects.filter(interview__user=user, question_id__in=candidates)
        .values("question_id")
        .annotate(last=Max("interview__created_at"))
        .values_list("question_id", "last")
    )
    unseen = [pk for pk in candidates if pk not in last_seen]
    seen = sorted((pk for pk in candidates if pk in last_seen), key=last_seen.__getitem__)
    chosen = (unseen + seen)[:count]
    by_pk = Question.objects.in_bulk(chosen)
    return [by_pk[pk] for pk in chosen]
