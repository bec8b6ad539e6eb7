"""Personal data (ID and phone numbers) never leaves the roles that need it: not in a work report,
not in the logs or the page of a server error, not in an auditor's export or history."""

import io
import logging
import re
import subprocess
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from donations.models import Donor
from redcross.choices import Role
from reports.choices import ReportKind
from reports.periods import Period
from reports.services import report_open, report_pdf

from .factories import BeneficiaryFactory, DisbursementFactory, DonationFactory, FundFactory, valid_id_number

NUMBER = valid_id_number(serial=777)
PHONE = "13912345678"


@pytest.fixture
def people(tree):
    person = BeneficiaryFactory(chapter=tree.naiman, name="赵六", id_number=NUMBER)
    DisbursementFactory(chapter=tree.naiman, beneficiary=person, cash_amount=Decimal("3000.00"))
    donor = Donor.objects.create(chapter=tree.naiman, name="钱七", kind="person", phone=PHONE)
    DonationFactory(fund=FundFactory(chapter=tree.naiman), donor=donor)
    return person


def test_a_work_report_holds_no_id_or_phone_number(tree, people, tmp_path):
    pdf = report_pdf(report_open(chapter=tree.naiman, period=Period(2020, ReportKind.YEAR)))
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf)
    text = re.sub(
        r"\s+", "", subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True).stdout
    )
    assert "3000元" in text or "0.3万元" in text
    assert "赵六" not in text  # reports speak of figures, not of people
    assert NUMBER not in text and PHONE not in text


def test_a_server_error_logs_and_shows_no_personal_data(tree, member, people, monkeypatch, caplog):
    import aid.views

    def broken(**kwargs):
        raise RuntimeError("the service failed")

    monkeypatch.setattr(aid.views, "disbursement_record", broken)
    client = Client(raise_request_exception=False)
    client.force_login(member(Role.STAFF, tree.naiman))
    with caplog.at_level(logging.DEBUG):
        response = client.post(
            reverse("aid:disbursement-create"),
            {
                "date": "2020-06-01",
                "category": people.disbursements.first().category_id,
                "recipient": "person",
                "beneficiary_name": "赵六",
                "id_number": NUMBER,
                "township": "",
                "head_count": "1",
                "cash_amount": "100",
                "in_kind_amount": "0",
            },
        )
    assert response.status_code == 500
    assert "Internal Server Error: /aid/new/" in caplog.text
    assert NUMBER not in caplog.text and NUMBER not in response.content.decode()


def test_an_auditor_sees_masked_numbers_in_lists_exports_and_history(client, tree, member, people):
    client.force_login(member(Role.AUDITOR, tree.naiman))
    for route in ("aid:disbursement-list", "donations:donor-list", "change-list"):
        page = client.get(reverse(route)).content.decode()
        assert NUMBER not in page and PHONE not in page, route
    donors = client.post(reverse("export-create", args=["donors"]), {})
    book = load_workbook(io.BytesIO(b"".join(donors.streaming_content)))
    cells = [str(v) for row in book.worksheets[0].iter_rows(values_only=True) for v in row if v]
    assert "139****5678" in cells and PHONE not in cells
