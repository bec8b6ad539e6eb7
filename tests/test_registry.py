"""The kernel learns the apps' parts from the registry they fill in AppConfig.ready()."""

from django.apps import apps

from redcross.corrections import NO_HOOKS, hooks_for
from redcross.exports import EXPORTS, LEDGERS
from redcross.import_template import _of_chapter, option_lists
from redcross.importing import sheet_classes
from redcross.registry import registry


def test_an_app_registering_its_sheets_keeps_the_workbook_order_a_later_sheet_relies_on():
    assert [sheet.name for sheet in sheet_classes()] == [
        "基金", "募捐活动", "项目", "捐赠", "救助发放", "培训", "项目支出", "物资发放",
    ]  # fmt: skip


def test_every_export_key_pages_and_commands_name_is_registered_once():
    assert set(EXPORTS) == {
        "donations", "disbursements", "expenditures", "funds", "donors", "drives", "payouts",
        "sessions", "certificates", "instructors", "projects", "changes", "goods",
    }  # fmt: skip
    assert set(LEDGERS) <= set(EXPORTS)


def test_the_template_offers_the_drop_downs_in_their_order_and_the_chapter_lists_empty_without_one(db):
    lists = option_lists()
    assert list(lists) == [
        "救助类别", "培训类型", "项目类型", "对象领域", "项目状态", "捐赠人类型", "捐赠方式", "折价依据",
        "发放对象", "是否", "基金", "募捐活动", "项目",
    ]  # fmt: skip
    assert lists["基金"] == lists["募捐活动"] == lists["项目"] == []
    # … and the drop-down of such a list lets through a name the file itself adds
    assert _of_chapter() == {"基金", "募捐活动", "项目"}
    assert lists["是否"] == ["是", "否"]


def test_the_demo_is_built_in_the_order_its_parts_rely_on():
    loaders = [f"{loader.__module__}.{loader.__name__}" for _order, loader in registry["demo_loaders"]]
    assert loaders == [
        "aid.demo.demo_naiman", "projects.demo.demo_naiman", "training.demo.demo_naiman",
        "aid.demo.demo_ankang", "donations.demo.demo_ankang", "projects.demo.demo_ankang",
        "training.demo.demo_ankang", "goods.demo.demo_goods", "reports.demo.demo_load",
        "disclosure.demo.demo_load",
    ]  # fmt: skip


def test_a_gift_a_payment_and_an_expenditure_bring_their_own_correction_hooks_and_a_payout_none():
    model = apps.get_model
    assert type(hooks_for(model("donations", "Donation"))).__name__ == "DonationCorrections"
    assert type(hooks_for(model("aid", "Disbursement"))).__name__ == "DisbursementCorrections"
    assert type(hooks_for(model("projects", "Expenditure"))).__name__ == "ExpenditureCorrections"
    assert hooks_for(model("donations", "Payout")) is NO_HOOKS
