"""A demo account with six weeks of practice, so a newcomer sees the home page, progress, the
history and the due queue filled in without practising for weeks first.

Everything goes through the same model methods as real use, with `now` moved back in time:
questions are drawn as the presets and "practise what's due" draw them, each one is shown,
answered (or skipped, or left to time out), the interview finishes, and answers are revealed
and reviewed, which feeds the FSRS schedule. So every invariant the app keeps for a real user
holds for the demo, and the schedule is the one real reviews would give.

`--seed` fixes the demo's own choices (times, outcomes, how much each answer covers, ratings);
which questions a round gets is the drawing functions' database-random order, as in the app,
so two runs differ in their questions and a little in their numbers.
"""

import random
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from interviews.drawing import (
    DUE_ROUND_SECONDS,
    TOPIC_ROUND_SIZE,
    draw_due,
    draw_preset,
    draw_questions,
)
from interviews.models import Answer, Interview
from interviews.presets import BY_SLUG
from questions.models import Question, Topic
from repetition import schedule

DAYS = 42


@dataclass(frozen=True)
class Session:
    days_ago: int
    # A preset's slug, "due" (practise what's due) or "topic" (the weakest topic's button).
    kind: str
    reviewed: bool = True
    # The first question left blank until its clock ran out: graded Again, due a day later.
    slip: bool = False


# About two interviews every three days over six weeks: presets while the bank is new, then
# more and more "practise what's due"; gaps, two sessions on some days, one interview never
# reviewed, and a streak of four days up to today. The last two days are presets, so what fell
# due since the round two days ago (the slip, at least) is due now; today's slip and whatever
# went badly today are due tomorrow.
PLAN = [
    Session(42, "quick"),
    Session(41, "phone-screen"),
    Session(39, "due"),
    Session(37, "deep-dive"),
    Session(36, "due"),
    Session(34, "due"),
    Session(32, "quick", reviewed=False),
    Session(30, "topic"),
    Session(28, "due"),
    Session(27, "due"),
    Session(24, "due"),
    Session(22, "phone-screen"),
    Session(21, "due"),
    Session(18, "due"),
    Session(16, "due"),
    Session(16, "topic"),
    Session(14, "due"),
    Session(11, "due"),
    Session(8, "topic"),
    Session(6, "due"),
    Session(3, "due"),
    Session(2, "due", slip=True),
    Session(1, "quick"),
    Session(0, "phone-screen", slip=True),
]
WEAK_TOPICS = 3

# Demo answers: a few words on the topic, in a candidate's voice (not reference answers).
TOPIC_WORDS = {
    "applications": "monitoring drift after deployment and a fallback when the model is unsure",
    "cnns-vision": "convolutions share weights, so the receptive field grows layer by layer",
    "evaluation": "pick the metric from the cost of each error, and keep a clean test split",
    "foundations": "learned features instead of hand-made ones, given enough data and compute",
    "generative-models": "the encoder maps to a latent space and we sample from it",
    "graph-neural-networks": "each node aggregates its neighbours' messages, then updates",
    "llm-inference": "the KV cache saves recomputing keys and values for earlier tokens",
    "llms": "pre-train on next-token prediction, then fine-tune on a smaller set",
    "neural-networks": "a weighted sum and a non-linearity, stacked in layers",
    "normalization-initialization": "keep activations at a steady scale so gradients flow",
    "post-training": "a reward signal from preferences, with a penalty to stay near the base model",
    "regularization": "trade a little training fit for a smaller gap to validation",
    "responsible-ai": "check the data for who is missing and measure errors per group",
    "rnns-sequences": "a hidden state carried through time, and vanishing gradients over it",
    "self-supervised": "the labels come from the data itself, like two views of one image",
    "training-at-scale": "split the batch across devices and average the gradients",
    "training": "the learning rate matters most; warm up, then decay",
    "transfer-learning": "reuse the pretrained layers and retrain the head first",
    "transformers": "attention is a softmax over scaled dot products of queries and keys",
}
OPENINGS = [
    "In short: {words}.",
    "I'd start from the idea: {words}. Then an example.",
    "Main point is {words}; the trade-off is cost.",
    "From my last project: {words}.",
    "Not fully sure, but {words}.",
]
NOTES = [
    "Forgot the trade-off again. Lead with it next time.",
    "Ran out of time: say the definition first, details after.",
    "Good, but give a concrete number.",
    "Mixed up the two terms. Reread the reference.",
    "Missed the failure case the interviewer would ask about.",
]


