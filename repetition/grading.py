"""How one reviewed answer becomes one FSRS grade. The only mapping; documented in the README.

    not answered (blank when it closed)  -> Again
    key-point score <  0.4               -> Again
    key-point score <  0.7               -> Hard
    key-point score <  0.9               -> Good
    key-point score >= 0.9               -> Easy

then a self-rating of 1 moves the grade one step down and a self-rating of 5 one step up
(within Again..Easy); 2, 3, 4 or no rating leave it as it is. An unanswered question is Again
whatever the rating (it has none).
"""

from fsrs import Rating

STEPS = [Rating.Again, Rating.Hard, Rating.Good, Rating.Easy]


def grade(score: float | None, self_rating: int | None, *, answered: bool = True) -> Rating:
    if not answered or score is None:
        return Rating.Again
    if score < 0.4:
        step = 0
    elif score < 0.7:
        step = 1
    elif score < 0.9:
        step = 2
    else:
        step = 3
    if self_rating == 1:
        step -= 1
    elif self_rating == 5:
        step += 1
    return STEPS[max(0, min(step, len(STEPS) - 1))]
