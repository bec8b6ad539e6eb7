"""The history of the books: every change in a period, as auditors read and export it."""

from redcross.filters import ChangeFilterSet
from redcross.history import described
from redcross.models import Change

from .generic import RecordListView

# The history's totals line counts at most this many changes, then says "more than": the log of a
# province's decade holds tens of millions, and counting them all would cost every page a pass
# over the chapter's whole history.
COUNT_CAP = 10_000


class ChangeListView(RecordListView):
    model = Change
    filterset_class = ChangeFilterSet
    template_name = "history/change_list.html"
    export_key = "changes"

    def get_base_queryset(self):
        return Change.objects.filter(chapter_id__in=self.access.readable_chapters().values("pk"))

    def get_totals(self, queryset):
        count = queryset.order_by().values("pk")[: COUNT_CAP + 1].count()
        return {"count": min(count, COUNT_CAP), "more": count > COUNT_CAP}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["object_list"] = described(context["object_list"], self.access)
        chapters = {c.pk: c.name for c in self.access.readable_chapters()}
        for change in context["object_list"]:
            change.chapter_name = chapters.get(change.chapter_id, "")
        return context