class Command(BaseCommand):
    help = (
        "Create a demo account with six weeks of practice (interviews, reviews, questions due "
        "today and tomorrow) and print its user name and password. Development only."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--username", default="demo", help="the account's name (demo)")
        parser.add_argument(
            "--reset",
            action="store_true",
            help="delete the account of that name, and only that one, and create it again",
        )
        parser.add_argument(
            "--force", action="store_true", help="run even though DEBUG is off (not advised)"
        )
        parser.add_argument(
            "--seed", type=int, default=12, help="random seed for the demo's own choices (12)"
        )

    def handle(self, *args: Any, username: str, reset: bool, force: bool, seed: int, **_: Any):
        if not settings.DEBUG and not force:
            raise CommandError(
                "DEBUG is off, so this looks like a real site: seed_demo creates an account "
                "whose password it prints. Run it in development (DEBUG=true), or add --force."
            )
        try:
            User._meta.get_field("username").run_validators(username)
        except ValidationError as error:
            raise CommandError(
                f"{username!r} is not a valid user name: {error.messages[0]}"
            ) from error
        if not Question.objects.in_bank().exists():
            raise CommandError("The question bank is empty: run `manage.py load_questions` first.")
        password = secrets.token_urlsafe(12)
        now = timezone.now()
        with transaction.atomic():
            existing = User.objects.filter(username=username).first()
            if existing is not None:
                if not reset:
                    raise CommandError(
                        f"An account named {username!r} exists already; nothing was changed. "
                        "Add --reset to delete it and create it again, or choose another "
                        "--username."
                    )
                existing.delete()
            user = User.objects.create_user(
                username=username, email=f"{username}@example.com", password=password
            )
            Practice(user, random.Random(seed), now).run()
        self._report(user, password, now)

    def _report(self, user: User, password: str, now: datetime) -> None:
        cards = schedule.cards_in_bank(user.pk)
        forecast = schedule.due_forecast(cards, now)
        interviews = Interview.objects.for_user(user).count()
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo account ready: user name {user.username}, password {password}"
            )
        )
        self.stdout.write(
            f"{interviews} interviews over the last {DAYS} days; "
            f"{sum(card.due <= now for card in cards)} questions due now, "
            f"{forecast[1]['count']} tomorrow. Sign in at {reverse('login')}."
        )


