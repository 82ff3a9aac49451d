from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from questions.bank import DEFAULT_PATH, BankError, load_bank


class Command(BaseCommand):
    help = (
        "Load the question bank from TOML files (sources.toml and questions/*.toml). "
        "Every file is validated first; all are loaded in one transaction."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "path",
            nargs="?",
            default=str(DEFAULT_PATH),
            help="folder holding sources.toml and questions/ (default: fixtures/)",
        )

    def handle(self, *args, path, **options):
        try:
            counts = load_bank(Path(path))
        except BankError as error:
            raise CommandError(
                f"The bank was not loaded; {len(error.problems)} problem(s):\n"
                + "\n".join(f"  - {problem}" for problem in error.problems)
            ) from error
        self.stdout.write(
            self.style.SUCCESS(
                f"Question bank loaded: {counts.created} created, {counts.updated} updated, "
                f"{counts.unchanged} unchanged; {counts.retired} retired (gone from the files "
                f"but answered by candidates), {counts.deleted} deleted."
            )
        )
