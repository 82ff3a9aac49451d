import re
from typing import Any

from django import forms

from questions.models import Difficulty, Topic

from .models import MAX_ANSWER_LENGTH, MAX_QUESTIONS, MIN_QUESTIONS, TIME_LIMIT_CHOICES

SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


class NewInterviewForm(forms.Form):
    topics = forms.ModelMultipleChoiceField(
        queryset=Topic.objects.all(),
        to_field_name="slug",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Leave all unticked for questions from every topic.",
    )
    difficulty = forms.ChoiceField(
        choices=[("", "Any")] + Difficulty.choices,
        required=False,
        widget=forms.RadioSelect,
        initial="",
    )
    question_count = forms.IntegerField(
        label="Number of questions",
        min_value=MIN_QUESTIONS,
        max_value=MAX_QUESTIONS,
        initial=5,
        help_text=f"From {MIN_QUESTIONS} to {MAX_QUESTIONS}.",
    )
    time_limit = forms.TypedChoiceField(
        label="Time per question",
        choices=TIME_LIMIT_CHOICES,
        coerce=int,
        initial=180,
        widget=forms.RadioSelect,
    )


class AnswerTextForm(forms.Form):
    text = forms.CharField(
        required=False,
        strip=False,
        max_length=MAX_ANSWER_LENGTH,
        error_messages={
            "max_length": f"Your answer is over {MAX_ANSWER_LENGTH:,} characters. Shorten it; "
            "the last saved version is kept."
        },
    )


class SlugListField(forms.Field):
    """Several values under one name (`?question=a&question=b`), each a bank slug."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value: Any) -> list[str]:
        return [str(item) for item in value or []]

    def validate(self, value: Any) -> None:
        super().validate(value)
        if not all(SLUG.fullmatch(item) for item in value):
            raise forms.ValidationError("That is not a question of the bank.")


class PractiseQuestionsForm(forms.Form):
    """Question slugs posted by "practise these"."""

    question = SlugListField(required=False)

    def clean_question(self) -> list[str]:
        slugs = list(dict.fromkeys(self.cleaned_data["question"]))[:MAX_QUESTIONS]
        if not slugs:
            raise forms.ValidationError("Choose at least one question to practise.")
        return slugs


# One to five, for the confidence before the reveal and the self-rating after it; the review
# template draws its radio groups from these too.
SCALE_CHOICES = [(value, str(value)) for value in range(1, 6)]


class RevealForm(forms.Form):
    confidence = forms.TypedChoiceField(
        choices=SCALE_CHOICES,
        coerce=int,
        error_messages={"required": "Choose how confident you are, from 1 to 5."},
    )


class ReviewForm(forms.Form):
    covered = forms.TypedMultipleChoiceField(coerce=int, required=False, choices=())
    self_rating = forms.TypedChoiceField(
        choices=[("", "Not rated"), *SCALE_CHOICES],
        coerce=int,
        empty_value=None,
        required=False,
    )
    notes = forms.CharField(required=False, max_length=5000)

    def __init__(self, *args: Any, key_point_count: int = 0, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        covered = self.fields["covered"]
        assert isinstance(covered, forms.TypedMultipleChoiceField)  # self.fields holds plain Fields
        covered.choices = [(n, str(n)) for n in range(1, key_point_count + 1)]
