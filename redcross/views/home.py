"""The home page: a chapter's figures for a year, each a link to the records behind it."""

import datetime

from django.http import Http404
from django.urls import reverse
from django.utils.http import urlencode
from django.views.generic import TemplateView

from aid.models import Disbursement
from aid.selectors import disbursement_totals, disbursement_totals_by_category, disbursement_years

from .generic import AccessMixin


def records_url(route, **params):
    """The URL of a record list filtered by ``params`` (empty values left out)."""
    query = {key: value for key, value in params.items() if value not in (None, "")}
    return f"{reverse(route)}?{urlencode(query)}"


class HomeView(AccessMixin, TemplateView):
    template_name = "home.html"

    def get_chapter(self):
        code = self.request.GET.get("chapter")
        if not code:
            return self.access.home_chapter
        chapter = self.access.readable_chapters().filter(code=code).first()
        if chapter is None:
            raise Http404
        return chapter

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        chapter = self.get_chapter()
        context["chapter"] = chapter
        if chapter is None:
            return context
        disbursements = Disbursement.objects.for_chapter(chapter)
        years = disbursement_years(disbursements)
        try:
            year = int(self.request.GET.get("year") or (years[0] if years else datetime.date.today().year))
        except ValueError:
            raise Http404 from None
        start, end = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
        in_year = disbursements.in_period(start, end)
        period = {"chapter": chapter.pk, "date_after": start.isoformat(), "date_before": end.isoformat()}
        relief = [
            {"totals": row, "url": records_url("aid:disbursement-list", category=row.category_id, **period)}
            for row in disbursement_totals_by_category(in_year)
        ]
        context.update(
            year=year,
            years=sorted(set(years) | {year}, reverse=True),
            chapters=self.access.readable_chapters(),
            relief=relief,
            relief_total=disbursement_totals(in_year),
            relief_total_url=records_url("aid:disbursement-list", **period),
        )
        return context
