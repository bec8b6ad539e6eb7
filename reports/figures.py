"""Every figure a work report can say, computed from the records of a chapter and a period.

A figure has a key (the token a report's text names it by: ``relief.重特大疾病救助.amount``), a
label, its value, the way reports write it (``26.2万元``) and the URL of the list of records
behind it. Categories and kinds of training are named in keys by their name; funds, drives and
projects by their id, since two chapters of a city may hold a fund or a project of the same name.

The whole set costs a fixed number of queries, however many records the period holds: every
figure is an aggregate grouped in the database.
"""

import datetime
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from decimal import Decimal

from django.db.models import F, Prefetch, Q, Sum
from django.utils.translation import gettext as _

from aid import selectors as aid_selectors
from aid.models import PERSON_YEAR_DAYS
from donations.models import DONATION_DAYS, Drive, Fund
from donations.selectors import drive_is_record_high, drives_with_totals, funds_with_flows
from goods.selectors import allocated_from_above, drive_goods
from projects.models import EXPENDITURE_DAYS, Output, Project
from projects.selectors import projects_of_period, status_on
from redcross.kept import COUNTED
from redcross.models import Chapter
from redcross.money import (
    CASES,
    PAYMENTS,
    PERSON_TIMES,
    PROJECTS,
    SESSIONS,
    format_cases,
    format_count,
    format_yuan,
    to_money,
)
from redcross.urls_util import records_url
from training.models import SESSION_DAYS, Target
from training.selectors import training_progress


@dataclass
class Figure:
    key: str
    label: str
    text: str
    value: object  # JSON: a yuan amount as a string, a count as an int, cases as [cases, persons]
    url: str = ""

    @property
    def token(self):
        """How a report's text names this figure."""
        return "{{" + self.key + "}}"

    def as_json(self):
        return asdict(self)


def yuan(key, label, amount, url=""):
    amount = to_money(amount)
    return Figure(key, label, format_yuan(amount), str(amount), url)


def count(key, label, number, unit=None, url=""):
    return Figure(key, label, format_count(number, unit), int(number or 0), url)


def percent(key, label, number, url=""):
    return Figure(key, label, "" if number is None else f"{number}%", number, url)


def text(key, label, value, url=""):
    return Figure(key, label, value, value, url)


@dataclass
class Table:
    headers: list
    rows: list  # lists of figure keys ("" for an empty cell)
    totals: list | None  # figure keys of the totals row, after its label

    def as_json(self):
        return {"headers": [str(h) for h in self.headers], "rows": self.rows, "totals": self.totals}


