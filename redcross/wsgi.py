"""WSGI entry point, for gunicorn: ``gunicorn redcross.wsgi``."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "redcross.settings.production")

application = get_wsgi_application()
