from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_not_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from .forms import DeleteAccountForm, SignUpForm
from .throttle import throttle_posts


@login_not_required
@require_http_methods(["GET", "POST"])
@throttle_posts("signup", limit=settings.SIGNUPS_PER_HOUR, seconds=3600)
def signup(request):
    if request.user.is_authenticated:
        return redirect("core:home")
    form = SignUpForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if form.is_valid():
            user = form.save()
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, f"Welcome, {user.username}! Your account is ready.")
            return redirect("core:home")
        return render(request, "accounts/signup.html", {"form": form}, status=400)
    return render(request, "accounts/signup.html", {"form": form})


@require_http_methods(["GET", "POST"])
def delete_account(request):
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
        return redirect("core:home")
    return render(request, "accounts/delete_account.html", {"form": form})
