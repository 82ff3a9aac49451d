"""One FSRS card per (user, question), and the log of reviews it is built from.

The card is a cache of the log: `schedule.rebuild` folds the log into the same card again.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from questions.models import Question


class Card(models.Model):
    class State(models.IntegerChoices):
        # The values of fsrs.State.
        LEARNING = 1, "Learning"
        REVIEW = 2, "Review"
        RELEARNING = 3, "Relearning"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="cards"
    )
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="+")
    state = models.PositiveSmallIntegerField(choices=State, default=State.LEARNING)
    step = models.PositiveSmallIntegerField(null=True, blank=True)
    stability = models.FloatField(null=True, blank=True)
    difficulty = models.FloatField(null=True, blank=True)
    due = models.DateTimeField()
    last_review = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "question"], name="card_one_per_question"),
            models.CheckConstraint(condition=Q(state__in=[1, 2, 3]), name="card_valid_state"),
        ]
        indexes = [models.Index(fields=["user", "due"], name="card_user_due_idx")]

    def __str__(self) -> str:
        return f"Card of {self.user_id} for {self.question_id}, due {self.due:%Y-%m-%d}"


class Review(models.Model):
    """One reviewed answer as one FSRS review: its grade and when it counts (the reveal)."""

    class Rating(models.IntegerChoices):
        # The values of fsrs.Rating.
        AGAIN = 1, "Again"
        HARD = 2, "Hard"
        GOOD = 3, "Good"
        EASY = 4, "Easy"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="+")
    # The answer it grades: saving its checklist again regrades this row, never adds one.
    answer = models.OneToOneField(
        "interviews.Answer", on_delete=models.CASCADE, related_name="repetition_review"
    )
    rating = models.PositiveSmallIntegerField(choices=Rating)
    reviewed_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(rating__gte=1, rating__lte=4), name="review_rating_range"
            )
        ]
        indexes = [
            models.Index(fields=["user", "question", "reviewed_at"], name="review_card_log_idx")
        ]

    def __str__(self) -> str:
        return f"{self.get_rating_display()} for {self.question_id} at {self.reviewed_at:%Y-%m-%d}"
