"""Two people correcting the same record: the second save, made from the version the first one
changed, is refused with who changed it, when, and the values now held; nothing is overwritten."""

import re
from decimal import Decimal

from django.urls import reverse

from aid.models import Disbursement
from redcross.choices import Role

from .factories import BeneficiaryFactory, DisbursementFactory, DonationFactory, FundFactory


def form_data(client, url):
    """The form as the page shows it, field by field, as a browser would send it back."""
    form = client.get(url).context["form"]
    data = {}
    for name in form.fields:
        value = form[name].value()
        if value is None or value is False:
            continue
        data[name] = "on" if value is True else str(getattr(value, "value", value))
    return data


def test_the_second_of_two_corrections_from_the_same_version_is_refused(client, tree, member):
    first, second = member(Role.STAFF, tree.naiman, "zhang"), member(Role.STAFF, tree.naiman, "li")
    payment = DisbursementFactory(
        chapter=tree.naiman,
        beneficiary=BeneficiaryFactory(chapter=tree.naiman, name="王五"),
        cash_amount=Decimal("1000.00"),
    )
    url = reverse("aid:disbursement-update", args=[payment.pk])
    client.force_login(first)
    zhang = form_data(client, url)
    client.force_login(second)
    li = form_data(client, url)
    assert zhang["version"] == li["version"] == "1"

    client.force_login(first)
    response = client.post(url, {**zhang, "cash_amount": "1200.00"})
    assert response.status_code == 302
    payment.refresh_from_db()
    assert (payment.cash_amount, payment.version, payment.updated_by) == (Decimal("1200.00"), 2, first)

    client.force_login(second)
    response = client.post(url, {**li, "cash_amount": "900.00", "remarks": "李的更正"})
    assert response.status_code == 200
    text = response.content.decode()
    assert "此记录已在您打开后被zhang于" in text and "修改（第1版 → 第2版），未保存您的修改" in text
    assert "现在的值：现金金额（元）：1200.00；备注：—" in text
    payment.refresh_from_db()
    assert (payment.cash_amount, payment.remarks, payment.version) == (Decimal("1200.00"), "", 2)

    # Having read what changed, the form now carries version 2: saving again goes through.
    assert 'name="version" value="2"' in text
    response = client.post(url, {**li, "version": "2", "cash_amount": "900.00", "remarks": "李的更正"})
    assert response.status_code == 302
    payment.refresh_from_db()
    assert (payment.cash_amount, payment.remarks, payment.version) == (Decimal("900.00"), "李的更正", 3)


def test_a_donation_corrected_by_someone_else_meanwhile_is_not_overwritten(client, tree, member):
    first, second = member(Role.STAFF, tree.naiman, "zhang"), member(Role.ADMIN, tree.naiman, "li")
    gift = DonationFactory(fund=FundFactory(chapter=tree.naiman), amount=Decimal("500.00"))
    url = reverse("donations:donation-update", args=[gift.pk])
    client.force_login(first)
    zhang = form_data(client, url)
    client.force_login(second)
    li = form_data(client, url)
    client.force_login(first)
    assert client.post(url, {**zhang, "amount": "600.00"}).status_code == 302
    client.force_login(second)
    response = client.post(url, {**li, "amount": "700.00"})
    [message] = re.findall(r"errorlist nonfield\"><li>([^<]*)", response.content.decode())
    assert "未保存您的修改" in message and message.endswith("现在的值：金额（元）：600.00")
    gift.refresh_from_db()
    assert gift.amount == Decimal("600.00")


def test_every_save_counts_a_version(tree):
    payment = DisbursementFactory(chapter=tree.naiman)
    assert payment.version == 1
    payment.remarks = "更正"
    payment.save()
    assert Disbursement.objects.get(pk=payment.pk).version == 2
