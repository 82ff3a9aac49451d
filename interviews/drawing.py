"""Choosing questions for a new interview: random among those that match, unseen ones first;
for "practise what's due", due questions first, then a few new ones a day."""

from collections.abc import Sequence
from datetime import datetime, time

from django.utils import timezone

from accounts.models import User
from questions.models import Question, QuestionQuerySet, Topic
from repetition import schedule

from .models import Answer
from .presets import Preset
from .tallies import QuestionTally

# A "practise what's due" round: at most this many questions, this long each.
DUE_ROUND_SIZE = 10
DUE_ROUND_SECONDS = 180
# A "practise this topic" round: this many questions of the topic, unseen ones first.
TOPIC_ROUND_SIZE = 5


def matching_questions(
    topics: Sequence[Topic], difficulty: str, difficulties: Sequence[str] = ()
) -> QuestionQuerySet:
    questions = Question.objects.in_bank()
    if topics:
        questions = questions.filter(topic__in=topics)
    if difficulty:
        questions = questions.filter(difficulty=difficulty)
    if difficulties:
        questions = questions.filter(difficulty__in=difficulties)
    return questions


def draw_questions(
    user: User,
    topics: Sequence[Topic],
    difficulty: str,
    count: int,
    *,
    difficulties: Sequence[str] = (),
    mixed: bool = False,
) -> list[Question]:
    """Up to `count` questions: never-seen ones at random, then the least recently seen.
    `mixed` spreads them over topics: one per topic before any topic gets a second."""
    candidates = list(
        matching_questions(topics, difficulty, difficulties)
        .order_by("?")
        .values_list("pk", "topic_id")
    )
    last_seen = dict(
        QuestionTally.objects.filter(
            user=user, question_id__in=[pk for pk, _ in candidates]
        ).values_list("question_id", "last_met_at")
    )
    unseen = [row for row in candidates if row[0] not in last_seen]
    seen = sorted((row for row in candidates if row[0] in last_seen), key=lambda r: last_seen[r[0]])
    ordered = unseen + seen
    if mixed:
        # Round-robin over topics, keeping each topic's own order (unseen first).
        rounds: dict[int, int] = {}
        ranked: list[tuple[int, int, int]] = []
        for pk, topic_id in ordered:
            rounds[topic_id] = rounds.get(topic_id, -1) + 1
            ranked.append((rounds[topic_id], len(ranked), pk))
        chosen = [pk for _, _, pk in sorted(ranked)][:count]
    else:
        chosen = [pk for pk, _ in ordered][:count]
    by_pk = Question.objects.in_bulk(chosen)
    return [by_pk[pk] for pk in chosen]


def draw_preset(user: User, preset: Preset) -> list[Question]:
    """The questions of a one-click round (any topic, the preset's difficulties and mix)."""
    return draw_questions(
        user, [], "", preset.count, difficulties=preset.difficulties, mixed=preset.mixed
    )


def new_today(user: User, now: datetime) -> int:
    """Questions met for the first time today (local day): they count against the daily
    allowance of new questions."""
    start = timezone.make_aware(datetime.combine(timezone.localdate(now), time.min))
    return QuestionTally.objects.filter(user=user, first_met_at__gte=start).count()


def new_allowance(user: User, now: datetime) -> int:
    return max(0, user.new_questions_per_day - new_today(user, now))


def draw_due(user: User, now: datetime, size: int = DUE_ROUND_SIZE) -> list[Question]:
    """Due questions first (most overdue first), then never-seen ones up to what is left of
    today's allowance of new questions; never a question open in another interview."""
    open_ids = set(Answer.objects.open_for(user).values_list("question_id", flat=True))
    due = schedule.due_question_ids(user.pk, now, exclude=open_ids)[:size]
    room = min(new_allowance(user, now), size - len(due))
    new: list[int] = []
    if room > 0:
        met = QuestionTally.objects.filter(user=user).values("question_id")
        new = list(
            Question.objects.in_bank()
            .exclude(pk__in=met)
            .exclude(pk__in=open_ids)
            .order_by("?")
            .values_list("pk", flat=True)[:room]
        )
    chosen = due + new
    by_pk = Question.objects.in_bulk(chosen)
    return [by_pk[pk] for pk in chosen]
