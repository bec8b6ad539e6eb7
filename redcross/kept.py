"""What every kept summary (totals kept as the records change, never entered) shares.

A summary row is rebuilt from its records whenever one of them is written; two writers of the
same rows at once must not both rebuild from what they each see.
"""

import hashlib

from django.db import connection


def kept_lock(*names):
    """Serializes the writers of the same summary rows until their transaction ends.

    Two payments of the same day saved at once on PostgreSQL would each delete the day's row and
    sum the payments they see, and both sums would stand. SQLite writes one transaction at a time.
    ``names`` are tuples naming the rows (the summary's name first); the locks are taken in one
    order, so two writers never wait on each other.
    """
    if connection.vendor != "postgresql":
        return
    keys = sorted(
        {
            int.from_bytes(hashlib.blake2b(repr(name).encode(), digest_size=8).digest(), "big", signed=True)
            for name in names
        }
    )
    with connection.cursor() as cursor:
        for key in keys:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key])
