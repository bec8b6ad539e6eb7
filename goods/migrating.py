"""The data migration of issue 20 (``goods/migrations/0002``), kept here so that its rules read
as code and its test can name them.

- Each standing gift in kind (not voided, not a reversal, not reversed) becomes a lot in its
  chapter's store (本会库房, made when the chapter has none): the gift's goods as the item, its
  quantity (1 批 when it has none), its value and basis, its fund. Who counted it was not
  recorded: the counters stay empty.
- Idempotent: a gift that has its lot, a payment or payout that has its issue is left alone;
  going back past this migration leaves its rows (the goods tables go with 0001).
- Then, in date order, each standing relief payment in kind drawn from a fund, and each standing
  payout with an in-kind part, becomes an issue taking its value from that fund's lots of the same
  chapter that had arrived by then, whole lots oldest first and the last one in part — when the
  part is a quantity of at most two decimals worth exactly the value still to take. A payment
  is then linked to its issue (``Disbursement.goods_issue``), a payout named by it
  (``Issue.payout``). A value that cannot be matched so (no lots in that fund, not enough left,
  a part that is no exact quantity) is left as it stands: valued, not traced.
"""

from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
UNIT_WHEN_UNKNOWN = "批"
STORE_NAME = "本会库房"
REMARK = "由原物资捐赠记录迁移（第20号需求）"


def money(value):
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def lots_from_gifts(apps, schema_editor):
    Donation = apps.get_model("donations", "Donation")
    Store = apps.get_model("goods", "Store")
    Item = apps.get_model("goods", "Item")
    Lot = apps.get_model("goods", "Lot")
    reversed_ids = set(
        Donation.objects.filter(reverses__isnull=False, voided_at__isnull=True).values_list(
            "reverses", flat=True
        )
    )
    gifts = Donation.objects.filter(
        kind="in_kind", voided_at__isnull=True, reverses__isnull=True, lot__isnull=True
    ).order_by("date", "pk")
    stores = {}
    for gift in gifts.iterator():
        if gift.pk in reversed_ids:
            continue
        store = stores.get(gift.chapter_id)
        if store is None:
            store = Store.objects.filter(chapter_id=gift.chapter_id).order_by("pk").first()
            if store is None:
                store = Store.objects.create(chapter_id=gift.chapter_id, name=STORE_NAME)
            stores[gift.chapter_id] = store
        quantity = gift.quantity if gift.quantity and gift.quantity > 0 else Decimal(1)
        unit = (gift.unit or "").strip() if gift.quantity and gift.quantity > 0 else ""
        item, _made = Item.objects.get_or_create(
            chapter_id=gift.chapter_id,
            name=(gift.goods or "").strip()[:200] or "捐赠物资",
            specification="",
            unit=unit or UNIT_WHEN_UNKNOWN,
        )
        Lot.objects.create(
            chapter_id=gift.chapter_id,
            date=gift.date,
            store=store,
            item=item,
            quantity=quantity,
            unit_value=money(gift.amount / quantity),
            total_value=gift.amount,
            valuation_basis=gift.valuation_basis or "agreement",
            origin="donation",
            donation=gift,
            fund_id=gift.fund_id,
            remarks=REMARK,
            created_by_id=gift.created_by_id,
            updated_by_id=gift.created_by_id,
        )
    issues_from_spending(apps)


def _taken(lots, value):
    """[(lot, quantity, value)] taking ``value`` from ``lots`` (each a dict with ``lot``,
    ``quantity`` and ``value`` left), whole lots first and the last in part; None when it cannot."""
    taken, left = [], value
    for held in lots:
        if left <= 0:
            break
        if held["value"] <= 0 or held["quantity"] <= 0:
            continue
        if held["value"] <= left:
            taken.append((held, held["quantity"], held["value"]))
            left -= held["value"]
            continue
        quantity = (left * held["quantity"] / held["value"]).quantize(CENT, rounding=ROUND_HALF_UP)
        if (
            quantity <= 0
            or quantity >= held["quantity"]
            or money(held["value"] * quantity / held["quantity"]) != left
        ):
            return None
        taken.append((held, quantity, left))
        left = Decimal(0)
    return taken if left == 0 else None


def issues_from_spending(apps):
    Disbursement = apps.get_model("aid", "Disbursement")
    Payout = apps.get_model("donations", "Payout")
    Lot = apps.get_model("goods", "Lot")
    Issue = apps.get_model("goods", "Issue")
    IssueLine = apps.get_model("goods", "IssueLine")
    held = {}  # (chapter, fund) → [{"lot", "quantity", "value"}] in the order they are taken
    for lot in Lot.objects.filter(voided_at__isnull=True, origin="donation").order_by("date", "pk"):
        held.setdefault((lot.chapter_id, lot.fund_id), []).append(
            {"lot": lot, "quantity": lot.quantity, "value": lot.total_value}
        )
    spending = [
        ("relief", payment)
        for payment in Disbursement.objects.filter(
            voided_at__isnull=True,
            pending=False,
            reverses__isnull=True,
            in_kind_amount__gt=0,
            fund__isnull=False,
            goods_issue__isnull=True,
        )
    ] + [
        ("payout", payout)
        for payout in Payout.objects.filter(
            voided_at__isnull=True, reverses__isnull=True, in_kind_amount__gt=0, goods_issue__isnull=True
        )
    ]
    reversed_payments = set(
        Disbursement.objects.filter(reverses__isnull=False, voided_at__isnull=True).values_list(
            "reverses", flat=True
        )
    )
    reversed_payouts = set(
        Payout.objects.filter(reverses__isnull=False, voided_at__isnull=True).values_list(
            "reverses", flat=True
        )
    )
    spending.sort(key=lambda entry: (entry[1].date, entry[0], entry[1].pk))
    for kind, record in spending:
        if record.pk in (reversed_payments if kind == "relief" else reversed_payouts):
            continue
        lots = [h for h in held.get((record.chapter_id, record.fund_id), []) if h["lot"].date <= record.date]
        taken = _taken(lots, record.in_kind_amount)
        if not taken:
            continue
        if kind == "relief":
            issue = Issue.objects.create(
                chapter_id=record.chapter_id,
                date=record.date,
                kind="relief_person" if record.beneficiary_id else "relief_group",
                category_id=record.category_id,
                beneficiary_name=record.beneficiary.name if record.beneficiary_id else "",
                head_count=record.head_count,
                total_value=record.in_kind_amount,
                remarks=record.remarks,
                created_by_id=record.created_by_id,
                updated_by_id=record.created_by_id,
            )
        else:
            issue = Issue.objects.create(
                chapter_id=record.chapter_id,
                date=record.date,
                kind="unit",
                receiving_unit=record.recipient[:200],
                reason=record.purpose[:200],
                document_number=record.document_number,
                payout=record,
                total_value=record.in_kind_amount,
                created_by_id=record.created_by_id,
                updated_by_id=record.created_by_id,
            )
        for entry, quantity, value in taken:
            IssueLine.objects.create(
                chapter_id=record.chapter_id,
                issue=issue,
                lot=entry["lot"],
                date=record.date,
                fund_id=entry["lot"].fund_id,
                quantity=quantity,
                value=value,
                created_by_id=record.created_by_id,
                updated_by_id=record.created_by_id,
            )
            entry["quantity"] -= quantity
            entry["value"] -= value
        if kind == "relief":
            Disbursement.objects.filter(pk=record.pk).update(goods_issue=issue)
