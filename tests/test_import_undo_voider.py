"""Undoing an import voids what it made in the name of the person undoing it, not the one who
imported: the gifts and their receipts, the relief payments, the goods issues with the payments
they made, the lots of the gifts in kind (issue 20). The history page says so too."""

import datetime

import pytest
from django.apps import apps
from django.urls import reverse

from goods.models import Lot
from redcross.choices import Role
from redcross.models import ImportBatch

from .factories import FundFactory
from .test_history import history_list, texts
from .test_imports import PAYMENT, workbook

pytestmark = pytest.mark.django_db

D = datetime.date
GIFT = {
    "捐赠日期": D(2021, 1, 5),
    "捐赠人": "奈曼旗粮油公司",
    "捐赠人类型": "单位",
    "入账基金": "综合基金",
    "金额": 36000,
}


def voided_rows():
    """(table, voided by, reason) of every voided record of every kind that can be voided."""
    rows = []
    for model in apps.get_models():
        concrete = not model._meta.proxy and model._meta.managed  # a table once, not its views
        if concrete and any(f.name == "voided_by" for f in model._meta.fields):
            voided = model._base_manager.filter(voided_at__isnull=False).order_by("pk")
            rows += [
                (model._meta.db_table, by, reason)
                for by, reason in voided.values_list("voided_by", "void_reason")
            ]
    return sorted(rows)


def test_the_person_undoing_an_import_is_the_voider_of_everything_it_takes_back(
    client, tree, member, category
):
    importer = member(Role.STAFF, tree.naiman, "zhang")
    undoer = member(Role.STAFF, tree.naiman, "wang")
    importer.first_name, undoer.first_name = "张伟", "王芳"
    importer.save(), undoer.save()
    FundFactory(chapter=tree.naiman, name="综合基金")
    handle = workbook(
        {
            "捐赠": [
                {**GIFT, "捐赠方式": "现金", "金额": 500, "票据号": "UNDO-7"},
                {
                    **GIFT,
                    "捐赠方式": "物资",
                    "物资名称": "大米",
                    "数量": 1200,
                    "单位": "袋",
                    "折价依据": "发票",
                },
            ],
            "救助发放": [PAYMENT],
            "物资发放": [
                {
                    "发放日期": D(2021, 1, 8),
                    "物资名称": "大米",
                    "单位": "袋",
                    "数量": 200,
                    "发放对象": "群体",
                    "受助人数": 200,
                    "救助类别": "困难群众慰问",
                }
            ],
        }
    )
    client.force_login(importer)
    client.post(reverse("import-upload"), {"chapter": tree.naiman.pk, "file": handle})
    batch = ImportBatch.objects.get()
    client.post(reverse("import-confirm", args=[batch.pk]))
    batch.refresh_from_db()
    assert batch.status == "done", batch.report["problems"]
    assert voided_rows() == []

    client.force_login(undoer)
    response = client.post(reverse("import-undo", args=[batch.pk]), {"confirm": "1"}, follow=True)

    assert response.redirect_chain[-1][0] == batch.get_absolute_url()
    batch.refresh_from_db()
    assert (batch.status, batch.user, batch.undone_by) == ("undone", importer, undoer)
    reason = f"撤销导入第{batch.pk}批"
    assert voided_rows() == sorted(
        [
            ("aid_disbursement", undoer.pk, reason),  # the 救助发放 row
            ("aid_disbursement", undoer.pk, reason),  # the relief payment of the goods issue
            ("donations_donation", undoer.pk, reason),
            ("donations_donation", undoer.pk, reason),
            ("donations_receipt", undoer.pk, reason),
            ("goods_issue", undoer.pk, reason),
            ("goods_lot", undoer.pk, reason),  # the gift's lot, which the issue took from
        ]
    )
    assert Lot.all_objects.get().updated_by == undoer

    # The history page: every change the undo made is 王芳's.
    client.force_login(member(Role.AUDITOR, tree.naiman, "audit"))
    changes = [texts(r) for r in history_list(client, action="update") if len(r) == 7]
    # The undo's own changes, and the relief payment the void voids in turn (作废).
    undone = [row for row in changes if row[5] != f"导入第{batch.pk}批"]
    assert sorted(row[5] for row in undone) == sorted([reason] * 6 + ["作废"])
    assert sorted(row[2].split(" ")[0] for row in undone) == [
        "入库批次",
        "捐赠",
        "捐赠",
        "捐赠票据",
        "救助发放",
        "救助发放",
        "物资出库",
    ]
    assert {row[4] for row in undone} == {"王芳（wang）"}
    assert all("作废人：— → 王芳（wang）" in row[6] for row in undone)
