"""Who is knocking: the client's address as the login rate limit sees it."""

from django.conf import settings


def client_ip(request):
    """The client's address. Behind ``REVERSE_PROXY_COUNT`` proxies (production: the TLS proxy),
    it is the address the outermost trusted proxy saw, taken from the right of X-Forwarded-For:
    what a client writes into that header itself stands further left and is never believed."""
    remote = request.META.get("REMOTE_ADDR", "")
    proxies = settings.REVERSE_PROXY_COUNT
    if not proxies:
        return remote
    forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if a.strip()]
    if len(forwarded) < proxies:
        return remote
    return forwarded[-proxies]
