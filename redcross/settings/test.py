"""Settings for the test suite: whichever database ``DATABASE_URL`` names, SQLite otherwise."""

from .base import *  # noqa: F401,F403

SECRET_KEY = "test-suite-only-not-a-secret"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Background work runs at once, inside the test (django-tasks' immediate backend).
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