@dataclass
class ReportData:
    """The figures of one chapter and period, and the rows that list them in order."""

    chapter: Chapter
    period: object
    figures: dict = field(default_factory=dict)
    relief: list = field(default_factory=list)  # category names
    relief_funds: list = field(default_factory=list)  # fund ids
    drives: list = field(default_factory=list)  # drive ids
    other_donations: bool = False
    restricted_funds: list = field(default_factory=list)  # fund ids
    training: list = field(default_factory=list)  # kind names
    plan: list = field(default_factory=list)  # kind names with a target for the plan year
    projects: list = field(default_factory=list)  # project ids
    counties: list = field(default_factory=list)  # chapter codes

    def tables(self):
        """The summary tables, per section: column headings and rows of figure keys."""
        tables = {}
        if self.relief:
            tables["relief"] = Table(
                [_("救助类别"), _("金额"), _("人数"), _("例数(人数)")],
                [[f"relief.{n}.{f}" for f in ("name", "amount", "persons", "cases")] for n in self.relief],
                ["relief.total.amount", "relief.total.persons", "relief.total.cases"],
            )
        if self.drives or self.other_donations:
            keys = [f"drive.{pk}" for pk in self.drives] + (
                ["donations.other"] if self.other_donations else []
            )
            tables["donations"] = Table(
                [_("募捐活动"), _("现金"), _("物资折价"), _("合计"), _("上一期")],
                [[f"{k}.name", f"{k}.cash", f"{k}.in_kind", f"{k}.amount", f"{k}.previous"] for k in keys],
                ["donations.total.cash", "donations.total.in_kind", "donations.total.amount", ""],
            )
        if self.training:
            tables["training"] = Table(
                [_("培训类型"), _("期数"), _("人次"), _("取证"), _("年度目标"), _("完成")],
                [
                    [
                        f"training.{n}.{f}"
                        for f in ("name", "sessions", "person_times", "certified", "target", "percent")
                    ]
                    for n in self.training
                ],
                [
                    "training.total.sessions",
                    "training.total.person_times",
                    "training.total.certified",
                    "",
                    "",
                ],
            )
        if self.projects:
            tables["projects"] = Table(
                [_("项目"), _("类型"), _("预算"), _("本期支出"), _("累计支出"), _("状态")],
                [
                    [
                        f"project.{pk}.{f}"
                        for f in ("name", "kind", "budget", "spent", "spent_total", "status")
                    ]
                    for pk in self.projects
                ],
                ["", "", "projects.total.spent", "", ""],
            )
        if self.counties:
            tables["counties"] = Table(
                [_("红十字会"), _("救助款物"), _("受助人数"), _("接收捐赠"), _("培训人次"), _("项目支出")],
                [
                    [
                        f"county.{c}.{f}"
                        for f in ("name", "relief", "persons", "donations", "person_times", "spent")
                    ]
                    for c in self.counties
                ],
                [f"county.total.{f}" for f in ("relief", "persons", "donations", "person_times", "spent")],
            )
        return tables

    def add(self, figure):
        self.figures[figure.key] = figure
        return figure

    def __getitem__(self, key):
        return self.figures[key]

    def get(self, key):
        return self.figures.get(key)


def report_data(chapter, period):
    """All figures of ``chapter`` (and the chapters below it) for ``period``."""
    data = ReportData(chapter, period)
    scope = {"chapter": chapter.pk, **period.as_filter()}
    _relief(data, scope)
    _donations(data, scope)
    _training(data, scope)
    _projects(data, scope)
    if chapter.children.exists():
        _counties(data)
    return data


def persons_by_category(chapter, period):
    """Distinct named beneficiaries per category (key None: in any category), from PersonYear."""
    return aid_selectors.persons_by_category(chapter, start=period.start, end=period.end)


def _relief(data, scope):
    """The period's relief as ``aid.selectors.relief_by_category`` reads it, the home page's too."""
    chapter, period = data.chapter, data.period
    relief = aid_selectors.relief_by_category(chapter, start=period.start, end=period.end)
    total = relief.total
    url = records_url("aid:disbursement-list", **scope)
    data.add(yuan("relief.total.amount", _("救助款物合计"), total.amount, url))
    data.add(yuan("relief.total.cash", _("救助现金合计"), total.cash, url))
    data.add(yuan("relief.total.in_kind", _("救助物资折价合计"), total.in_kind, url))
    data.add(count("relief.total.persons", _("受助人数"), total.persons, url=url))
    data.add(text("relief.total.cases", _("救助例数"), format_cases(total.cases, total.persons), url))
    for row in relief.categories:
        name = row.category_name
        url = records_url("aid:disbursement-list", category=row.category_id, **scope)
        data.relief.append(name)
        data.add(text(f"relief.{name}.name", _("救助类别"), name, url))
        data.add(yuan(f"relief.{name}.amount", _("%(name)s 金额") % {"name": name}, row.amount, url))
        data.add(count(f"relief.{name}.persons", _("%(name)s 人数") % {"name": name}, row.persons, url=url))
        data.add(count(f"relief.{name}.count", _("%(name)s 笔数") % {"name": name}, row.count, PAYMENTS, url))
        data.add(
            count(f"relief.{name}.case_count", _("%(name)s 例数") % {"name": name}, row.cases, CASES, url)
        )
        data.add(
            text(
                f"relief.{name}.cases",
                _("%(name)s 例数(人数)") % {"name": name},
                format_cases(row.cases, row.persons),
                url,
            )
        )
    fund_names = {
        f.pk: _fund_label(data, f.name, f.chapter.name)
        for f in Fund.objects.filter(pk__in=list(relief.funds)).select_related("chapter")
    }
    for fund_id in sorted(relief.funds, key=lambda pk: (fund_names[pk], pk)):
        key = f"relief.fund.{fund_id}"
        name = fund_names[fund_id]
        data.relief_funds.append(fund_id)
        url = records_url("aid:disbursement-list", fund=fund_id, **scope)
        amount = relief.funds[fund_id].amount
        data.add(yuan(f"{key}.amount", _("%(fund)s 用于救助") % {"fund": name}, amount, url))
        data.add(text(f"{key}.name", _("基金名称"), name))


