from collections.abc import Iterable

from django.contrib.auth.models import AbstractUser
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import F


class User(AbstractUser):
    """The site's user. Custom from the first migration so fields can be added later."""

    new_questions_per_day = models.PositiveSmallIntegerField(
        default=5,
        validators=[MaxValueValidator(50)],
        help_text="How many never-seen questions a 'practise what's due' round may add a day.",
    )
    practice_version = models.PositiveBigIntegerField(
        default=0,
        editable=False,
        help_text="Counts changes to this user's practice (interviews, answers, reviews, "
        "settings), each in the transaction that makes it. Pages kept per user in the cache "
        "are keyed by it, and the row is read on every request anyway.",
    )

    def __str__(self) -> str:
        return self.username


def practice_changed(user_ids: Iterable[int] | None) -> None:
    """Count a change to these users' practice (everyone's for None), in the caller's
    transaction: from then on, pages kept for them under the old count are never read again.

    Call it after the interview and its answers are locked and before any shared row of the
    user (tallies, cards), so that two requests of one user take locks in the same order."""
    users = User.objects.all() if user_ids is None else User.objects.filter(pk__in=list(user_ids))
    users.update(practice_version=F("practice_version") + 1)
