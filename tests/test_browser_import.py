"""In Chromium: a workbook with a mistake is uploaded, the mistake seen on its row, the workbook
fixed and imported, and the batch's records opened from the batch's page."""

import datetime

import pytest

from .factories import valid_id_number
from .test_browser import demo_site, log_in, page  # noqa: F401 (fixtures)
from .test_imports import workbook

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

D = datetime.date


def payments(id_number):
    """Three payments; the second person's ID number as given (a number Excel mangled, or text)."""
    row = {"救助类别": "重特大疾病救助", "乡镇": "东明镇", "现金金额": 600}
    return {
        "救助发放": [
            {
                **row,
                "发放日期": D(2021, 3, 1),
                "受助人姓名": "批次甲",
                "身份证号": valid_id_number(serial=931),
            },
            {**row, "发放日期": D(2021, 3, 2), "受助人姓名": "批次乙", "身份证号": id_number},
            {
                **row,
                "发放日期": D(2021, 3, 3),
                "受助人姓名": "批次丙",
                "身份证号": valid_id_number(serial=933),
            },
        ]
    }


def test_an_error_is_seen_on_its_row_fixed_imported_and_the_batch_listed(demo_site, page, tmp_path):  # noqa: F811
    base = demo_site
    mangled, fixed = tmp_path / "三月救助.xlsx", tmp_path / "三月救助（改）.xlsx"
    workbook(payments(1.50525198203151e17), path=mangled)
    workbook(payments(valid_id_number(serial=932)), path=fixed)
    page.set_viewport_size({"width": 1366, "height": 900})
    log_in(page, base, "demo-staff")

    # Upload: the ID number Excel stored as a number is refused on its row, its cell marked
    page.goto(f"{base}/imports/new/")
    page.set_input_files("#id_file", str(mangled))
    page.click("main form button[type=submit]")
    preview = page.locator('.sheet-preview[data-sheet="救助发放"]')
    bad = preview.locator('tr[data-row="3"]')
    assert "bad-row" in bad.get_attribute("class")
    assert "身份证号：身份证号被Excel存为数字，末几位已丢失，请将该列设为文本后重新填写" in bad.inner_text()
    assert bad.locator("td.bad-cell").inner_text() == "150525198203151008"
    assert "将创建" in preview.locator('tr[data-row="2"]').inner_text()
    assert page.locator("#confirm").count() == 0

    # The fixed workbook: three to create, confirmed
    page.goto(f"{base}/imports/new/")
    page.set_input_files("#id_file", str(fixed))
    page.click("main form button[type=submit]")
    assert page.locator('.sheet-preview[data-sheet="救助发放"] tr.bad-row').count() == 0
    assert page.inner_text('#counts [data-figure="total"]') == "3"
    page.click("#confirm")
    batch = page.url.rstrip("/").rsplit("/", 1)[1]
    assert "已导入 3 条记录" in page.inner_text("main")

    # The batch's records: its link opens the list filtered by the batch, and only them
    page.click('#batch-records a[data-sheet="救助发放"]')
    page.wait_for_url(f"**/aid/?batch={batch}")
    assert page.inner_text("#batch-filter").startswith(f"筛选条件：导入第{batch}批")
    assert page.inner_text('[data-figure="count"]') == "3"
    names = page.locator("table.records tbody tr").all_inner_texts()
    assert [name for name in ("批次甲", "批次乙", "批次丙") if any(name in row for row in names)] == [
        "批次甲",
        "批次乙",
        "批次丙",
    ]
    # Taking the condition off lists the chapter's other payments again
    page.click("#batch-filter >> text=取消该条件")
    assert int(page.inner_text('[data-figure="count"]').replace(",", "")) > 3