def _fund_label(data, name, chapter_name):
    """A fund's name, with its chapter's in a report covering several chapters."""
    short = (chapter_name or "").removesuffix("红十字会")
    if chapter_name and chapter_name != data.chapter.name and not name.startswith(short):
        return f"{short}{name}"
    return name


def _donations(data, scope):
    chapter, period = data.chapter, data.period
    # Summed per drive from the kept gifts (the period's months and edge days); the totals are the
    # drives' sums.
    per_drive = defaultdict(lambda: [Decimal("0.00"), Decimal("0.00")])
    for part in DONATION_DAYS.span(period.start, period.end):
        rows = (
            part.filter(status__in=COUNTED, chapter__path__startswith=chapter.path)
            .order_by()
            .values("drive")
            .annotate(cash_sum=Sum("cash"), in_kind_sum=Sum("in_kind"))
        )
        for row in rows:
            per_drive[row["drive"]][0] += to_money(row["cash_sum"])
            per_drive[row["drive"]][1] += to_money(row["in_kind_sum"])
    sums = {drive: _DonationSums(drive, cash, in_kind) for drive, (cash, in_kind) in per_drive.items()}
    total = _DonationSums(
        None,
        sum((r.cash for r in sums.values()), Decimal("0.00")),
        sum((r.in_kind for r in sums.values()), Decimal("0.00")),
    )
    url = records_url("donations:donation-list", **scope)
    data.add(yuan("donations.total.amount", _("接收捐赠合计"), total.amount, url))
    cash_url = records_url("donations:donation-list", kind="cash", **scope)
    in_kind_url = records_url("donations:donation-list", kind="in_kind", **scope)
    data.add(yuan("donations.total.cash", _("接收捐款"), total.cash, cash_url))
    data.add(yuan("donations.total.in_kind", _("接收捐赠物资折价"), total.in_kind, in_kind_url))
    drives = {
        d.pk: d for d in Drive.objects.filter(pk__in=[pk for pk in sums if pk]).select_related("chapter")
    }
    rows = sorted(
        sums.values(),
        key=lambda r: (
            r.drive_id is None,
            drives[r.drive_id].start_date if r.drive_id else None,
            r.drive_id or 0,
        ),
    )
    history = defaultdict(list)  # (chapter, name) → drives of that name, with what each raised
    names = {d.name for d in drives.values()}
    chapters = {d.chapter_id for d in drives.values()}
    earlier_drives = Drive.objects.filter(chapter__in=chapters, name__in=names, start_date__lt=period.start)
    for earlier in drives_with_totals(earlier_drives, until=period.end):
        history[(earlier.chapter_id, earlier.name)].append(earlier)
    for row in rows:
        if row.drive_id is None:
            data.other_donations = True
            key = "donations.other"
            params = {"without_drive": "true", **scope}
            label = _("其他捐赠")
        else:
            drive = drives[row.drive_id]
            key = f"drive.{drive.pk}"
            params = {"drive": drive.pk, **scope}
            label = _fund_label(data, drive.name, drive.chapter.name)
            data.drives.append(drive.pk)
            data.add(
                text(f"{key}.name", _("募捐活动"), label, records_url("donations:drive-detail", drive.pk))
            )
            _drive_comparison(data, key, label, drive, row, history[(drive.chapter_id, drive.name)])
        url = records_url("donations:donation-list", **params)
        if row.drive_id is None:
            data.add(text(f"{key}.name", _("募捐活动"), label, url))
        cash_url = records_url("donations:donation-list", kind="cash", **params)
        in_kind_url = records_url("donations:donation-list", kind="in_kind", **params)
        data.add(yuan(f"{key}.amount", _("%(drive)s 募集合计") % {"drive": label}, row.amount, url))
        data.add(yuan(f"{key}.cash", _("%(drive)s 现金") % {"drive": label}, row.cash, cash_url))
        data.add(yuan(f"{key}.in_kind", _("%(drive)s 物资折价") % {"drive": label}, row.in_kind, in_kind_url))
    _drive_goods(data, {pk: sums[pk].in_kind for pk in data.drives})
    _allocated_goods(data, scope)
    _restricted_funds(data, scope)


