"""Writes of projects: the project and its plan, status steps, outputs, audits and expenditures."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from donations.selectors import spending_balances
from donations.services import fund_lock_for_spending
from redcross import bounds
from redcross.corrections import CorrectionHooks, approval_mark, correctable
from redcross.money import format_money, to_money
from redcross.rules import refuse

from .choices import NEXT_STATUS, ProjectStatus
from .models import Audit, BudgetLine, Expenditure, FundingSource, Output, Project
from .rules import expenditure_problems, over_budget_problems, project_problems


def _project_fill(
    project, *, user, name, kind, budget, place="", start_date=None, end_date=None, description=""
):
    refuse(project_problems(start_date=start_date, end_date=end_date))
    project.name = name.strip()
    project.kind = kind
    project.place = (place or "").strip()
    project.budget = to_money(budget)
    project.start_date = start_date
    project.end_date = end_date
    project.description = description or ""
    project.updated_by = user
    project.full_clean()
    project.save()
    return project


@transaction.atomic
def project_create(*, chapter, user, status=ProjectStatus.PLANNED, **fields):
    """Creates a project; an imported one may start at a later status (its step dates stay open)."""
    project = Project(chapter=chapter, created_by=user, status=status)
    return _project_fill(project, user=user, **fields)


@transaction.atomic
def project_update(*, project, user, **fields):
    return _project_fill(Project.objects.select_for_update().get(pk=project.pk), user=user, **fields)


@transaction.atomic
def project_advance(*, project, user, date):
    """Moves a project one step on (计划中 → 实施中 → 已完工 → 已审计), dated."""
    project = Project.objects.select_for_update().get(pk=project.pk)
    if project.status not in NEXT_STATUS:
        raise ValidationError(_("项目已审计，状态不能再变更"))
    status, date_field = NEXT_STATUS[ProjectStatus(project.status)]
    if status == ProjectStatus.AUDITED and not project.audits.exists():
        raise ValidationError(_("请先登记审计结果"))
    bounds.check("date", date, bounds.validate_record_date)
    earlier = [getattr(project, f) for f in ("started_on", "completed_on") if getattr(project, f)]
    if earlier and date < max(earlier):
        raise ValidationError({"date": _("日期不能早于上一步的日期 %(date)s") % {"date": max(earlier)}})
    project.status = status
    setattr(project, date_field, date)
    project.updated_by = user
    project.save()
    return project


@transaction.atomic
def project_funding_set(*, project, sources):
    """Replaces the project's funding sources with ``sources``: (source, fund, amount) rows."""
    project.funding_sources.all().delete()
    for source, fund, amount in sources:
        if fund is not None and fund.chapter_id != project.chapter_id:
            raise ValidationError({"fund": _("只能使用本会的基金")})
        funding = FundingSource(
            project=project, source=source or (fund.name if fund else ""), fund=fund, amount=to_money(amount)
        )
        funding.full_clean()
        funding.save()


@transaction.atomic
def project_budget_set(*, project, lines):
    """Replaces the budget by category with ``lines``: (category, amount) rows; they sum to the budget."""
    lines = [(category.strip(), to_money(amount)) for category, amount in lines if category.strip()]
    total = sum((amount for _, amount in lines), to_money(0))
    if lines and total != project.budget:
        raise ValidationError(
            _("分类预算合计 %(total)s 元，与项目预算 %(budget)s 元不一致")
            % {"total": format_money(total), "budget": format_money(project.budget)}
        )
    project.budget_lines.all().delete()
    for category, amount in lines:
        line = BudgetLine(project=project, category=category, amount=amount)
        line.full_clean(validate_constraints=False)
        line.save()


@transaction.atomic
def output_record(*, project, date, name, quantity, unit):
    output = Output(project=project, date=date, name=name.strip(), quantity=quantity, unit=unit.strip())
    output.full_clean()
    output.save()
    return output


