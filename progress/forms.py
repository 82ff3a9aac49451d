from django import forms

from accounts.models import User


class NewPerDayForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["new_questions_per_day"]
        labels = {"new_questions_per_day": "New questions a day"}
        error_messages = {
            "new_questions_per_day": {
                "max_value": "At most 50 new questions a day.",
                "min_value": "The number of new questions cannot be negative.",
                "required": "Say how many new questions a day, from 0 to 50.",
                "invalid": "Say how many new questions a day, as a whole number from 0 to 50.",
            }
        }
