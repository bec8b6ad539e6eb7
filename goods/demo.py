"""The demo's goods (``load_demo``): the gifts in kind the demo records have made their lots; the
payouts and relief payments in kind that gave them on are traced to those lots the way the data
migration of issue 20 traces a database's older records (``goods.migrating``): 150525's epidemic
goods (83.85万元) to the county's epidemic command, 610900's 博爱送万家 goods to three counties.
Idempotent, like the rest of the demo."""

from django.apps import apps

from .migrating import issues_from_spending


def demo_goods(chapters, users):
    """The demo loader (``redcross.registry``): after the parts recording gifts and payouts, before
    the reports."""
    issues_from_spending(apps)