def _drive_goods(data, in_kind):
    """What became of each drive's goods of the period by its end: issued, on hand, and whether
    all were issued (``drive.ID.goods_*``). Said only of a drive whose lots are worth exactly its
    in-kind gifts of the period, so that the report never says more of its goods than it received."""
    period = data.period
    goods = drive_goods(in_kind, start=period.start, end=period.end)
    for pk, value in in_kind.items():
        found = goods.get(pk)
        if not value or found is None or found.received != value:
            continue
        key, label = f"drive.{pk}", data[f"drive.{pk}.name"].text
        stock_url = records_url("goods:stock", chapter=data.chapter.pk, as_of=period.end.isoformat())
        issues_url = records_url("goods:issue-list", chapter=data.chapter.pk, **period.as_filter())
        data.add(
            yuan(
                f"{key}.goods_issued", _("%(drive)s 物资已发放") % {"drive": label}, found.issued, issues_url
            )
        )
        data.add(
            yuan(f"{key}.goods_on_hand", _("%(drive)s 物资库存") % {"drive": label}, found.on_hand, stock_url)
        )
        data.add(
            yuan(
                f"{key}.goods_adjusted",
                _("%(drive)s 物资盘点调整") % {"drive": label},
                found.adjusted,
                stock_url,
            )
        )
        data.add(
            text(
                f"{key}.goods_all_issued",
                _("%(drive)s 物资是否全部发放") % {"drive": label},
                _("已全部发放") if found.on_hand == 0 and found.adjusted == 0 else "",
                issues_url,
            )
        )


