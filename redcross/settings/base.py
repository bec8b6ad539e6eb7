"""Settings shared by every environment; each environment module imports and adjusts them.

Configuration that differs between machines comes from the environment: ``DATABASE_URL``,
``SECRET_KEY``, ``ALLOWED_HOSTS``, ``SITE_URL``.
"""

import datetime
import os
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.utils.translation import gettext_lazy

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def env_list(name, default=""):
    """A comma-separated environment variable as a list of non-empty items."""
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


SECRET_KEY = os.environ.get("SECRET_KEY", "")
DEBUG = False
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")

# The address figures in a PDF built outside a request (build_report) link to.
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_filters",
    "csp",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "redcross",
    "aid",
    "donations",
    "goods",
    "training",
    "projects",
    "reports",
    "disclosure",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "redcross.history.HistoryMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    # Last, as django-axes asks: refuses a login while its username and address are locked out.
    "axes.middleware.AxesMiddleware",
]

# Login is rate-limited per username *and* address (django-axes): five failures lock that pair
# out for fifteen minutes, so an attacker elsewhere cannot lock every colleague out.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = datetime.timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "redcross.security.client_ip"
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False
# Proxies in front of the app whose X-Forwarded-For is believed (production: 1, the TLS proxy).
REVERSE_PROXY_COUNT = int(os.environ.get("REVERSE_PROXY_COUNT", "0"))

# Content-Security-Policy (django-csp): the pages load scripts, styles, images and fonts from this
# site only, and run no inline script or style, so an injected <script> or on…= attribute does
# nothing even if escaping were ever missed. Nothing is framed, no form posts elsewhere.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# Sessions end when the browser closes and after eight hours in any case.
SESSION_COOKIE_AGE = 8 * 60 * 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

ROOT_URLCONF = "redcross.urls"
WSGI_APPLICATION = "redcross.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "redcross.context_processors.access",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "0")),
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "redcross.passwords.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Chinese first; English is the second language. Source strings are written in Chinese, so the
# interface is complete without any catalogue; locale/en holds the English translation.
LANGUAGE_CODE = "zh-hans"
# Each language is named in its own words, never translated: whoever cannot read the page finds
# their language by the name they know (Django's catalogue would turn "English" into 英语).
LANGUAGES = [("zh-hans", "中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Rows per page of every record list.
LIST_PAGE_SIZE = 50
# A list's filter not chosen reads "全部" (all), not "---------" (django-filter's default).
FILTERS_EMPTY_CHOICE_LABEL = gettext_lazy("全部")

# Excel exports: up to this many rows download at once (about 1.5 s of writing); larger ones are
# written by the task worker (``manage.py db_worker``) while the page shows their progress, and
# kept in the default storage (MEDIA_ROOT; shared storage when several servers run).
EXPORT_IMMEDIATE_ROWS = int(os.environ.get("EXPORT_IMMEDIATE_ROWS", "5000"))
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
MEDIA_URL = "media/"
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

# Import of spreadsheets: what a file may be before it is read at all. A sheet's declared size
# (<dimension ref>) is checked from the first bytes of its part; rows are counted again while
# streaming, since a sheet may declare nothing or lie. 100,000 rows of data per sheet is what
# bench/import_bench.py imports through the task worker.
IMPORT_MAX_BYTES = int(os.environ.get("IMPORT_MAX_BYTES", 20 * 2**20))
IMPORT_MAX_UNPACKED_BYTES = int(os.environ.get("IMPORT_MAX_UNPACKED_BYTES", 50 * 2**20))
IMPORT_MAX_MEMBERS = int(os.environ.get("IMPORT_MAX_MEMBERS", 500))
IMPORT_MAX_ROWS = int(os.environ.get("IMPORT_MAX_ROWS", 100_000))
IMPORT_MAX_COLUMNS = int(os.environ.get("IMPORT_MAX_COLUMNS", 100))
# Up to this many rows a workbook is checked and imported in the request (about a second);
# a larger one is checked and imported by the task worker while its page shows the progress.
IMPORT_IMMEDIATE_ROWS = int(os.environ.get("IMPORT_IMMEDIATE_ROWS", 3000))
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
