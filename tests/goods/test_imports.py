"""A gift in kind read from the import's 捐赠 sheet makes its lot, as one from the form does; undoing
the import takes the lot back with its gift, unless its goods were issued since."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from goods.choices import IssueKind
from goods.models import Lot
from goods.services import issue_record
from redcross.importing import import_records, import_undo

from ..factories import FundFactory
from ..test_imports import workbook

pytestmark = pytest.mark.django_db

GIFT = {
    "捐赠日期": datetime.date(2021, 1, 5),
    "捐赠人": "奈曼旗粮油公司",
    "捐赠人类型": "单位",
    "入账基金": "综合基金",
    "捐赠方式": "物资",
    "金额": 36000,
    "物资名称": "大米",
    "数量": 1200,
    "单位": "袋",
    "折价依据": "发票",
}


@pytest.fixture
def imported(tree, staff):
    FundFactory(chapter=tree.naiman, name="综合基金")
    result = import_records(
        workbook({"捐赠": [GIFT, {**GIFT, "数量": None, "单位": None, "金额": 500}]}),
        chapter=tree.naiman,
        user=staff,
    )
    assert result.imported, result.problems
    return result.batch


def test_an_imported_gift_in_kind_makes_its_lot(imported):
    lots = sorted((lot.item.name, lot.quantity, lot.item.unit, lot.total_value) for lot in Lot.objects.all())
    assert lots == [
        ("大米", Decimal("1"), "批", Decimal("500.00")),
        ("大米", Decimal("1200"), "袋", Decimal("36000.00")),
    ]


def test_undoing_the_import_voids_the_lots_unless_their_goods_were_issued(imported, tree, staff):
    lot = Lot.objects.get(quantity=1200)
    issue = issue_record(
        chapter=tree.naiman,
        user=staff,
        date=datetime.date(2021, 2, 1),
        kind=IssueKind.UNIT,
        receiving_unit="医院",
        lines=[(lot, Decimal("10"))],
    )
    with pytest.raises(ValidationError):
        import_undo(imported, user=staff)
    assert Lot.objects.count() == 2

    from redcross.corrections import record_void

    record_void(issue, user=staff, reason="登记错误")
    imported.refresh_from_db()
    import_undo(imported, user=staff)
    assert Lot.objects.count() == 0 and Lot.all_objects.filter(voided_at__isnull=False).count() == 2
