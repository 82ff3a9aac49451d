"""The test suite's settings: the real ones, plus the few things only tests want."""

import os

# Production settings refuse to start without a key; tests need one and nothing secret.
os.environ.setdefault("SECRET_KEY", "tests-only-key-not-secret")

from .settings import *  # noqa: E402,F403

ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]

# Hashing a password properly takes ~0.3 s by design; tests create hundreds of users.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# No collectstatic manifest in tests: plain static file storage.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
