from django import forms
from django.contrib.auth.forms import AuthenticationForm, UserCreationForm, UsernameField

from .models import User


class SignUpForm(UserCreationForm):
    email = forms.EmailField(
        required=True,
        help_text="Used only to reset your password if you forget it.",
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autocapitalize": "none"}),
    )

    class Meta:
        model = User
        fields = ("username", "email")
        # Django's username field: autocomplete="username", autocapitalize="none".
        field_classes = {"username": UsernameField}

    def clean_email(self):
        email = self.cleaned_data["email"].strip()
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError("An account with this email address already exists.")
        return email


class LoginForm(AuthenticationForm):
    """Django's log-in form, plus a length check it lacks: it sets `max_length` after the
    field is built, so no validator enforces it, and an over-long name would reach the
    lock-out log's column (a database error) instead of getting a message."""

    def clean_username(self):
        username = self.cleaned_data["username"]
        if len(username) > self.fields["username"].max_length:
            raise forms.ValidationError(
                "That username is longer than any account's (at most %(limit)d characters).",
                params={"limit": self.fields["username"].max_length},
            )
        return username
