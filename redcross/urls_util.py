"""Links from a figure to the records behind it."""

from django.urls import reverse
from django.utils.http import urlencode


def records_url(route, *args, **params):
    """The URL of list ``route`` filtered by ``params`` (empty values left out)."""
    query = {key: value for key, value in params.items() if value not in (None, "")}
    url = reverse(route, args=args)
    return f"{url}?{urlencode(query)}" if query else url
