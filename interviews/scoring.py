"""What an interview's numbers are, stated once.

An answer counts towards the score in two cases only: it was reviewed (the candidate saved the
key-point checklist for it), or it was not answered (blank when it closed), which scores 0.
Answers typed but not yet reviewed do not count either way.

The interview's score is the mean over those answers. While something was answered but nothing
is reviewed yet, there is no score ("not reviewed yet"), rather than a 0 % that only reflects
the blanks.

These expressions are the only definition: `Interview.count_answers` stores their values on the
interview row each time one of its answers changes, and every page that shows an interview's
numbers (the review's summary, history, the progress chart, home) reads those columns.
`prefix` is the path from the queryset's model to the answers: "answers__" on Interview
querysets, "" on an Answer queryset.
"""

from django.db.models import Aggregate, Avg, Case, Count, F, FloatField, Q, Sum, When
from django.db.models.lookups import Exact, GreaterThan

REVIEWED, UNANSWERED, SUBMITTED = "reviewed", "unanswered", "submitted"


def reviewed_answers(prefix: str = "answers__") -> Count:
    """How many answers the candidate reviewed (saved the checklist for)."""
    return Count(f"{prefix}pk", filter=Q(**{f"{prefix}state": REVIEWED}))


def answered_answers(prefix: str = "answers__") -> Count:
    """How many answers had text when they closed (or are still open)."""
    return Count(f"{prefix}pk", filter=~Q(**{f"{prefix}state": UNANSWERED}))


def interview_score(prefix: str = "answers__") -> Case:
    """The mean score of the reviewed and unanswered answers; None until something answered
    is reviewed."""
    counted = Q(**{f"{prefix}state__in": [REVIEWED, UNANSWERED]})
    return Case(
        When(
            GreaterThan(reviewed_answers(prefix), 0) | Exact(answered_answers(prefix), 0),
            then=Avg(F(f"{prefix}score"), filter=counted),
        ),
        default=None,
        output_field=FloatField(),
    )


def interview_numbers(prefix: str = "answers__") -> dict[str, Aggregate | Case]:
    """Every number an interview row keeps, by the name of its column."""
    return {
        "score": interview_score(prefix),
        "reviewed_count": reviewed_answers(prefix),
        "answered_count": answered_answers(prefix),
        "unanswered_count": Count(f"{prefix}pk", filter=Q(**{f"{prefix}state": UNANSWERED})),
        "submitted_count": Count(f"{prefix}pk", filter=Q(**{f"{prefix}outcome": SUBMITTED})),
        # None until an answer closes (an open answer has used no time yet).
        "seconds_used": Sum(f"{prefix}seconds_used"),
    }
