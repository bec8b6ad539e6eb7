"""The staff's pages: the chapter's disclosures, preparing one, its preview exactly as the public
will read it, publishing by a leader only; malformed input answered in Chinese, changing nothing."""

import datetime

import pytest

from disclosure.models import Disclosure, DisclosureVersion
from disclosure.services import draft_content, render_content


def test_the_list_shows_the_chapter_s_disclosures_in_constant_queries(
    client, books, drive_disclosure, django_assert_num_queries
):
    client.force_login(books.staff)
    client.get("/disclosure/")
    # 7: the due list reads the drives and projects that can be due with their last versions in
    # two queries (three, when it read every drive, project and version of the chapter).
    with django_assert_num_queries(7):
        page = client.get("/disclosure/").content.decode()
    assert "募捐活动“疫情防控专项募捐（2020）”" in page and "2020-04-30" in page
    from disclosure.choices import DisclosureKind
    from disclosure.services import disclosure_prepare

    disclosure_prepare(chapter=books.chapter, user=books.staff, kind=DisclosureKind.PERIOD, period="2020")
    disclosure_prepare(
        chapter=books.chapter, user=books.staff, kind=DisclosureKind.PROJECT, project=books.project
    )
    with django_assert_num_queries(7):  # three disclosures cost what one did
        client.get("/disclosure/")


def test_staff_prepare_a_disclosure_and_see_it_as_the_public_will(client, books):
    client.force_login(books.staff)
    response = client.post(
        "/disclosure/new/", {"kind": "drive", "drive": books.drive.pk, "as_of": "2020-04-30"}
    )
    disclosure = Disclosure.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/disclosure/{disclosure.pk}/"
    page = client.get(response["Location"]).content.decode()
    assert render_content(draft_content(disclosure)) in page  # the very page publishing will store
    assert "由本会领导发布" in page and 'name="confirm"' not in page
    # Preparing the same drive again opens the same disclosure, its cut-off day moved.
    client.post("/disclosure/new/", {"kind": "drive", "drive": books.drive.pk, "as_of": "2020-03-01"})
    assert Disclosure.objects.get().as_of == datetime.date(2020, 3, 1)


def test_a_leader_publishes_what_the_preview_showed(client, books, drive_disclosure):
    client.force_login(books.leader)
    preview = render_content(draft_content(drive_disclosure))
    assert client.post(f"/disclosure/{drive_disclosure.pk}/publish/", {}).status_code == 302
    assert not DisclosureVersion.objects.exists()  # not without confirming
    client.post(f"/disclosure/{drive_disclosure.pk}/publish/", {"confirm": "1"})
    version = DisclosureVersion.objects.get()
    assert version.html == preview and version.published_by == books.leader


@pytest.mark.parametrize("who", ["staff", "auditor"])
def test_only_a_leader_publishes(client, books, drive_disclosure, who):
    client.force_login(getattr(books, who))
    assert client.post(f"/disclosure/{drive_disclosure.pk}/publish/", {"confirm": "1"}).status_code == 403
    assert not DisclosureVersion.objects.exists()


def test_the_leader_of_another_chapter_cannot_publish(client, books, drive_disclosure, member, tree):
    from redcross.choices import Role

    client.force_login(member(Role.LEADER, tree.horqin, "h-leader"))
    assert client.post(f"/disclosure/{drive_disclosure.pk}/publish/", {"confirm": "1"}).status_code in (
        403,
        404,
    )
    assert client.get(f"/disclosure/{drive_disclosure.pk}/").status_code == 403
    assert not DisclosureVersion.objects.exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"kind": "drive", "drive": "99999999999999999999999"}, "选择一个有效的选项"),
        ({"kind": "drive"}, "请选择本会的募捐活动"),
        ({"kind": "period", "period": "x" * 10000}, "确保该变量包含不超过 8 字符"),
        ({"kind": "period", "period": "1800"}, "报告年度应在 1904 至"),
        ({"kind": "nothing"}, "选择一个有效的选项"),
        ({"kind": "drive", "drive": "1", "as_of": "2020-02-30"}, "输入一个有效的日期"),
    ],
)
def test_a_malformed_preparation_is_refused_in_chinese(client, books, data, message):
    client.force_login(books.staff)
    response = client.post("/disclosure/new/", data)
    assert response.status_code == 400 and message in response.content.decode()
    assert not Disclosure.objects.exists()


def test_a_malformed_draft_setting_changes_nothing(client, books, drive_disclosure):
    client.force_login(books.staff)
    response = client.post(
        f"/disclosure/{drive_disclosure.pk}/", {"as_of": "9999-99-99", "correction_note": "x" * 10000}
    )
    assert response.status_code == 400 and "输入一个有效的日期" in response.content.decode()
    drive_disclosure.refresh_from_db()
    assert drive_disclosure.as_of == datetime.date(2020, 4, 30) and drive_disclosure.correction_note == ""


def test_the_draft_s_lists_download_as_excel(client, books, drive_disclosure):
    client.force_login(books.auditor)
    response = client.get(f"/disclosure/{drive_disclosure.pk}/excel/payouts.xlsx")
    assert response.status_code == 200 and response.content[:2] == b"PK"
    assert client.get(f"/disclosure/{drive_disclosure.pk}/excel/none.xlsx").status_code == 404
