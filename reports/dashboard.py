"""The home page (the dashboard): a chapter's figures for a year, each a link to the records
behind it. Its composition lives here, in the one app that already reads all four record apps:
the kernel (``redcross``) knows none of them. Served at "/" under the URL name "home"
(``reports.home_urls``)."""

import datetime

from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from aid.selectors import relief_by_category, relief_by_month, relief_years
from donations.selectors import donations_by_month, year_donation_totals
from projects.models import Project
from projects.selectors import projects_of_period, status_on
from redcross.choices import RecordStatus
from redcross.corrections import waiting_for_approval
from redcross.money import PERSON_TIMES, format_count, format_yuan, to_money
from redcross.params import year_param
from redcross.periods import date_filter, month_bounds, year_bounds
from redcross.registry import home_panels
from redcross.urls_util import records_url
from redcross.views.generic import ChapterPageMixin
from training.selectors import training_progress

from . import charts


def person_times(count):
    """``274人次``, ``1.2万人次`` (in English ``274 person-times``), as the report counts them."""
    return format_count(count, PERSON_TIMES)


class HomeView(ChapterPageMixin, TemplateView):
    template_name = "home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        chapter = self.get_chapter()
        context["chapter"] = chapter
        if chapter is None:
            return context
        years = relief_years(chapter.subtree())
        year = year_param(
            self.request.GET.get("year"), default=years[0] if years else datetime.date.today().year
        )
        start, end = year_bounds(year)
        period = {"chapter": chapter.pk, **date_filter(start, end)}
        # The same reading of the relief figures as the work reports'.
        summary = relief_by_category(chapter, start=start, end=end)
        relief = [
            {"totals": row, "url": records_url("aid:disbursement-list", category=row.category_id, **period)}
            for row in summary.categories
        ]
        context.update(self.donations_context(chapter, start, end, period))
        context.update(self.training_context(chapter, year, start, end, period))
        context.update(self.projects_context(chapter, start, end, period))
        context.update(self.approval_context(chapter))
        context.update(self.charts_context(chapter, year, context))
        context.update(
            panels=home_panels(self.request, self.access),
            year=year,
            years=sorted(set(years) | {year}, reverse=True),
            chapters=self.access.readable_chapters(),
            relief=relief,
            relief_total=summary.total,
            relief_total_url=records_url("aid:disbursement-list", **period),
        )
        return context

    def donations_context(self, chapter, start, end, period):
        total, rows = year_donation_totals(chapter, start, end)
        drives = []
        for row in rows:
            params = {"drive": row.drive_id} if row.drive_id else {"without_drive": "true"}
            drives.append({"totals": row, "url": records_url("donations:donation-list", **period, **params)})
        return {
            "drives": drives,
            "donations_total": total,
            "donations_url": records_url("donations:donation-list", **period),
        }

    def training_context(self, chapter, year, start, end, period):
        progress = training_progress(chapter=chapter, year=year, start=start, end=end)
        for row in progress:
            row.url = records_url("training:session-list", kind=row.kind_id, **period)
        return {
            "training": progress,
            "training_url": f"{reverse('training:overview')}?chapter={chapter.code}&year={year}",
        }

    def approval_context(self, chapter):
        """For those who approve the chapter's spending: what waits for them (two counts)."""
        if not self.access.can_approve(chapter):
            return {}
        waiting = []
        for model, count in waiting_for_approval(chapter):
            route = f"{model._meta.app_label}:{model._meta.model_name}-list"
            url = records_url(route, chapter=chapter.pk, status=RecordStatus.PENDING)
            waiting.append({"kind": model._meta.verbose_name, "count": count, "url": url})
        return {"waiting": waiting, "waiting_count": sum(w["count"] for w in waiting)}

    def projects_context(self, chapter, start, end, period):
        """The projects as the year's report lists them: spending cut at the year's end (a later
        expenditure neither counts nor flags 超预算), status as it stood then."""
        projects = list(
            projects_of_period(
                Project.objects.for_chapter(chapter).select_related("kind"), start=start, end=end
            ).order_by("kind__order", "name")
        )
        for project in projects:
            project.status_then = status_on(project, end).label
            project.spent_total_url = records_url(
                "projects:expenditure-list", project=project.pk, date_before=end.isoformat()
            )
        return {
            "projects": projects,
            "expenditures_url": records_url("projects:expenditure-list", **period),
        }

    def charts_context(self, chapter, year, context):
        """The year at a glance: the tables' figures drawn, each mark a link to its records.

        The monthly sums cost one query each (relief from the daily sums, gifts grouped by month);
        the other charts draw the rows the tables already hold.
        """
        end = year_bounds(year)[1]
        last_start = year_bounds(year - 1)[0]

        def split(by_month, route):
            def url(month):
                return records_url(
                    route, chapter=chapter.pk, **date_filter(*month_bounds(month.year, month.month))
                )

            return [
                charts.Series(
                    _("%(year)s年") % {"year": y},
                    y,
                    {month: value for month, value in by_month.items() if month.year == y},
                    url,
                    fill,
                )
                for y, fill in ((year - 1, charts.LAST_YEAR), (year, charts.THIS_YEAR))
            ]

        def monthly(title, what, by_month, route):
            series = split(by_month, route)
            totals = _("；").join(
                _("%(series)s合计%(amount)s")
                % {"series": s.label, "amount": format_yuan(sum(s.values.values()))}
                for s in series
            )
            return charts.column_chart(
                title=title,
                label=_("%(title)s：%(figures)s") % {"title": title, "figures": totals},
                series=series,
                describe=lambda s, month, value: (
                    _("%(series)s%(month)s月%(what)s %(amount)s（%(exact)s）")
                    % {
                        "series": s.label,
                        "month": month.month,
                        "what": what,
                        "amount": format_yuan(value),
                        "exact": charts.exact_yuan(value),
                    }
                ),
            )

        relief = relief_by_month(chapter, start=last_start, end=end)
        gifts = donations_by_month(chapter, last_start, end)
        return {
            "relief_chart": monthly(
                _("各月救助款物（%(year)s年与上年）") % {"year": year},
                _("救助款物"),
                relief,
                "aid:disbursement-list",
            ),
            "donations_chart": monthly(
                _("各月接收捐赠（%(year)s年与上年）") % {"year": year},
                _("接收捐赠"),
                gifts,
                "donations:donation-list",
            ),
            "training_chart": self.training_chart(context["training"]),
            "projects_chart": self.projects_chart(context["projects"]),
            "drives_chart": self.drives_chart(context["drives"]),
        }

    def training_chart(self, progress):
        rows = []
        for row in progress:
            if not (row.person_times or row.target):
                continue
            done = person_times(row.person_times)
            if row.target:
                note = _("%(done)s / 目标 %(target)s") % {
                    "done": done,
                    "target": person_times(row.target),
                }
                title = _("%(kind)s：%(note)s，完成 %(percent)s%%") % {
                    "kind": row.kind_name,
                    "note": note,
                    "percent": row.percent,
                }
            else:
                note = _("%(done)s（未定目标）") % {"done": done}
                title = _("%(kind)s：%(note)s") % {"kind": row.kind_name, "note": note}
            rows.append(
                charts.Row(
                    row.kind_name,
                    row.person_times,
                    row.target,
                    row.url,
                    title,
                    note,
                    data={"name": row.kind_name, "goal": row.target or ""},
                )
            )
        title = _("救护培训人次与年度目标")
        return charts.bar_chart(title=title, label=self.bars_label(title, rows), rows=rows)

    def projects_chart(self, projects):
        rows = []
        for project in projects:
            note = _("%(spent)s / 预算 %(budget)s") % {
                "spent": format_yuan(project.spent_total),
                "budget": format_yuan(project.budget),
            }
            flag = _("超预算") if project.over_budget else ""
            words = {"project": project.name, "note": note, "exact": charts.exact_yuan(project.spent_total)}
            if project.over_budget:
                title = _("%(project)s：%(note)s（%(exact)s），超预算") % words
            else:
                title = _("%(project)s：%(note)s（%(exact)s）") % words
            rows.append(
                charts.Row(
                    project.name,
                    to_money(project.spent_total),
                    project.budget,
                    project.spent_total_url,
                    title,
                    note,
                    over=project.over_budget,
                    flag=flag,
                    data={
                        "name": project.name,
                        "goal": project.budget,
                        "over": "true" if project.over_budget else "",
                    },
                )
            )
        title = _("项目累计支出与预算")
        return charts.bar_chart(title=title, label=self.bars_label(title, rows), rows=rows)

    def drives_chart(self, drives):
        rows = []
        for drive in drives:
            totals = drive["totals"]
            if totals.drive_id is None:
                continue  # gifts outside any drive have no goal
            raised = format_yuan(totals.amount)
            if totals.drive_goal:
                note = _("%(raised)s / 目标 %(goal)s") % {
                    "raised": raised,
                    "goal": format_yuan(totals.drive_goal),
                }
            else:
                note = _("%(raised)s（未定目标）") % {"raised": raised}
            title = _("%(drive)s：%(note)s（%(exact)s）") % {
                "drive": totals.drive_name,
                "note": note,
                "exact": charts.exact_yuan(totals.amount),
            }
            rows.append(
                charts.Row(
                    totals.drive_name,
                    totals.amount,
                    totals.drive_goal,
                    drive["url"],
                    title,
                    note,
                    data={"name": totals.drive_name, "goal": totals.drive_goal or ""},
                )
            )
        title = _("募捐活动募集与目标")
        return charts.bar_chart(title=title, label=self.bars_label(title, rows), rows=rows)

    @staticmethod
    def bars_label(title, rows):
        """What a screen reader says of a bar chart: its title, then each bar's name and note."""
        figures = _("；").join(f"{row.name} {row.note}" for row in rows)
        return _("%(title)s：%(figures)s") % {"title": title, "figures": figures}