@transaction.atomic
def audit_record(*, project, user, date, auditor, findings=""):
    """Records an audit of a completed project and marks it 已审计."""
    project = Project.objects.select_for_update().get(pk=project.pk)
    if project.status not in (ProjectStatus.COMPLETED, ProjectStatus.AUDITED):
        raise ValidationError(_("项目完工后才能登记审计"))
    audit = Audit(
        chapter_id=project.chapter_id,
        project=project,
        date=date,
        auditor=auditor.strip(),
        findings=findings or "",
        created_by=user,
        updated_by=user,
    )
    audit.full_clean()
    audit.save()
    if project.status == ProjectStatus.COMPLETED:
        project.status = ProjectStatus.AUDITED
        project.audited_on = date
        project.updated_by = user
        project.save()
    return audit


def _expenditure_fill(
    expenditure,
    *,
    user,
    date,
    project,
    amount,
    category="",
    fund=None,
    payee="",
    invoice_number="",
    description="",
    over_budget_reason="",
):
    chapter = expenditure.chapter
    if project.chapter_id != chapter.pk:
        raise ValidationError({"project": _("只能选择本会的项目")})
    refuse(expenditure_problems(project=project, amount=to_money(amount)))
    expenditure.date = date
    expenditure.project = project
    expenditure.category = (category or "").strip()
    expenditure.amount = to_money(amount)
    expenditure.fund = fund
    expenditure.payee = (payee or "").strip()
    expenditure.invoice_number = (invoice_number or "").strip()
    expenditure.description = description or ""
    expenditure.over_budget_reason = (over_budget_reason or "").strip()
    expenditure.updated_by = user
    expenditure.full_clean(validate_constraints=False)
    # Lock the project so two expenditures cannot both slip under its budget.
    Project.objects.select_for_update().filter(pk=project.pk).first()
    spent = (
        Expenditure.objects.filter(project=project).exclude(pk=expenditure.pk).aggregate(total=Sum("amount"))
    )
    refuse(
        over_budget_problems(
            project=project,
            spent=spent["total"],
            amount=expenditure.amount,
            reason=expenditure.over_budget_reason,
        )
    )
    if fund is not None:
        fund_lock_for_spending(
            fund=fund,
            chapter=chapter,
            amount=expenditure.amount,
            purpose_project=project,
            excluding=expenditure,
        )
    approval_mark(expenditure, expenditure.amount)
    expenditure.save()
    return expenditure


@transaction.atomic
def expenditure_record(*, chapter, user, **fields):
    """Records a line of a project's spending; beyond the budget it needs a stated reason."""
    return _expenditure_fill(Expenditure(chapter=chapter, created_by=user), user=user, **fields)


@transaction.atomic
def expenditure_correct(*, expenditure, user, **fields):
    expenditure = correctable(Expenditure, expenditure)
    return _expenditure_fill(expenditure, user=user, **fields)


class ExpenditureCorrections(CorrectionHooks):
    """What approving a project expenditure checks (registered in ProjectsConfig.ready)."""

    def approval_checks(self, record):
        """The project is not audited, the spending stays within budget or states why, and the
        fund, as it stands now, can still pay for the project."""
        if record.project.status == ProjectStatus.AUDITED:
            raise ValidationError(
                _("项目“%(project)s”已审计，不能再批准支出") % {"project": record.project.name}
            )
        spent = Expenditure.objects.filter(project=record.project_id).aggregate(total=Sum("amount"))["total"]
        refuse(
            over_budget_problems(
                project=record.project, spent=spent, amount=record.amount, reason=record.over_budget_reason
            )
        )
        if record.fund_id is not None:
            fund_lock_for_spending(
                fund=record.fund,
                chapter=record.chapter,
                amount=to_money(record.correction_total()),
                excluding=record,
                purpose_project=record.project,
            )

    def fund_balances(self, records):
        return spending_balances(records)
