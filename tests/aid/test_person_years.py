"""PersonYear and ReliefDay, the derived tables reports count people and sum money from, always
agree with the payments themselves: after records, corrections that move a payment to another person, category
or year, and deletions."""

import datetime
import random
from decimal import Decimal

from django.utils import timezone

from aid.models import Disbursement, PersonYear
from aid.selectors import disbursement_totals, disbursement_totals_by_category
from aid.services import disbursement_correct, disbursement_record, person_years_refresh
from reports.choices import ReportKind
from reports.figures import persons_by_category
from reports.periods import Period

from ..factories import valid_id_number

D = datetime.date


def counted_from_payments(chapter, period):
    payments = Disbursement.objects.for_chapter(chapter).in_period(period.start, period.end)
    named = payments.filter(beneficiary__isnull=False)
    by_category = {row.category_id: row.persons for row in disbursement_totals_by_category(named)}
    by_category[None] = disbursement_totals(named).persons
    return {key: value for key, value in by_category.items() if value}


def test_person_years_agree_with_the_payments_through_corrections(tree, category):
    rng = random.Random(7)
    people = [(f"受助人{i}", valid_id_number(serial=500 + i)) for i in range(12)]
    names = ["重特大疾病救助", "救灾救助", "光明行白内障手术"]
    payments = []
    for _ in range(60):
        name, id_number = rng.choice(people)
        payments.append(
            disbursement_record(
                chapter=tree.naiman,
                user=None,
                date=D(rng.choice([2020, 2021]), rng.randint(1, 12), rng.randint(1, 28)),
                category=category[rng.choice(names)],
                cash_amount=Decimal("100"),
                beneficiary_name=name,
                id_number=id_number,
            )
        )
    for payment in rng.sample(payments, 20):
        name, id_number = rng.choice(people)
        disbursement_correct(
            disbursement=payment,
            user=None,
            date=D(rng.choice([2020, 2021]), rng.randint(1, 12), rng.randint(1, 28)),
            category=category[rng.choice(names)],
            cash_amount=Decimal("100"),
            beneficiary_name=name,
            id_number=id_number,
        )
    for payment in rng.sample(payments, 5):  # voided: they count in nothing any more
        voided = Disbursement.objects.get(pk=payment.pk)
        voided.voided_at, voided.void_reason = timezone.now(), "重复登记"
        voided.save()

    for period in (Period(2020, ReportKind.YEAR), Period(2020, ReportKind.H1), Period(2021, ReportKind.YEAR)):
        assert persons_by_category(tree.naiman, period) == counted_from_payments(tree.naiman, period)
    assert persons_by_category(tree.naiman, Period(2020, ReportKind.YEAR))[None] > 0

    # The day sums agree with the payments, per category and fund.
    from django.db.models import Sum

    from aid.models import ReliefDay
    from aid.services import relief_days_rebuild

    def sums(queryset, amount, count):
        return sorted(
            (r["category"], r["fund"] or 0, r["total"], r["n"])
            for r in queryset.order_by().values("category", "fund").annotate(total=Sum(amount), n=count)
        )

    from django.db.models import Count

    assert sums(ReliefDay.objects.all(), "cash_amount", Sum("payments")) == sums(
        Disbursement.objects.all(), "cash_amount", Count("pk")
    )
    kept_days = set(
        ReliefDay.objects.values_list("chapter", "category", "fund", "date", "payments", "cash_amount")
    )
    relief_days_rebuild()
    assert (
        set(ReliefDay.objects.values_list("chapter", "category", "fund", "date", "payments", "cash_amount"))
        == kept_days
    )

    # Rebuilding from scratch gives the same rows the saves kept.
    kept = set(PersonYear.objects.values_list("beneficiary", "category", "year", "first_date"))
    PersonYear.objects.all().delete()
    person_years_refresh()
    assert set(PersonYear.objects.values_list("beneficiary", "category", "year", "first_date")) == kept