class Practice:
    """Six weeks of one candidate's practice, played forward through the real model methods."""

    def __init__(self, user: User, rng: random.Random, now: datetime) -> None:
        self.user, self.rng, self.now = user, rng, now
        topics = list(Topic.objects.order_by("position", "pk"))
        weak = set(rng.sample(topics, min(WEAK_TOPICS, len(topics))))
        # How much of a question the candidate covers six weeks ago; it grows with practice.
        self.skill = {
            topic.pk: rng.uniform(0.15, 0.3) if topic in weak else rng.uniform(0.35, 0.6)
            for topic in topics
        }
        self.attempts: dict[int, int] = {}

    def run(self) -> None:
        today = timezone.localdate(self.now)
        starts: dict[int, int] = {}
        for session in PLAN:
            if session.days_ago == 0:
                # Today's round (at most about 42 minutes, answers and reviews) ends a few
                # minutes before now, so the questions it failed come back tomorrow.
                start = self.now - timedelta(minutes=50)
            else:
                day = today - timedelta(days=session.days_ago)
                nth = starts[session.days_ago] = starts.get(session.days_ago, 0) + 1
                hour = self.rng.randint(8, 11) if nth == 1 else self.rng.randint(17, 20)
                local = datetime.combine(day, time(hour, self.rng.randint(0, 59)))
                # In UTC, as timezone.now() gives it (the fsrs package accepts nothing else).
                start = timezone.make_aware(local).astimezone(UTC)
            end = self._interview(session, start)
            assert end <= self.now, "the plan's last round must end before now"

    def _draw(self, session: Session, at: datetime) -> tuple[list[Question], dict[str, Any]]:
        """The questions and settings the app would give for this kind of round."""
        if session.kind == "due":
            questions = draw_due(self.user, at, size=self.rng.randint(4, 6))
            if questions:
                return questions, {"seconds_per_question": DUE_ROUND_SECONDS}
            session = Session(session.days_ago, "quick")
        if session.kind == "topic":
            # "Practise this topic" on the first row of the readiness table, as a candidate
            # working on their weakest topic would press it.
            topic = schedule.readiness_by_topic(self.user.pk, at)[0].topic
            questions = draw_questions(self.user, [topic], "", TOPIC_ROUND_SIZE)
            return questions, {"seconds_per_question": DUE_ROUND_SECONDS, "topics": [topic]}
        preset = BY_SLUG[session.kind]
        questions = draw_preset(self.user, preset)
        return questions, {"seconds_per_question": preset.seconds}

    def _interview(self, session: Session, at: datetime) -> datetime:
        """Take one interview from `at` and review it; returns when all that was done."""
        questions, options = self._draw(session, at)
        interview = Interview.objects.start(user=self.user, questions=questions, now=at, **options)
        progress = 1 - session.days_ago / DAYS
        at += timedelta(seconds=self.rng.randint(5, 20))
        while (answer := interview.show_next(at)) is not None:
            at = self._answer(answer, at, slip=session.slip and answer.position == 1)
            # The between-questions screen, then "Start question n".
            at += timedelta(seconds=self.rng.randint(8, 40))
        if session.reviewed:
            at = self._review(interview, progress, at + timedelta(minutes=self.rng.randint(1, 4)))
        return at

    def _answer(self, answer: Answer, at: datetime, *, slip: bool) -> datetime:
        """Answer the question on screen; returns when the candidate is done with it."""
        limit = answer.interview.seconds_per_question or DUE_ROUND_SECONDS
        roll = 0.07 if slip else self.rng.random()
        if roll < 0.06:  # typed something, then the clock ran out: closed when next read
            answer.save_draft(self._text(answer.question), at + timedelta(seconds=limit * 0.7))
            return at + timedelta(seconds=limit + 10)
        if roll < 0.09:  # nothing typed before the clock ran out
            return at + timedelta(seconds=limit + 10)
        if roll < 0.12:  # skipped blank
            at += timedelta(seconds=self.rng.randint(15, 40))
            answer.skip("", at)
            return at
        at += timedelta(seconds=round(limit * self.rng.uniform(0.35, 0.95)))
        answer.submit(self._text(answer.question), at)
        return at

    def _text(self, question: Question) -> str:
        words = TOPIC_WORDS.get(question.topic.slug, f"the core idea of {question.topic.name}")
        return self.rng.choice(OPENINGS).format(words=words)

    def _review(self, interview: Interview, progress: float, at: datetime) -> datetime:
        answers = (
            interview.answers.filter(state=Answer.State.CLOSED)
            .select_related("question__topic", "interview")
            .prefetch_related("question__key_points")
        )
        for answer in answers:
            covered = self._covered(answer.question, progress)
            confidence = round(1 + 4 * covered + self.rng.uniform(-0.6, 0.9))
            answer.reveal(max(1, min(5, confidence)), at)
            total = len(answer.reference_key_points)
            ticked = self.rng.sample(range(1, total + 1), round(covered * total))
            at += timedelta(seconds=self.rng.randint(40, 120))
            notes = self.rng.choice(NOTES) if self.rng.random() < 0.12 else ""
            answer.record_review(ticked, self._self_rating(covered), notes, at)
            at += timedelta(seconds=self.rng.randint(5, 20))
        return at

    def _covered(self, question: Question, progress: float) -> float:
        """The share of key points covered: the topic's skill, grown over the six weeks and
        with each earlier attempt at the question, give or take a bad day."""
        seen = self.attempts.get(question.pk, 0)
        self.attempts[question.pk] = seen + 1
        base = self.skill[question.topic_id] + 0.35 * progress + 0.12 * min(seen, 3)
        return max(0.0, min(1.0, base + self.rng.uniform(-0.2, 0.15)))

    def _self_rating(self, covered: float) -> int | None:
        if self.rng.random() < 0.1:
            return None
        rating = 1 + round(4 * covered + self.rng.uniform(-0.8, 0.8))
        return max(1, min(5, rating))
