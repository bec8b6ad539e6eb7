"""Fixtures every test file shares: a chapter tree, users in roles, and the factories."""

from types import SimpleNamespace

import pytest

from aid.models import AidCategory
from redcross.choices import ChapterLevel, Role

from . import factories


@pytest.fixture
def tree(db):
    """Two branches: 内蒙古 → 通辽 → 奈曼旗 and 科左中旗; 陕西 → 安康 → 汉阴县."""
    make = factories.ChapterFactory
    nm = make(code="150000", name="内蒙古自治区红十字会", level=ChapterLevel.PROVINCE)
    tongliao = make(code="150500", name="通辽市红十字会", level=ChapterLevel.CITY, parent=nm)
    naiman = make(code="150525", name="奈曼旗红十字会", parent=tongliao)
    horqin = make(code="150521", name="科尔沁左翼中旗红十字会", parent=tongliao)
    shaanxi = make(code="610000", name="陕西省红十字会", level=ChapterLevel.PROVINCE)
    ankang = make(code="610900", name="安康市红十字会", level=ChapterLevel.CITY, parent=shaanxi)
    hanyin = make(code="610921", name="汉阴县红十字会", parent=ankang)
    return SimpleNamespace(
        nm=nm, tongliao=tongliao, naiman=naiman, horqin=horqin, shaanxi=shaanxi, ankang=ankang, hanyin=hanyin
    )


@pytest.fixture
def member(tree):
    """``member(Role.STAFF, tree.naiman)``: a user holding that role in that chapter."""

    def make(role, chapter, username=None):
        user = factories.UserFactory(**({"username": username} if username else {}))
        factories.MembershipFactory(user=user, chapter=chapter, role=role)
        return user

    return make


@pytest.fixture
def staff(member, tree):
    return member(Role.STAFF, tree.naiman, "staff")


@pytest.fixture
def category(db):
    """The default relief categories by name."""
    return {c.name: c for c in AidCategory.objects.all()}


@pytest.fixture
def disbursement_factory(db):
    return factories.DisbursementFactory


@pytest.fixture
def fund_factory(db):
    return factories.FundFactory


@pytest.fixture
def donation_factory(db):
    return factories.DonationFactory


@pytest.fixture
def donor_factory(db):
    return factories.DonorFactory


@pytest.fixture
def drive_factory(db):
    return factories.DriveFactory


@pytest.fixture
def project_factory(db):
    return factories.ProjectFactory


@pytest.fixture
def expenditure_factory(db):
    return factories.ExpenditureFactory


@pytest.fixture
def session_factory(db):
    return factories.SessionFactory


@pytest.fixture
def certificate_factory(db):
    return factories.CertificateFactory


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Files the app keeps (exports, uploaded workbooks) go to the test's own folder."""
    settings.MEDIA_ROOT = tmp_path / "media"