def _allocated_goods(data, scope):
    """Goods allocated to the chapter from above its scope in the period (``goods.allocated.*``):
    who allocated them, their value, and what became of them by the period's end — all allocated
    on (naming the chapters below that received them) or all issued only when none is left and no
    stock count changed them. An allocation is not a gift: none of it is in the donation totals,
    and an allocation between two chapters of the report's scope is not received from above."""
    chapter, period = data.chapter, data.period
    goods = allocated_from_above(chapter, start=period.start, end=period.end)
    if goods is None:
        return
    end = period.end.isoformat()
    lots_url = records_url(
        "goods:stock",
        chapter=chapter.pk,
        from_above=chapter.pk,
        arrived_from=period.start.isoformat(),
        as_of=end,
    )
    issues_url = records_url("goods:issue-list", chapter=chapter.pk, **period.as_filter())
    below_url = records_url("goods:issue-list", chapter=chapter.pk, kind="allocation", **period.as_filter())
    data.add(text("goods.allocated.origins", _("上级调拨单位"), "、".join(goods.origins), lots_url))
    data.add(yuan("goods.allocated.received", _("接收上级调拨物资折价"), goods.received, lots_url))
    data.add(yuan("goods.allocated.issued", _("上级调拨物资已发放"), goods.issued, issues_url))
    data.add(yuan("goods.allocated.on_hand", _("上级调拨物资库存"), goods.on_hand, lots_url))
    data.add(yuan("goods.allocated.adjusted", _("上级调拨物资盘点调整"), goods.adjusted, lots_url))
    recipients = "、".join(name for name, _value in goods.recipients)
    data.add(text("goods.allocated.recipients", _("调拨下级红十字会"), recipients, below_url))
    data.add(yuan("goods.allocated.allocated", _("上级调拨物资已调拨下级"), goods.allocated, below_url))
    all_issued = ""
    if goods.on_hand == 0 and goods.adjusted == 0:
        if goods.recipients and goods.allocated == goods.issued:
            all_issued = _("已全部调拨%(chapters)s") % {"chapters": recipients}
        else:
            all_issued = _("已全部发放")
    data.add(text("goods.allocated.all_issued", _("上级调拨物资是否全部发放"), all_issued, issues_url))


@dataclass
class _DonationSums:
    drive_id: int | None
    cash: Decimal
    in_kind: Decimal

    @property
    def amount(self):
        return self.cash + self.in_kind


def _drive_comparison(data, key, label, drive, row, history):
    """The drive against the same drive in earlier years: the last one, and whether this is the highest."""
    earlier = sorted((d for d in history if d.start_date < drive.start_date), key=lambda d: d.start_date)
    if not earlier:
        return
    last = earlier[-1]
    url = records_url("donations:drive-detail", drive.pk)
    data.add(
        yuan(
            f"{key}.previous",
            _("%(drive)s %(year)s年募集") % {"drive": label, "year": last.start_date.year},
            last.raised,
            records_url("donations:drive-detail", last.pk),
        )
    )
    data.add(text(f"{key}.previous_year", _("上一期年份"), _("%(year)s年") % {"year": last.start_date.year}))
    change = row.amount - to_money(last.raised)
    if last.raised:
        data.add(
            percent(
                f"{key}.change",
                _("%(drive)s 同比增减") % {"drive": label},
                round(change * 100 / to_money(last.raised)),
                url,
            )
        )
    highest = drive_is_record_high(drive, earlier, raised=row.amount)
    data.add(
        text(
            f"{key}.record",
            _("%(drive)s 是否创同期最高") % {"drive": label},
            _("创同期最高水平") if highest else "",
            url,
        )
    )


def _restricted_funds(data, scope):
    chapter, period = data.chapter, data.period
    restricted = Q(restricted_category__isnull=False) | Q(restricted_project__isnull=False)
    funds = funds_with_flows(
        Fund.objects.for_chapter(chapter).filter(restricted).select_related("chapter"),
        start=period.start,
        end=period.end,
    ).order_by("name", "pk")
    for fund in funds:
        if not fund.received and not fund.paid:
            continue
        key = f"fund.{fund.pk}"
        url = records_url("donations:fund-detail", fund.pk)
        label = _fund_label(data, fund.name, fund.chapter.name)
        data.restricted_funds.append(fund.pk)
        data.add(text(f"{key}.name", _("基金名称"), label, url))
        data.add(yuan(f"{key}.received", _("%(fund)s 本期收入") % {"fund": label}, fund.received, url))
        data.add(yuan(f"{key}.paid", _("%(fund)s 本期支出") % {"fund": label}, fund.paid, url))
        data.add(
            text(
                f"{key}.all_paid",
                _("%(fund)s 是否全部支出") % {"fund": label},
                _("全部发放") if fund.received and fund.paid >= fund.received else "",
                url,
            )
        )


