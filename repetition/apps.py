from django.apps import AppConfig


class RepetitionConfig(AppConfig):
    name = "repetition"
    verbose_name = "Spaced repetition"
