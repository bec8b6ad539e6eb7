"""Every model the project writes has a factory in tests/factories.py, and each makes a valid row."""

import factory
import pytest
from django.apps import apps

from redcross.kept import KeptDay

from . import factories

# Rows no one writes by hand: kept by the payments' services (PersonYear, PersonFirst, ReliefDay),
# the kept daily totals of every list (``redcross.kept.KeptDay``) and the history itself (Change).
DERIVED = {"aid.personyear", "aid.personfirst", "aid.writtentownship", "aid.reliefday"}
DERIVED |= {"donations.donorfirst"}
DERIVED |= {"redcross.change"}
DERIVED |= {
    m._meta.label_lower for m in apps.get_models() if issubclass(m, KeptDay)
}
PROJECT_APPS = {"redcross", "aid", "donations", "training", "projects", "reports"}

FACTORIES = {
    f._meta.model._meta.label_lower: f
    for f in vars(factories).values()
    if isinstance(f, type) and issubclass(f, factory.django.DjangoModelFactory) and f._meta.model
}


def test_every_model_has_a_factory():
    models = {
        m._meta.label_lower
        for m in apps.get_models()
        if m._meta.app_label in PROJECT_APPS and not m._meta.auto_created
    }
    assert models - DERIVED - set(FACTORIES) == set()


@pytest.mark.parametrize("label", sorted(FACTORIES))
def test_the_factory_makes_a_valid_row(db, label):
    row = FACTORIES[label]()
    # JSON fields an import fills in as it goes may start empty.
    row.full_clean(exclude=["counts", "created", "report", "password"])
    assert type(row).objects.filter(pk=row.pk).exists()
