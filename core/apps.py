from django.apps import AppConfig


class CoreConfig(AppConfig):
    """What every app shares: the home page, /healthz, the formatting filters."""

    name = "core"
