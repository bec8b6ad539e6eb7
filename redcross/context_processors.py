from .access import access_for


def access(request):
    """The user's rights, for menus and buttons."""
    return {"access": access_for(request)}
