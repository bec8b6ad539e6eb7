"""Settings per environment: ``local`` (default of manage.py), ``test``, ``production``."""
