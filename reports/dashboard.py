"""The home page (the dashboard): a chapter's figures for a year, each a link to the records
behind it. Its composition lives here, in the one app that already reads all four record apps:
the kernel (``redcross``) knows none of them. Served at "/" under the URL name "home"
(``reports.home_urls``)."""

import datetime

from django.db.models import Q
from django.urls import reverse
from django.views.generic import TemplateView

from aid.models import Disbursement
from aid.selectors import disbursement_years, relief_by_category
from donations.models import Donation
from donations.selectors import donation_totals, donation_totals_by_drive
from projects.choices import ProjectStatus
from projects.models import Project
from projects.selectors import projects_with_spending
from redcross.choices import RecordStatus
from redcross.corrections import waiting_for_approval
from redcross.params import year_param
from redcross.periods import date_filter, year_bounds
from redcross.urls_util import records_url
from redcross.views.generic import ChapterPageMixin
from training.models import Session
from training.selectors import training_progress


class HomeView(ChapterPageMixin, TemplateView):
    template_name = "home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        chapter = self.get_chapter()
        context["chapter"] = chapter
        if chapter is None:
            return context
        disbursements = Disbursement.objects.for_chapter(chapter)
        years = disbursement_years(disbursements)
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
        context.update(
            year=year,
            years=sorted(set(years) | {year}, reverse=True),
            chapters=self.access.readable_chapters(),
            relief=relief,
            relief_total=summary.total,
            relief_total_url=records_url("aid:disbursement-list", **period),
        )
        return context

    def donations_context(self, chapter, start, end, period):
        donations = Donation.objects.for_chapter(chapter).in_period(start, end)
        rows = donation_totals_by_drive(donations)
        drives = []
        for row in rows:
            params = {"drive": row.drive_id} if row.drive_id else {"without_drive": "true"}
            drives.append({"totals": row, "url": records_url("donations:donation-list", **period, **params)})
        return {
            "drives": drives,
            "donations_total": donation_totals(donations),
            "donations_url": records_url("donations:donation-list", **period),
        }

    def training_context(self, chapter, year, start, end, period):
        sessions = Session.objects.for_chapter(chapter).in_period(start, end)
        progress = training_progress(sessions, chapter=chapter, year=year)
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
        projects = projects_with_spending(
            Project.objects.for_chapter(chapter).select_related("kind"), start=start, end=end
        ).filter(Q(spent__gt=0) | Q(status__in=[ProjectStatus.PLANNED, ProjectStatus.IN_PROGRESS]))
        return {
            "projects": projects.order_by("kind__order", "name"),
            "expenditures_url": records_url("projects:expenditure-list", **period),
        }