def _training(data, scope):
    chapter, period = data.chapter, data.period
    progress = training_progress(chapter=chapter, year=period.year, start=period.start, end=period.end)
    totals = {"sessions": 0, "person_times": 0, "certified": 0}
    for row in progress:
        name = row.kind_name
        url = records_url("training:session-list", kind=row.kind_id, **scope)
        if not (row.sessions or row.target):
            continue
        data.training.append(name)
        data.add(text(f"training.{name}.name", _("培训类型"), name, url))
        data.add(
            count(
                f"training.{name}.sessions", _("%(kind)s 期数") % {"kind": name}, row.sessions, SESSIONS, url
            )
        )
        data.add(
            count(
                f"training.{name}.person_times",
                _("%(kind)s 人次") % {"kind": name},
                row.person_times,
                PERSON_TIMES,
                url,
            )
        )
        data.add(
            count(
                f"training.{name}.certified", _("%(kind)s 取证人数") % {"kind": name}, row.certified, url=url
            )
        )
        if row.target:
            data.add(
                count(
                    f"training.{name}.target",
                    _("%(kind)s 年度目标") % {"kind": name},
                    row.target,
                    PERSON_TIMES,
                )
            )
            data.add(
                percent(
                    f"training.{name}.percent", _("%(kind)s 完成年度目标") % {"kind": name}, row.percent, url
                )
            )
        for field_name in totals:
            totals[field_name] += getattr(row, field_name)
    url = records_url("training:session-list", **scope)
    data.add(count("training.total.sessions", _("培训期数"), totals["sessions"], SESSIONS, url))
    data.add(count("training.total.person_times", _("培训人次"), totals["person_times"], PERSON_TIMES, url))
    data.add(count("training.total.certified", _("取证人数"), totals["certified"], url=url))
    targets = Target.objects.filter(chapter=chapter, year=period.plan_year).select_related("kind")
    for target in targets.order_by("kind__order", "kind__name"):
        name = target.kind.name
        data.plan.append(name)
        data.add(
            count(
                f"plan.{name}",
                _("%(year)s年%(kind)s目标") % {"year": period.plan_year, "kind": name},
                target.person_times,
                PERSON_TIMES,
            )
        )


