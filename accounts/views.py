from typing import Any

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from interviews.middleware import MemberRequest

from . import backends
from .forms import DeleteAccountForm, SignUpForm
from .throttle import throttle_posts


@login_not_required
@require_http_methods(["GET", "POST"])
@throttle_posts("signup", limit=settings.SIGNUPS_PER_HOUR, seconds=3600)
def signup(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("progress:home")
    form = SignUpForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if form.is_valid():
            user = form.save()
            login(request, user, backend=backends.PATH)
            messages.success(
                request,
                f"Welcome, {user.username}! Your account is ready. A quick round is a good "
                "start, or browse the questions first.",
            )
            # The home page signed in says what to do next: one click starts a round.
            return redirect("progress:home")
        return render(request, "accounts/signup.html", {"form": form}, status=400)
    return render(request, "accounts/signup.html", {"form": form})


@require_http_methods(["GET", "POST"])
def delete_account(request: MemberRequest) -> HttpResponse:
    form = DeleteAccountForm(request.POST if request.method == "POST" else None, user=request.user)
    if request.method == "POST":
        if not form.is_valid():
            return render(request, "accounts/delete_account.html", {"form": form}, status=400)
        user = request.user
        logout(request)
        user.delete()  # interviews and answers go with it; the bank is untouched
        # The log-in records name the account too: they go with it.
        for model in (AccessAttempt, AccessLog, AccessFailureLog):
            model.objects.filter(username=user.username).delete()
        messages.success(request, "Your account and all your practice data are deleted.")
        return redirect("progress:home")
    return render(request, "accounts/delete_account.html", {"form": form})


class LogoutView(auth_views.LogoutView):
    """Django's log-out, and a word that it happened (the page after looks the same otherwise).
    The message outlives the session it ends: messages fall back to a cookie."""

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        was_logged_in = request.user.is_authenticated
        response = super().post(request, *args, **kwargs)
        if was_logged_in:
            messages.info(request, "You are logged out. See you next time.")
        return response
