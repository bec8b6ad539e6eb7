"""What every view of the app starts from: the user's rights, and a service's errors put on a form.

Apart from ``views/generic.py`` so that the corrections views, which the generic detail view
shows, can use them without the two modules importing each other.
"""

from redcross.access import access_for


class AccessMixin:
    """Gives a view the rights of the requesting user as ``self.access``.

    A parameter the view cannot read (``redcross.params.BadParameter``) is answered by the 400
    handler (``redcross.views.errors``) with a page saying in Chinese what is wrong with it.
    """

    @property
    def access(self):
        return access_for(self.request)


def add_service_errors(form, error):
    """Puts a service's ValidationError next to the form fields it names."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)
