"""The 400 page: a parameter the page could not read is named (``redcross.params.BadParameter``),
wherever in the view it was read; anything else gets the plain page that reveals nothing."""

from django.shortcuts import render
from django.views.defaults import bad_request as plain_bad_request

from redcross.params import BadParameter


def bad_request(request, exception):
    if isinstance(exception, BadParameter) and hasattr(request, "user"):
        return render(request, "bad_parameter.html", {"message": exception.message}, status=400)
    return plain_bad_request(request, exception)
