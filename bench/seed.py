"""The benchmark's data, written into the database the settings point at.

    python -m bench.seed CANDIDATES HISTORY READER    (DJANGO_SETTINGS_MODULE=bench.settings)

Prints JSON on its last line: for each candidate a session cookie and the addresses of its take
page and autosave; session cookies for an account with HISTORY finished, reviewed interviews and
one with READER of them; a question's address; the database, cache and session engine.
Every account it makes is named "bench-..." and is deleted first, so a rerun on the same
PostgreSQL database starts from the same state.
"""

import json
import os
import random
import sys
from datetime import timedelta

import django

ANSWERS_PER_INTERVIEW = 5
PASSWORD = "bench-passphrase-not-secret"


def session_cookie(user):
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client.cookies["sessionid"].value


def make_user(username, password_hash):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.create(username=username, password=password_hash)


def make_candidates(count, questions, now, password_hash):
    """Users each with an interview whose first question is on screen and open (an hour)."""
    from django.urls import reverse

    from interviews.models import Interview

    candidates = []
    for n in range(count):
        user = make_user(f"bench-candidate-{n}", password_hash)
        interview = Interview.objects.start(
            user=user,
            questions=questions[n : n + ANSWERS_PER_INTERVIEW],
            seconds_per_question=3600,
            now=now,
        )
        answer = interview.advance(now)
        candidates.append(
            {
                "username": user.username,
                "session": session_cookie(user),
                "take": reverse("interviews:take", args=[interview.pk]),
                "autosave": reverse("interviews:autosave", args=[interview.pk, answer.pk]),
            }
        )
    return candidates


def make_history(username, count, questions, now, password_hash):
    """A user with `count` finished interviews, every answer reviewed, written in bulk (the
    model methods would take minutes for this many). The rows satisfy every constraint, as if
    each interview had been taken and reviewed through the pages."""
    from interviews.models import Answer, AnswerState, Interview, Outcome

    user = make_user(username, password_hash)
    chooser = random.Random(15)
    references = {question.pk: question.reference() for question in questions}
    interviews = Interview.objects.bulk_create(
        Interview(
            user=user,
            question_count=ANSWERS_PER_INTERVIEW,
            seconds_per_question=180,
            status=Interview.Status.FINISHED,
            created_at=now - timedelta(hours=8 * (count - n)),
            started_at=now - timedelta(hours=8 * (count - n)),
            finished_at=now - timedelta(hours=8 * (count - n)) + timedelta(minutes=20),
        )
        for n in range(count)
    )
    answers = []
    for n, interview in enumerate(interviews):
        started = interview.started_at
        for position, question in enumerate(chooser.sample(questions, ANSWERS_PER_INTERVIEW), 1):
            shown = started + timedelta(minutes=3 * (position - 1))
            reference = references[question.pk]
            total = len(reference["key_points"])
            covered = sorted(chooser.sample(range(1, total + 1), chooser.randint(0, total)))
            used = chooser.randint(20, 170)
            answers.append(
                Answer(
                    interview=interview,
                    question=question,
                    position=position,
                    state=AnswerState.REVIEWED,
                    shown_at=shown,
                    deadline=shown + timedelta(seconds=180),
                    text=f"Answer {position} of interview {n}: " + "words " * 60,
                    saved_at=shown + timedelta(seconds=used),
                    closed_at=shown + timedelta(seconds=used),
                    outcome=Outcome.SUBMITTED,
                    seconds_used=used,
                    confidence=chooser.randint(1, 5),
                    revealed_at=shown + timedelta(seconds=used + 5),
                    reference=reference,
                    covered=covered,
                    score=len(covered) / total if total else 0.0,
                    self_rating=chooser.randint(1, 5),
                    reviewed_at=shown + timedelta(seconds=used + 60),
                )
            )
    Answer.objects.bulk_create(answers, batch_size=1000)
    # What the write paths would have kept up to date: the interviews' numbers and the user's
    # tallies, and one spaced-repetition review per answer with the cards built from them.
    from interviews import tallies
    from repetition import schedule
    from repetition.grading import grade
    from repetition.models import Review

    tallies.rebuild([user.pk])
    Review.objects.bulk_create(
        (
            Review(
                user=user,
                question_id=answer.question_id,
                answer=answer,
                rating=grade(answer.score, answer.self_rating).value,
                reviewed_at=answer.revealed_at,
            )
            for answer in answers
        ),
        batch_size=1000,
    )
    for question_id in {answer.question_id for answer in answers}:
        schedule.rebuild(user.pk, question_id)
    return {"username": user.username, "session": session_cookie(user)}


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.db import connection, transaction
    from django.utils import timezone

    from questions.models import Question

    candidates, history_interviews, reader_interviews = map(int, sys.argv[1:4])
    now = timezone.now()
    # One hash for every account: hashing is slow by design, and a few scripts log in for real.
    password_hash = make_password(PASSWORD)
    questions = list(Question.objects.in_bank().in_bank_order().prefetch_related("key_points"))
    if len(questions) < candidates + ANSWERS_PER_INTERVIEW:
        sys.exit(f"The bank holds {len(questions)} questions; load it first (load_questions).")
    with transaction.atomic():
        get_user_model().objects.filter(username__startswith="bench-").delete()
        output = {
            "candidates": make_candidates(candidates, questions, now, password_hash),
            "history": make_history(
                "bench-history", history_interviews, questions, now, password_hash
            ),
            "reader": make_history(
                "bench-reader", reader_interviews, questions, now, password_hash
            ),
            "question": questions[0].get_absolute_url(),
            "config": {
                "database": connection.vendor,
                "cache": settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1],
                "sessions": settings.SESSION_ENGINE.rsplit(".", 1)[-1],
            },
        }
    print(json.dumps(output))


if __name__ == "__main__":
    main()
