"""Spaced repetition of whole interview questions with FSRS (the `fsrs` package).

Every function takes `now`; nothing here reads a clock. An interview question is a long,
spoken answer, not a flashcard: there are no same-day learning steps (a failed question comes
back the next day, not in ten minutes), and no fuzzing, so that a card rebuilt from its log is
the card that was stored.
"""

import bisect
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any, NamedTuple

import fsrs
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from questions.models import Topic

from .models import Card, Review

SCHEDULER = fsrs.Scheduler(
    desired_retention=0.9,
    learning_steps=(),
    relearning_steps=(),
    maximum_interval=365,
    enable_fuzzing=False,
)
CARD_FIELDS = ["state", "step", "stability", "difficulty", "due", "last_review"]


def _as_fsrs(card: "Card | CardRow") -> fsrs.Card:
    return fsrs.Card(
        card_id=card.pk or 1,
        state=fsrs.State(card.state),
        step=card.step,
        stability=card.stability,
        difficulty=card.difficulty,
        due=card.due,
        last_review=card.last_review,
    )


def _copy(source: fsrs.Card, card: Card) -> Card:
    card.state = source.state.value
    card.step = source.step
    card.stability = source.stability
    card.difficulty = source.difficulty
    card.due = source.due
    card.last_review = source.last_review
    return card


def fold(reviews: list[tuple[datetime, int]], created_at: datetime) -> fsrs.Card:
    """The card that a log of (time, rating) reviews makes, applied oldest first."""
    card = fsrs.Card(card_id=1, due=created_at)
    for reviewed_at, rating in sorted(reviews):
        card, _ = SCHEDULER.review_card(card, fsrs.Rating(rating), review_datetime=reviewed_at)
    return card


def rebuild(user_id: int, question_id: int) -> Card | None:
    """Rebuild the card from the review log (None, and no card, when the log is empty)."""
    log = list(
        Review.objects.filter(user_id=user_id, question_id=question_id).values_list(
            "reviewed_at", "rating"
        )
    )
    card = Card.objects.filter(user_id=user_id, question_id=question_id).first()
    if not log:
        if card is not None:
            card.delete()
        return None
    created_at = min(at for at, _ in log)
    if card is None:
        card = Card(user_id=user_id, question_id=question_id, created_at=created_at)
    _copy(fold(log, created_at), card)
    card.save()
    return card


@transaction.atomic
def record(*, user_id: int, question_id: int, answer_id: int, rating: int, at: datetime) -> Card:
    """Log (or regrade) the review of one answer and bring the question's card up to date.

    A new review later than the card's last one is applied to the card as it is; anything
    else (a regrade, a review of an older interview done late) rebuilds the card from the log,
    so the order in which reviews are saved never changes the schedule.
    """
    card = Card.objects.select_for_update().filter(user_id=user_id, question_id=question_id).first()
    review, created = Review.objects.update_or_create(
        answer_id=answer_id,
        defaults={
            "user_id": user_id,
            "question_id": question_id,
            "rating": rating,
            "reviewed_at": at,
        },
    )
    in_order = card is not None and card.last_review is not None and at >= card.last_review
    if created and (card is None or in_order):
        if card is None:
            card = Card(user_id=user_id, question_id=question_id, created_at=at, due=at)
            current = fsrs.Card(card_id=1, due=at)
        else:
            current = _as_fsrs(card)
        updated, _ = SCHEDULER.review_card(current, fsrs.Rating(rating), review_datetime=at)
        _copy(updated, card).save()
        return card
    rebuilt = rebuild(user_id, question_id)
    assert rebuilt is not None, "the log has this review"
    return rebuilt


def retrievability(card: "Card | CardRow", now: datetime) -> float:
    """FSRS's predicted chance of recalling the answer at `now` (0..1)."""
    if card.last_review is None or card.stability is None:
        return 0.0
    return float(SCHEDULER.get_card_retrievability(_as_fsrs(card), current_datetime=now))


class CardRow(NamedTuple):
    """A card as the pages read it: its schedule and its question's topic, no model instance."""

    pk: int
    question_id: int
    topic_id: int
    state: int
    step: int | None
    stability: float | None
    difficulty: float | None
    due: datetime
    last_review: datetime | None


def cards_in_bank(user_id: int) -> list[CardRow]:
    """The user's cards for questions still in the bank (one query, at most one per question)."""
    rows = Card.objects.filter(user_id=user_id, question__retired=False).values_list(
        "pk",
        "question_id",
        "question__topic_id",
        "state",
        "step",
        "stability",
        "difficulty",
        "due",
        "last_review",
    )
    return [CardRow(*row) for row in rows]


def due_question_ids(
    user_id: int, now: datetime, exclude: frozenset[int] | set[int] = frozenset()
) -> list[int]:
    """Questions whose card is due at `now`, most overdue first."""
    return [
        pk
        for pk in Card.objects.filter(user_id=user_id, question__retired=False, due__lte=now)
        .order_by("due", "question_id")
        .values_list("question_id", flat=True)
        if pk not in exclude
    ]


@dataclass
class TopicReadiness:
    topic: Topic
    readiness: float  # mean predicted recall over every question of the topic, unseen = 0
    seen: int
    total: int

    @property
    def percent(self) -> int:
        return round(self.readiness * 100)


def readiness_by_topic(
    user_id: int, now: datetime, cards: list[CardRow] | None = None
) -> list[TopicReadiness]:
    """Per topic, weakest first: the mean FSRS recall now over its questions in the bank,
    with the questions never reviewed counted as 0. Two queries, whatever the history."""
    cards = cards_in_bank(user_id) if cards is None else cards
    topics = Topic.objects.annotate(total=Count("questions", filter=Q(questions__retired=False)))
    recall: dict[int, list[float]] = {}
    for card in cards:
        recall.setdefault(card.topic_id, []).append(retrievability(card, now))
    rows = [
        TopicReadiness(
            topic=topic,
            readiness=sum(recall.get(topic.pk, [])) / topic.total,
            seen=len(recall.get(topic.pk, [])),
            total=topic.total,
        )
        for topic in topics
        if topic.total
    ]
    return sorted(rows, key=lambda row: (row.readiness, row.topic.position, row.topic.name))


def due_forecast(cards: list[CardRow], now: datetime, days: int = 7) -> list[dict[str, Any]]:
    """How many cards fall due on each of the next `days` local days; today counts the
    overdue ones too."""
    today = timezone.localdate(now)
    ends = [  # the end of each local day, as a moment to compare due dates with
        timezone.make_aware(datetime.combine(today + timedelta(days=n + 1), time.min))
        for n in range(days)
    ]
    counts = [0] * days
    for card in cards:
        index = bisect.bisect_right(ends, card.due)
        if index < days:
            counts[index] += 1
    return [{"day": today + timedelta(days=n), "count": counts[n]} for n in range(days)]