def _projects(data, scope):
    chapter, period = data.chapter, data.period
    # Spending per project (in the period and in all) is the projects' own selector's; the split
    # by category in the period is summed from the kept spending (months and edge days).
    spent = defaultdict(Decimal)
    for part in EXPENDITURE_DAYS.span(period.start, period.end):
        rows = part.filter(status__in=COUNTED, chapter__path__startswith=chapter.path).order_by()
        for row in rows.values("project", "category").annotate(total=Sum("amount")):
            spent[row["project"], row["category"]] += to_money(row["total"])
    by_category = defaultdict(list)
    for (project, category), total in spent.items():
        by_category[project].append((category, total))
    projects = list(
        projects_of_period(Project.objects.for_chapter(chapter), start=period.start, end=period.end)
        .select_related("kind", "chapter")
        .prefetch_related(
            # What was delivered by the period's end; audits are dated steps the text names.
            Prefetch("outputs", queryset=Output.objects.filter(date__lte=period.end)),
            "audits",
        )
        .order_by("kind__order", "start_date", "name")
    )
    total = Decimal("0.00")
    for project in projects:
        key = f"project.{project.pk}"
        url = records_url("projects:project-detail", project.pk)
        spent_url = records_url("projects:expenditure-list", project=project.pk, **scope)
        label = _fund_label(data, project.name, project.chapter.name)
        data.projects.append(project.pk)
        data.add(text(f"{key}.name", _("项目名称"), label, url))
        data.add(text(f"{key}.kind", _("%(project)s 类型") % {"project": label}, project.kind.name, url))
        data.add(text(f"{key}.place", _("%(project)s 地点") % {"project": label}, project.place, url))
        data.add(yuan(f"{key}.budget", _("%(project)s 预算") % {"project": label}, project.budget, url))
        data.add(
            yuan(f"{key}.spent", _("%(project)s 本期支出") % {"project": label}, project.spent, spent_url)
        )
        data.add(
            yuan(
                f"{key}.spent_total",
                _("%(project)s 累计支出") % {"project": label},
                project.spent_total,
                # What was spent up to the period's end: a later expenditure is no part of it.
                records_url(
                    "projects:expenditure-list", project=project.pk, date_before=period.end.isoformat()
                ),
            )
        )
        data.add(
            text(
                f"{key}.status",
                _("%(project)s 状态") % {"project": label},
                str(status_on(project, period.end).label),
                url,
            )
        )
        outputs = "、".join(f"{o.name}{_plain_quantity(o.quantity)}{o.unit}" for o in project.outputs.all())
        data.add(text(f"{key}.outputs", _("%(project)s 产出") % {"project": label}, outputs, url))
        audits = "；".join(
            _("%(date)s经%(auditor)s审计") % {"date": _date(a.date), "auditor": a.auditor}
            for a in project.audits.all()
            if a.date <= period.end
        )
        data.add(text(f"{key}.audits", _("%(project)s 审计") % {"project": label}, audits, url))
        for category, amount in sorted(by_category[project.pk], key=lambda row: row[0] or _("未分类")):
            # The link filters on the category as recorded (an expenditure without one: 未分类);
            # the key and the label name it without spaces, since a token holds none.
            if category:
                category_params = {"category": category}
            else:
                category_params = {"without_category": "true"}
            category_url = records_url(
                "projects:expenditure-list", project=project.pk, **category_params, **scope
            )
            name = "".join(category.split()) or _("未分类")
            data.add(
                yuan(
                    f"{key}.category.{name}",
                    _("%(project)s %(category)s支出") % {"project": label, "category": name},
                    amount,
                    category_url,
                )
            )
        total += to_money(project.spent)
    url = records_url("projects:expenditure-list", **scope)
    data.add(yuan("projects.total.spent", _("项目支出合计"), total, url))
    data.add(
        count(
            "projects.total.count",
            _("项目个数"),
            len(data.projects),
            PROJECTS,
            records_url("projects:project-list", chapter=chapter.pk),
        )
    )


def _plain_quantity(quantity):
    text_value = format(quantity, "f")
    return text_value.rstrip("0").rstrip(".") if "." in text_value else text_value


def _date(day):
    return _("%(year)s年%(month)s月%(day)s日") % {"year": day.year, "month": day.month, "day": day.day}


