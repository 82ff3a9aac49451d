import json

from django.core.management.base import BaseCommand

from questions.bank import export_bank


class Command(BaseCommand):
    help = "Print the question bank as JSON (a list of questions with their key points and refs)."

    def handle(self, *args, **options):
        self.stdout.write(json.dumps(export_bank(), indent=2, ensure_ascii=False))
