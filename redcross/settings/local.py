"""The embedded default: SQLite in the project folder, debug on, served on 127.0.0.1."""

from .base import *  # noqa: F401,F403
from .base import SECRET_KEY as _SECRET_KEY
from .base import env_list

DEBUG = True
SECRET_KEY = _SECRET_KEY or "local-development-only-not-a-secret"
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost")
