from typing import Any

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

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip()
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError("An account with this email address already exists.")
        return email


class LoginForm(AuthenticationForm):
    """Django's log-in form, plus a length check it lacks: it sets `max_length` after the
    field is built, so no validator enforces it, and an over-long name would reach the
    lock-out log's column (a database error) instead of getting a message."""

    def clean_username(self) -> str:
        username = self.cleaned_data["username"]
        # A UsernameField whose max_length AuthenticationForm has set (self.fields is typed
        # as plain Fields).
        field = self.fields["username"]
        assert isinstance(field, forms.CharField)
        assert field.max_length is not None
        if len(username) > field.max_length:
            raise forms.ValidationError(
                "That username is longer than any account's (at most %(limit)d characters).",
                params={"limit": field.max_length},
            )
        return username


class DeleteAccountForm(forms.Form):
    password = forms.CharField(
        label="Your password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    confirm = forms.BooleanField(
        label="I understand that my interviews, answers and reviews are deleted for good.",
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError("That is not your password.")
        return password
