"""The import workbook's 救助发放 sheet (DESIGN.md, "Import workbook")."""

from django.utils.translation import gettext as _

from donations.services import fund_spending_problem
from redcross import bounds
from redcross.corrections import needs_approval
from redcross.idnumber import normalize_id_number, validate_id_number
from redcross.importing import (
    Col,
    Refers,
    RowProblems,
    Sheet,
    as_count,
    as_id_number_text,
    as_money,
    as_record_date,
    as_text,
    clean_fields,
    run_checks,
)
from redcross.models import Township
from redcross.money import format_money
from redcross.rules import in_columns

from .models import AidCategory, Beneficiary, Disbursement
from .rules import beneficiary_problems, disbursement_problems
from .services import person_years_refresh, released_beneficiaries, relief_days_rebuild


def _id_number(value):
    number = normalize_id_number(as_id_number_text(value))
    validate_id_number(number)
    return number


class _Known:
    """A person held, or checked before the sheet's last flush: all a later row needs of them
    (a model instance per person would make memory grow with the rows of the file)."""

    __slots__ = ("pk", "name")

    def __init__(self, pk, name):
        self.pk, self.name = pk, name


class DisbursementSheet(Sheet):
    name = "救助发放"
    model = Disbursement
    refers = ("基金",)
    list_url = "aid:disbursement-list"
    example = {
        "发放日期": "2021-03-01",
        "救助类别": "重特大疾病救助",
        "受助人姓名": "张三",
        "身份证号": "150525198001011232",
        "现金金额": 2000,
        "资金来源": "大病救助基金",
        "乡镇": "大沁他拉镇",
    }
    # The column of each field the rules in ``aid.rules`` name.
    field_columns = {
        "beneficiary_name": "受助人姓名",
        "id_number": "身份证号",
        "cash_amount": "现金金额",
        "in_kind_amount": "物资折价",
    }
    columns = [
        Col("发放日期", required=True, kind="date"),
        Col("救助类别", required=True, kind="choice", options="救助类别"),
        Col("受助人姓名", note="空为群体发放（按受助人数计人）"),
        Col(
            "身份证号",
            kind="code",
            note="18位，校验位须正确；文本格式（存为数字会丢失末几位）；同一身份证号视为同一人，无身份证号时按姓名和乡镇识别",
        ),
        Col("受助人数", kind="count", note="默认1；群体发放必填"),
        Col("例数", kind="count", note="手术或发放的次数；默认个人为1、群体为受助人数"),
        Col("现金金额", kind="money", note="元"),
        Col("物资折价", kind="money", note="元；与现金金额不能都为0"),
        Col("资金来源", note="本会的基金；限定用途的基金只能用于其用途", options="基金"),
        Col("乡镇"),
        Col("备注"),
    ]

    def __init__(self, context):
        super().__init__(context)
        chapter = context.chapter
        self.categories = {c.name: c for c in AidCategory.objects.all()}
        self.by_id, self.by_name = {}, {}
        held = Beneficiary.objects.filter(chapter=chapter, merged_into__isnull=True).values_list(
            "pk", "name", "id_number", "township"
        )
        for pk, name, number, township in held.iterator(chunk_size=5000):
            if number:
                self.by_id[number] = _Known(pk, name)
            else:
                self.by_name[(name, township)] = _Known(pk, name)
        # Persons whose every payment is voided hold their ID number under no name: a row naming
        # the number under another name attaches to them, renamed on creating (``aid.rules``).
        self.released = released_beneficiaries(chapter)
        self.renamed = {}
        self.new_people = []
        self.paid = set()  # the beneficiaries of the payments created
        self.held = None  # (beneficiary, category, date, cash, in kind) of payments already recorded
        self.seen = {}
        # The chapter's list of townships (in use or not): a name outside it is taken as written
        # (an old ledger may spell a place its own way) and reported once, with its first row.
        self.townships = set(Township.objects.filter(chapter=chapter).values_list("name", flat=True))
        self.townships_warned = set()

    def check_row(self, row, values):
        context = self.context
        cleaned = run_checks(
            values,
            {
                "发放日期": as_record_date,
                "救助类别": self._category,
                "身份证号": _id_number,
                "受助人数": lambda v: as_count(v, minimum=1, bound=bounds.validate_head_count),
                "例数": lambda v: as_count(v, minimum=1, bound=bounds.validate_cases),
                "现金金额": as_money,
                "物资折价": as_money,
                "资金来源": lambda v: context.fund(as_text(v)),
            },
        )
        name, township = as_text(values["受助人姓名"]), as_text(values["乡镇"])
        number, heads = cleaned["身份证号"] or "", cleaned["受助人数"]
        cash, in_kind = cleaned["现金金额"] or 0, cleaned["物资折价"] or 0
        category, fund = cleaned["救助类别"], cleaned["资金来源"]
        problems = in_columns(
            disbursement_problems(
                beneficiary_name=name, id_number=number, cash_amount=cash, in_kind_amount=in_kind
            ),
            self.field_columns,
        )
        if not name:
            if heads is None:
                problems["受助人数"] = _("群体发放必须填写受助人数")
        elif heads not in (None, 1):
            problems["受助人数"] = _("指名发放的受助人数应为1；多人请分行填写或作为群体发放")
        person = None
        if name and not problems:
            person, held = self._person(name, number, township)
            problems.update(in_columns(held, self.field_columns))
        if fund is not None and not problems:
            problem = fund_spending_problem(
                fund,
                chapter=context.chapter,
                amount=cash,
                balance=context.balances[fund.name],
                in_kind_amount=in_kind,
                goods_balance=context.goods_balances.get(fund.name, 0),
                purpose_category=category,
            )
            if problem:
                problems["资金来源"] = problem
        if problems:
            raise RowProblems(problems)
        heads = 1 if name else heads
        payment = Disbursement(
            chapter=context.chapter,
            date=cleaned["发放日期"],
            category=category,
            beneficiary=person if isinstance(person, Beneficiary) else None,
            head_count=heads,
            cases=cleaned["例数"] or heads,
            cash_amount=cash,
            in_kind_amount=in_kind,
            fund=fund,
            township=township,
            remarks=as_text(values["备注"]),
            # Above the chapter's threshold an imported payment waits for approval like any other.
            pending=needs_approval(context.chapter, cash + in_kind),
            created_by=context.user,
            updated_by=context.user,
        )
        if isinstance(person, _Known):
            payment.beneficiary_id = person.pk
        exclude = ["chapter", "category", "beneficiary", "fund", "created_by", "updated_by"]
        clean_fields(payment, exclude=exclude, row=row)
        if fund is not None:
            context.balances[fund.name] -= cash
            context.goods_balances[fund.name] = context.goods_balances.get(fund.name, 0) - in_kind
        if person is not None:
            self._duplicate_warning(row, person, number or (name, township), payment)
        self._township_warning(row, township)
        return payment

    def _township_warning(self, row, township):
        if not township or not self.townships or township in self.townships:
            return
        if township in self.townships_warned:
            return
        self.townships_warned.add(township)
        self.context.warnings.append(
            _(
                "救助发放 第%(row)s行起：乡镇“%(name)s”不在本会乡镇名单中，已按原文导入；"
                "如是笔误请更正记录，如是新乡镇请系统管理员加入名单"
            )
            % {"row": row, "name": township}
        )

    def _category(self, value):
        category = self.categories.get(as_text(value))
        if category is None:
            message = _("救助类别“%(name)s”不存在") % {"name": as_text(value)}
            raise Refers("救助类别", as_text(value), message)
        return category

    def _person(self, name, number, township):
        """The beneficiary (held or new) and the problems of taking it (``aid.rules``): an ID
        number held under another name."""
        if number:
            person = self.by_id.get(number)
            released = isinstance(person, _Known) and person.pk in self.released
            problems = beneficiary_problems(
                name=name, holder_name=getattr(person, "name", None), holder_released=released
            )
            if problems:
                return None, problems
            if released and person.name != name:
                self.renamed[person.pk] = name
                person = self.by_id[number] = _Known(person.pk, name)
        else:
            person = self.by_name.get((name, township))
        if person is None:
            person = Beneficiary(
                chapter=self.context.chapter,
                name=name,
                id_number=number,
                township=township,
                created_by=self.context.user,
                updated_by=self.context.user,
            )
            clean_fields(person, exclude=["chapter", "created_by", "updated_by", "id_number"])
            if number:
                self.by_id[number] = person
            else:
                self.by_name[(name, township)] = person
            self.new_people.append(person)
        return person, {}

    def _duplicate_warning(self, row, person, who, payment):
        """Payments that look like one already held (same person, category, date and amount)."""
        if self.held is None:
            self.held = set(
                Disbursement.objects.filter(
                    chapter=self.context.chapter, beneficiary__isnull=False
                ).values_list("beneficiary", "category", "date", "cash_amount", "in_kind_amount")
            )
        amounts = (payment.cash_amount, payment.in_kind_amount)
        if person.pk and (person.pk, payment.category.pk, payment.date, *amounts) in self.held:
            self.context.warnings.append(
                _(
                    "救助发放 第%(row)s行：疑似重复——%(name)s %(date)s "
                    "已有一笔相同类别、相同金额（%(amount)s 元）的救助"
                )
                % {
                    "row": row,
                    "name": person.name,
                    "date": payment.date,
                    "amount": format_money(sum(amounts)),
                }
            )
        key = hash((who, payment.category.pk, payment.date, *amounts))  # an int: flat memory
        if key in self.seen:
            self.context.warnings.append(
                _("救助发放 第%(row)s行：疑似重复——与本表第%(other)s行的受助人、类别、日期和金额相同")
                % {"row": row, "other": self.seen[key]}
            )
        self.seen.setdefault(key, row)

    def create(self):
        Beneficiary.objects.bulk_create(self.new_people, batch_size=2000)
        for person in Beneficiary.objects.filter(pk__in=self.renamed):  # a new version each, in history
            person.name = self.renamed[person.pk]
            person.updated_by = self.context.user
            person.save()
        self.renamed = {}
        super().create()
        self.paid.update(d.beneficiary_id for d in self.created if d.beneficiary_id)

    def created_ids(self):
        return {
            "aid.Beneficiary": [p.pk for p in self.new_people],
            "aid.Disbursement": [d.pk for d in self.created],
        }

    def forget(self):
        super().forget()
        for person in self.new_people:  # created (or, in a dry run, only checked): keep what later rows need
            known = _Known(person.pk, person.name)
            if person.id_number:
                self.by_id[person.id_number] = known
            else:
                self.by_name[(person.name, person.township)] = known
        self.new_people = []

    def after_create(self):
        if self.ids.get("aid.Disbursement"):
            person_years_refresh(beneficiaries=list(self.paid))
            relief_days_rebuild(chapters=[self.context.chapter.pk])


def categories_offered(chapter):
    """The 救助类别 drop-down of the blank template (registered in ``AidConfig.ready``)."""
    return [c.name for c in AidCategory.objects.filter(is_active=True)]


def undo_refresh_summaries(batch, voided):
    """After an undo (registered in AidConfig.ready): the people counted and the days' sums of
    the chapter are rebuilt from the payments left."""
    chapter = batch.chapter
    person_years_refresh(beneficiaries=Beneficiary.objects.filter(chapter=chapter).values("pk"))
    relief_days_rebuild(chapters=[chapter.pk])
