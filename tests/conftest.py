"""Fixtures every test file shares: a chapter tree, users in roles, the relief categories.

The factories are not fixtures: tests import them from tests/factories.py.
"""

from types import SimpleNamespace

import pytest

from aid.models import AidCategory
from redcross.choices import ChapterLevel, Role

from .factories import ChapterFactory, MembershipFactory, UserFactory


@pytest.fixture
def tree(db):
    """Two branches: 内蒙古 → 通辽 → 奈曼旗 and 科左中旗; 陕西 → 安康 → 汉阴县."""
    make = ChapterFactory
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
        user = UserFactory(**({"username": username} if username else {}))
        MembershipFactory(user=user, chapter=chapter, role=role)
        return user

    return make


@pytest.fixture
def writers(tree, member):
    """Who writes and approves in 奈曼旗 and 科尔沁区, and the city's leader (通辽市)."""
    return {
        "staff": member(Role.STAFF, tree.naiman, "w-staff"),
        "leader": member(Role.LEADER, tree.naiman, "w-leader"),
        "city": member(Role.LEADER, tree.tongliao, "w-city"),
        "horqin-leader": member(Role.LEADER, tree.horqin, "w-h-leader"),
        "horqin-staff": member(Role.STAFF, tree.horqin, "w-h-staff"),
    }


@pytest.fixture
def staff(member, tree):
    return member(Role.STAFF, tree.naiman, "staff")


@pytest.fixture
def category(db):
    """The default relief categories by name."""
    return {c.name: c for c in AidCategory.objects.all()}


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Files the app keeps (exports, uploaded workbooks) go to the test's own folder."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def default_language():
    """Each test starts and ends in the default language (Chinese): a request the test client
    makes in English leaves English switched on in the test's thread otherwise."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)
