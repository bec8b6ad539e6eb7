"""Feedback to donors: the restricted gifts not yet reported back, the day each was reported, and
a donor's statement over a period as PDF (read back with pdftotext)."""

import datetime
import shutil
import subprocess

import pytest
from django.core.exceptions import ValidationError

from disclosure.models import GiftFeedback
from disclosure.services import feedback_record

D = datetime.date


def test_restricted_gifts_wait_for_feedback_until_it_is_recorded(client, books, django_assert_num_queries):
    client.force_login(books.staff)
    client.get("/disclosure/feedback/")  # warm the session and the access
    # session, user, memberships, readable chapters, the gifts with their feedback: whatever their number
    with django_assert_num_queries(5):
        page = client.get("/disclosure/feedback/").content.decode()
    assert "北京市通州区红十字会" in page and "100,000.00" in page and "助飞梦想助学资金" in page
    assert "奈曼旗教育系统" not in page  # an unrestricted gift owes no feedback of its own
    response = client.post(
        f"/disclosure/feedback/{books.restricted_gift.pk}/",
        {"reported_on": "2020-12-20", "how": "寄送反馈函"},
    )
    assert response.status_code == 302
    feedback = GiftFeedback.objects.get()
    assert (feedback.reported_on, feedback.how, feedback.recorded_by) == (
        D(2020, 12, 20),
        "寄送反馈函",
        books.staff,
    )
    assert "没有待反馈的限定用途捐赠" in client.get("/disclosure/feedback/").content.decode()
    reported = client.get("/disclosure/feedback/?reported=1").content.decode()
    assert "北京市通州区红十字会" in reported and "2020-12-20" in reported


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"reported_on": "2020-08-01"}, "反馈日期不能早于捐赠日期"),
        ({"reported_on": "2999-01-01"}, "日期不能晚于今天"),
        ({"reported_on": "20-x"}, "反馈日期：输入一个有效的日期"),
        ({"reported_on": "2020-12-20", "how": "x" * 10000}, "反馈方式：确保该变量包含不超过 100 字符"),
    ],
)
def test_a_wrong_feedback_is_refused_in_chinese_and_changes_nothing(client, books, data, message):
    client.force_login(books.staff)
    response = client.post(f"/disclosure/feedback/{books.restricted_gift.pk}/", data, follow=True)
    assert message in response.content.decode()
    assert not GiftFeedback.objects.exists()


def test_feedback_is_recorded_once_and_only_for_restricted_gifts(books):
    feedback_record(donation=books.restricted_gift, user=books.staff, reported_on=D(2020, 12, 1))
    with pytest.raises(ValidationError, match="该捐赠已登记反馈"):
        feedback_record(donation=books.restricted_gift, user=books.staff, reported_on=D(2020, 12, 2))
    with pytest.raises(ValidationError, match="只有限定用途的捐赠需要登记反馈"):
        feedback_record(donation=books.gifts[0], user=books.staff, reported_on=D(2020, 12, 2))


def test_leaders_and_other_chapters_cannot_record_feedback(client, books, member, tree):
    from redcross.choices import Role

    client.force_login(books.leader)
    assert (
        client.post(
            f"/disclosure/feedback/{books.restricted_gift.pk}/", {"reported_on": "2020-12-20"}
        ).status_code
        == 403
    )
    client.force_login(member(Role.STAFF, tree.horqin, "h-staff"))
    assert (
        client.post(
            f"/disclosure/feedback/{books.restricted_gift.pk}/", {"reported_on": "2020-12-20"}
        ).status_code
        == 403
    )
    assert (
        client.post("/disclosure/feedback/99999999999999999999/", {"reported_on": "2020-12-20"}).status_code
        == 404
    )
    assert not GiftFeedback.objects.exists()


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler-utils")
def test_a_donor_s_statement_is_a_pdf_of_their_gifts_and_their_use(client, books, published):
    client.force_login(books.staff)
    response = client.get(
        f"/disclosure/donors/{books.named.pk}/statement/", {"start": "2020-01-01", "end": "2020-12-31"}
    )
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=response.content, capture_output=True, check=True
    ).stdout.decode()
    assert "奈曼旗红十字会捐赠反馈对账单" in text
    assert "尊敬的奈曼旗教育系统" in text and "NM2020-0001" in text and "241,800.00" in text
    assert "疫情防控专项募捐（2020）" in text and "192,000.00" in text  # the published use of its drive
    restricted = client.get(
        f"/disclosure/donors/{books.restricted_gift.donor_id}/statement/",
        {"start": "2020-01-01", "end": "2020-12-31"},
    )
    text = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=restricted.content, capture_output=True, check=True
    ).stdout.decode()
    assert "助飞梦想助学资金（限定用途：助学）" in text and "50,000.00" in text


def test_a_statement_over_a_wrong_period_is_refused_in_chinese(client, books):
    client.force_login(books.staff)
    response = client.get(
        f"/disclosure/donors/{books.named.pk}/statement/", {"start": "2020-12-31", "end": "2020-01-01"}
    )
    assert response.status_code == 400 and "结束日期不能早于开始日期" in response.content.decode()