def _counties(data):
    """The main figures of each chapter directly below, each with the chapters below it."""
    chapter, period = data.chapter, data.period
    children = list(chapter.children.order_by("code"))
    own_label = _("%(chapter)s本级") % {"chapter": chapter.name}
    rows = {c.code: {"chapter": c, "label": c.name} for c in children}
    rows[chapter.code] = {"chapter": chapter, "label": own_label}

    def owner(path):
        for child in children:
            if path.startswith(child.path):
                return child.code
        return chapter.code

    def grouped(queryset, **aggregates):
        result = defaultdict(lambda: defaultdict(Decimal))
        for row in queryset.order_by().values("chapter__path").annotate(**aggregates):
            target = result[owner(row["chapter__path"])]
            for name in aggregates:
                target[name] += Decimal(str(row[name] or 0))
        return result

    relief = defaultdict(lambda: defaultdict(Decimal))
    for part in aid_selectors.relief_kept(chapter, period.start, period.end):
        sums = grouped(
            part, cash=Sum("cash_amount"), in_kind=Sum("in_kind_amount"), groups=Sum("group_persons")
        )
        for code, figures in sums.items():
            for name, value in figures.items():
                relief[code][name] += value

    def kept(totals, start, end, condition, **aggregates):
        """``grouped`` over the kept totals of the period (its months and edge days)."""
        result = defaultdict(lambda: defaultdict(Decimal))
        for part in totals.span(start, end):
            rows = part.filter(condition, chapter__path__startswith=chapter.path)
            for code, figures in grouped(rows, **aggregates).items():
                for name, value in figures.items():
                    result[code][name] += value
        return result

    # Persons helped in the year up to the period's end: firsts of the year, per chapter.
    year_start = datetime.date(period.year, 1, 1)
    named = kept(PERSON_YEAR_DAYS, year_start, period.end, Q(category__isnull=True), named=Sum("rows"))
    counted = Q(status__in=COUNTED)
    donations = kept(DONATION_DAYS, period.start, period.end, counted, amount=Sum(F("cash") + F("in_kind")))
    training = kept(SESSION_DAYS, period.start, period.end, counted, people=Sum("person_times"))
    spending = kept(EXPENDITURE_DAYS, period.start, period.end, counted, amount=Sum("amount"))
    order = [chapter.code] + [c.code for c in children]
    for code in order:
        row = rows[code]
        own = code == chapter.code
        if own and not any(code in table for table in (relief, donations, training, spending)):
            continue
        data.counties.append(code)
        key = f"county.{code}"
        target = row["chapter"]
        # The chapter's own row links to its own records only; a county's to its whole subtree.
        scope = {"chapter": target.pk, **period.as_filter()}
        label = row["label"]
        data.add(text(f"{key}.name", _("红十字会"), label))
        r = relief.get(code, {})
        data.add(
            yuan(
                f"{key}.relief",
                _("%(chapter)s 救助款物") % {"chapter": label},
                r.get("cash", 0) + r.get("in_kind", 0),
                records_url("aid:disbursement-list", **scope) if not own else "",
            )
        )
        data.add(
            count(
                f"{key}.persons",
                _("%(chapter)s 受助人数") % {"chapter": label},
                int(named.get(code, {}).get("named", 0) + r.get("groups", 0)),
            )
        )
        data.add(
            yuan(
                f"{key}.donations",
                _("%(chapter)s 接收捐赠") % {"chapter": label},
                donations.get(code, {}).get("amount", 0),
                records_url("donations:donation-list", **scope) if not own else "",
            )
        )
        data.add(
            count(
                f"{key}.person_times",
                _("%(chapter)s 培训人次") % {"chapter": label},
                int(training.get(code, {}).get("people", 0)),
                PERSON_TIMES,
                records_url("training:session-list", **scope) if not own else "",
            )
        )
        data.add(
            yuan(
                f"{key}.spent",
                _("%(chapter)s 项目支出") % {"chapter": label},
                spending.get(code, {}).get("amount", 0),
                records_url("projects:expenditure-list", **scope) if not own else "",
            )
        )
    _county_totals(data)


def _county_totals(data):
    """The totals row of the table per county: the sum of its own lines, so the table adds up."""
    scope = {"chapter": data.chapter.pk, **data.period.as_filter()}

    def column(field):
        return sum((data[f"county.{code}.{field}"].value for code in data.counties), 0)

    def money(field):
        return sum((Decimal(data[f"county.{code}.{field}"].value) for code in data.counties), Decimal("0"))

    data.add(yuan("county.total.relief", _("各县合计 救助款物"), money("relief"),
                  records_url("aid:disbursement-list", **scope)))  # fmt: skip
    data.add(count("county.total.persons", _("各县合计 受助人数"), column("persons")))
    data.add(yuan("county.total.donations", _("各县合计 接收捐赠"), money("donations"),
                  records_url("donations:donation-list", **scope)))  # fmt: skip
    data.add(count("county.total.person_times", _("各县合计 培训人次"), column("person_times"), PERSON_TIMES,
                   records_url("training:session-list", **scope)))  # fmt: skip
    data.add(yuan("county.total.spent", _("各县合计 项目支出"), money("spent"),
                  records_url("projects:expenditure-list", **scope)))  # fmt: skip
