"""The import workbook's 项目 and 项目支出 sheets (DESIGN.md, "Import workbook")."""

from collections import defaultdict
from decimal import Decimal

from django.db.models import Sum
from django.utils.translation import gettext as _

from donations.services import fund_spending_problem
from redcross.corrections import needs_approval
from redcross.importing import (
    Col,
    Refers,
    RowProblems,
    Sheet,
    as_choice,
    as_date,
    as_money,
    as_record_date,
    as_text,
    clean_fields,
    run_checks,
)
from redcross.money import to_money
from redcross.rules import refuse_row

from .choices import ProjectStatus
from .models import Expenditure, Project, ProjectKind
from .rules import expenditure_problems, over_budget_problems, project_problems


class ProjectSheet(Sheet):
    name = "项目"
    model = Project
    defines, key_column = "项目", "项目名称"
    list_url = "projects:project-list"
    example = {
        "项目名称": "某村博爱家园",
        "项目类型": "博爱家园",
        "项目地点": "某镇某村",
        "预算金额": 150000,
        "开始日期": "2021-04-01",
        "结束日期": "2021-10-31",
        "项目状态": "实施中",
    }
    columns = [
        Col("项目名称", required=True, note="本会内不重复；已有同名项目时沿用"),
        Col("项目类型", required=True, kind="choice", options="项目类型"),
        Col("项目地点"),
        Col("预算金额", required=True, kind="money", note="元"),
        Col("开始日期", kind="date"),
        Col("结束日期", kind="date"),
        Col("项目状态", kind="choice", note="计划中、实施中、已完工、已审计；空为计划中", options="项目状态"),
    ]

    def check_row(self, row, values):
        context = self.context
        kinds = {k.name: k for k in ProjectKind.objects.all()}

        def kind(value):
            found = kinds.get(as_text(value))
            if found is None:
                message = _("项目类型“%(name)s”不存在") % {"name": as_text(value)}
                raise Refers("项目类型", as_text(value), message)
            return found

        cleaned = run_checks(
            values,
            {
                "项目类型": kind,
                "预算金额": as_money,
                "开始日期": as_date,
                "结束日期": as_date,
                "项目状态": lambda v: as_choice(v, ProjectStatus),
            },
        )
        name = as_text(values["项目名称"])
        if name in context.projects:
            return None  # already held: used as it is
        start, end = cleaned["开始日期"], cleaned["结束日期"]
        refuse_row(project_problems(start_date=start, end_date=end), {"end_date": "结束日期"})
        project = Project(
            chapter=context.chapter,
            name=name,
            kind=cleaned["项目类型"],
            place=as_text(values["项目地点"]),
            budget=cleaned["预算金额"],
            start_date=start,
            end_date=end,
            status=cleaned["项目状态"] or ProjectStatus.PLANNED,
            created_by=context.user,
            updated_by=context.user,
        )
        clean_fields(project, exclude=["chapter", "kind", "created_by", "updated_by"], row=row)
        context.projects[name] = project
        return project


class ExpenditureSheet(Sheet):
    name = "项目支出"
    model = Expenditure
    refers = ("项目", "基金")
    list_url = "projects:expenditure-list"
    example = {
        "支出日期": "2021-06-15",
        "项目名称": "某村博爱家园",
        "支出类别": "设备物资",
        "金额": 30000,
        "收款单位": "某某医疗器械公司",
        "发票号": "04512345",
        "说明": "应急救护箱20个",
    }
    # The column of each field the rules in ``projects.rules`` name: the reason for spending
    # beyond the budget is written in 说明.
    field_columns = {"project": "项目名称", "amount": "金额", "over_budget_reason": "说明"}
    columns = [
        Col("支出日期", required=True, kind="date"),
        Col("项目名称", required=True, note="本会已有或本文件“项目”表中的项目", options="项目"),
        Col("支出类别", note="如 工程建设、设备物资"),
        Col("金额", required=True, kind="money", note="元"),
        Col("资金来源", note="本会的基金；限定用途的基金只能用于其项目", options="基金"),
        Col("收款单位"),
        Col("发票号", kind="code", note="文本格式，保留开头的0"),
        Col("说明", note="超出项目预算的支出须在此写明超预算原因"),
    ]

    def __init__(self, context):
        super().__init__(context)
        self.spent = defaultdict(Decimal)
        held = (
            Expenditure.objects.filter(chapter=context.chapter)
            .values("project__name")
            .annotate(total=Sum("amount"))
        )
        for row in held.order_by():
            self.spent[row["project__name"]] = to_money(row["total"])

    def check_row(self, row, values):
        context = self.context

        def project(value):
            found = context.projects.get(as_text(value))
            if found is None:
                message = _("项目“%(name)s”不存在") % {"name": as_text(value)}
                raise Refers("项目", as_text(value), message)
            return found

        cleaned = run_checks(
            values,
            {
                "支出日期": as_record_date,
                "项目名称": project,
                "金额": as_money,
                "资金来源": lambda v: context.fund(as_text(v)),
            },
        )
        project, amount, fund = cleaned["项目名称"], cleaned["金额"], cleaned["资金来源"]
        description = as_text(values["说明"])
        refuse_row(expenditure_problems(project=project, amount=amount), self.field_columns)
        refuse_row(
            over_budget_problems(
                project=project, spent=self.spent[project.name], amount=amount, reason=description
            ),
            self.field_columns,
        )
        after = self.spent[project.name] + amount
        if fund is not None:
            problem = fund_spending_problem(
                fund,
                chapter=context.chapter,
                amount=amount,
                balance=context.balances[fund.name],
                purpose_project=project,
            )
            if problem:
                raise RowProblems({"资金来源": problem})
        expenditure = Expenditure(
            chapter=context.chapter,
            date=cleaned["支出日期"],
            project=project,
            category=as_text(values["支出类别"]),
            amount=amount,
            fund=fund,
            payee=as_text(values["收款单位"]),
            invoice_number=as_text(values["发票号"]),
            description=description,
            over_budget_reason=description if after > project.budget else "",
            pending=needs_approval(context.chapter, amount),
            created_by=context.user,
            updated_by=context.user,
        )
        clean_fields(expenditure, exclude=["chapter", "project", "fund", "created_by", "updated_by"], row=row)
        self.spent[project.name] = after
        if fund is not None:
            context.balances[fund.name] -= amount
        return expenditure


def kinds_offered(chapter):
    """The 项目类型 drop-down of the blank template (registered in ``ProjectsConfig.ready``)."""
    return [k.name for k in ProjectKind.objects.filter(is_active=True)]


def statuses_offered(chapter):
    """The 项目状态 drop-down of the blank template."""
    return [str(s.label) for s in ProjectStatus]


def projects_offered(chapter):
    """The 项目 drop-down: the chapter's projects."""
    return list(Project.objects.filter(chapter=chapter).order_by("name").values_list("name", flat=True))


def context_load(context):
    """Puts the chapter's projects on a new import context (registered in ProjectsConfig.ready);
    the 项目 sheet adds the file's own."""
    context.projects = {project.name: project for project in Project.objects.filter(chapter=context.chapter)}
