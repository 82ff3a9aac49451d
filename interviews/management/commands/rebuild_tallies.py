from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

from interviews.tallies import rebuild


class Command(BaseCommand):
    help = (
        "Recompute every interview's stored numbers and the users' tallies (days, streak, "
        "calibration, weakest questions) from the answers. Writes keep them up to date; run "
        "this after changing TIME_ZONE (answers move between days) or editing answers by hand."
    )

    def add_arguments(self, parser):
        parser.add_argument("usernames", nargs="*", help="Only these users (default: everyone).")

    def handle(self, *args, usernames, **options):
        user_ids = None
        if usernames:
            users = get_user_model().objects.filter(username__in=usernames)
            user_ids = list(users.values_list("pk", flat=True))
            missing = set(usernames) - set(users.values_list("username", flat=True))
            if missing:
                self.stderr.write(f"No such user: {', '.join(sorted(missing))}")
        rebuild(user_ids)
        who = f"{len(user_ids)} user(s)" if user_ids is not None else "every user"
        self.stdout.write(f"Interview numbers and tallies recomputed for {who}.")
