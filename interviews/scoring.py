"""What an interview's score is, stated once.

The score of an interview is the mean score of its scored answers: those reviewed against the
reference, and blank ones, which score 0. Every page that shows an interview's score (the
review's summary, history, the progress chart) computes it with this one expression, in SQL.
"""

from django.db.models import Avg, Count, Q


def interview_score() -> Avg:
    """An aggregate over an interview's answers (use on Interview querysets)."""
    return Avg("answers__score")


def scored_answers() -> Count:
    """How many of an interview's answers have a score."""
    return Count("answers", filter=Q(answers__score__isnull=False))
