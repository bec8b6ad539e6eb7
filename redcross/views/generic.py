"""The views every app's records use: one list (filter, paginate, totals), detail, and form.

An app's view names its model, FilterSet, template and service; access rules, 403s and error
handling live here once.
"""

from decimal import Decimal

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.generic import DetailView, FormView, ListView

from redcross.choices import RecordStatus
from redcross.corrections import pending_totals, sent_for_approval_message
from redcross.history import record_history
from redcross.kept import KEPT
from redcross.keyset import paginate
from redcross.models import ApprovedModel, ClosedPeriod, every, standing
from redcross.money import to_money
from redcross.params import chapter_code_param

from .base import AccessMixin, add_service_errors
from .corrections import correction_context

__all__ = ["AccessMixin", "add_service_errors"]  # where the apps' views have always found them


class ChapterPageMixin(AccessMixin):
    """A page about one chapter: ``?chapter=CODE`` among those the user reads, else their own."""

    def get_chapter(self):
        code = chapter_code_param(self.request.GET.get("chapter"))
        if code is None:
            return self.access.home_chapter
        chapter = self.access.readable_chapters().filter(code=code).first()
        if chapter is None:
            raise Http404
        return chapter


class RecordListView(AccessMixin, ListView):
    """A filtered, paginated list of the records the user may read, with a totals line.

    The totals cover the whole filtered set, not only the page shown, and of it only what
    stands: an accounting record voided or waiting for approval is listed (and marked) but
    counts in no total.
    """

    filterset_class = None
    paginate_by = settings.LIST_PAGE_SIZE
    # The export (``redcross.exports.EXPORTS``) behind the page's "导出Excel" button.
    export_key = None

    def get_base_queryset(self):
        return every(self.model).visible_to(self.access)

    def get_queryset(self):
        self.filterset = self.filterset_class(
            self.request.GET or None, queryset=self.get_base_queryset(), request=self.request
        )
        if self.filterset.is_bound and not self.filterset.is_valid():
            return self.filterset.queryset.none()
        return self.filterset.qs

    def get_totals(self, queryset):
        """The totals line for ``queryset``: whatever the app's selector sums."""
        return None

    def get_row_count(self):
        """How many rows the list holds under its filters, when it is known without counting them
        (from kept totals); None: the pages say nothing of the whole."""
        figures = self.kept_figures()
        return None if figures is None else figures["rows"]

    def kept_figures(self):
        """The list's figures from its kind's kept daily totals (``redcross.kept``), one query:
        None when the kind keeps none or the list is filtered by what they do not hold (then its
        records are summed)."""
        if not hasattr(self, "_kept_figures"):
            self._kept_figures = None
            totals = KEPT.get(self.model)
            if totals is not None and (not self.filterset.is_bound or self.filterset.is_valid()):
                rows = totals.rows_for(self.filterset)
                if rows is not None:
                    self._kept_figures = totals.figures(rows)
        return self._kept_figures

    def get_pending_totals(self):
        """Count and amount of what waits for approval (counted in no total): its own line."""
        figures = self.kept_figures()
        if figures is None:
            return pending_totals(self.object_list)
        if not issubclass(self.model, ApprovedModel):
            return None
        pending = figures["pending"]
        amount = sum((pending[name] for name in self.model.correction_amounts), Decimal(0))
        return {"count": pending["count"], "amount": to_money(amount)}

    def paginate_queryset(self, queryset, page_size):
        """Pages sought through the list's index (``redcross.keyset``): a page costs the same
        whichever it is, and nothing is counted."""
        paginator, page = paginate(queryset, page_size, self.request.GET, count=self.get_row_count())
        if getattr(paginator, "keyset", False):
            paginated = page.has_next or page.has_previous
        else:
            paginated = paginator.num_pages > 1
        return paginator, page, page.object_list, paginated

    def filtered_by_status(self):
        form = self.filterset.form
        if "status" not in form.fields or not self.filterset.is_bound or not form.is_valid():
            return None
        return form.cleaned_data.get("status") or None

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["filterset"] = self.filterset
        context["totals"] = self.get_totals(standing(self.object_list))
        # What waits for approval counts in no total: it gets a line of its own.
        context["pending_totals"] = self.get_pending_totals()
        context["only_pending"] = self.filtered_by_status() == RecordStatus.PENDING
        context["export_key"] = self.export_key
        return context


class RecordDetailView(AccessMixin, DetailView):
    """One record; a record of a chapter outside the user's reach is refused with 403."""

    def get_object(self, queryset=None):
        obj = super().get_object(queryset)
        self.access.require_read(obj.chapter)
        return obj

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["can_correct"] = self.access.can_write(self.object.chapter)
        context["can_administer"] = self.access.can_administer(self.object.chapter)
        context["history"] = record_history(self.object, self.access)
        context.update(correction_context(self.object, self.access))
        if getattr(self.object, "is_void", False) or getattr(self.object, "is_reversal", False):
            context["can_correct"] = False
        return context


class RecordFormView(AccessMixin, FormView):
    """Creates a record, or corrects ``self.object``, through the app's service.

    Subclasses set ``model`` (for correcting) and implement ``perform(form)`` to call the
    service and return the saved record (a view on a parent returns the parent, and sets
    ``self.saved`` to the record made). A create view naming ``continue_keeps`` offers
    "保存并继续登记": the record is saved, and the form comes back empty but for those fields
    (the date, the category …), with a message naming what was saved. Only users who may write
    the record's chapter get here; with ``administered`` only its administrators. A view with
    ``parent_model`` works on a record that belongs to another (a certificate of a session, an
    audit of a project): the parent's chapter decides, and it is ``self.parent``.
    """

    model = None
    parent_model = None
    administered = False
    template_name = "generic/record_form.html"
    title = None
    success_message = _("已保存")
    # The fields "保存并继续登记" keeps for the next record; None: a form for one record only.
    continue_keeps = None

    def dispatch(self, request, *args, **kwargs):
        self.object = self.parent = None
        if self.parent_model is not None:
            self.parent = get_object_or_404(
                self.parent_model.objects.select_related("chapter"), pk=kwargs["parent_pk"]
            )
            self.require(self.parent.chapter)
        if "pk" in kwargs:
            self.object = get_object_or_404(every(self.model).select_related("chapter"), pk=kwargs["pk"])
            self.require(self.object.chapter)
            if getattr(self.object, "is_void", False):
                raise PermissionDenied(_("该记录已作废，不能更正"))
            closed = closed_period_of(self.object)
            if closed is not None:
                # Said before the form is filled in, not on saving it.
                raise PermissionDenied(closed.refusal(self.model._meta.verbose_name))
        elif self.parent is None:
            self.require(None)
        return super().dispatch(request, *args, **kwargs)

    def require(self, chapter):
        if chapter is not None:
            self.access.require_read(chapter)
        if self.administered:
            self.access.require_administer(chapter)
        else:
            self.access.require_write(chapter)

    def form_chapters(self):
        """The chapters a new record may belong to."""
        if self.parent is not None:
            return [self.parent.chapter]
        if self.administered:
            return self.access.administered_chapters()
        return self.access.writable_chapters()

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs.update(access=self.access, instance=self.object, chapters=self.form_chapters())
        if self.can_continue and self.request.method == "GET":
            kept = self.request.session.pop(self.continue_session_key(), None)
            if isinstance(kept, dict):
                kwargs["initial"] = {**kwargs.get("initial", {}), **kept}
        return kwargs

    @property
    def can_continue(self):
        return self.continue_keeps is not None and self.object is None

    def continue_session_key(self):
        return f"continue:{self.request.path}"

    def get_title(self):
        return self.title

    def get_cancel_url(self):
        if self.object is not None:
            return self.object.get_absolute_url()
        if self.parent is not None:
            return self.parent.get_absolute_url()
        return None

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            object=self.object,
            parent=self.parent,
            title=self.get_title(),
            cancel_url=self.get_cancel_url(),
            can_continue=self.can_continue,
        )
        return context

    def perform(self, form):
        raise NotImplementedError

    def get_success_url(self):
        return self.object.get_absolute_url()

    def form_valid(self, form):
        continuing = self.can_continue and "continue" in self.request.POST
        self.saved = None
        try:
            with transaction.atomic():
                if self.object is not None and "version" in form.fields:
                    self.check_version(form)
                self.object = self.perform(form)
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        if continuing:
            return self.continue_entry(form, self.saved or self.object)
        if getattr(self.object, "is_pending", False):
            # Above the chapter's threshold: not done yet, sent to its leaders (four eyes).
            messages.info(self.request, sent_for_approval_message(self.object))
        else:
            messages.success(self.request, self.success_message)
        return redirect(self.get_success_url())

    def continue_entry(self, form, saved):
        """After "保存并继续登记": the same form again, empty but for the fields kept, and a message
        naming the record saved."""
        kept = {}
        for name in ("chapter", *self.continue_keeps):
            value = form.cleaned_data.get(name)
            if value is None or value == "":
                continue
            if hasattr(value, "pk"):
                value = value.pk
            elif hasattr(value, "isoformat"):
                value = value.isoformat()
            kept[name] = value
        self.request.session[self.continue_session_key()] = kept
        messages.success(
            self.request,
            _("已保存%(kind)s：%(record)s。请继续登记下一条。")
            % {"kind": saved._meta.verbose_name, "record": saved},
        )
        if getattr(saved, "is_pending", False):
            messages.info(self.request, sent_for_approval_message(saved))
        return redirect(self.request.path)

    def check_version(self, form):
        """Refuses a correction made from an older version of the record than the one now held,
        saying who changed it since and which of the form's fields now read differently."""
        current = (
            every(type(self.object))
            .select_for_update(of=("self",))
            .select_related("updated_by")
            .get(pk=self.object.pk)
        )
        shown = form.cleaned_data.get("version")
        if shown is None or shown == current.version:
            return
        now = form.initial_from(current)
        changed = []
        for name, field in form.fields.items():
            if name in ("version", "chapter") or name not in now:
                continue
            value = now[name]
            if _differs(value, form.cleaned_data.get(name)):
                changed.append(f"{field.label}：{_shown(field, value)}")
        form.data = form.data.copy()
        form.data["version"] = current.version  # so that saving again, having read this, goes through
        raise ValidationError(
            _("此记录已在您打开后被%(who)s于%(when)s修改（第%(old)s版 → 第%(new)s版），未保存您的修改。"
              "请核对后重新提交。现在的值：%(changed)s")
            % {
                "who": current.updated_by or _("他人"),
                "when": timezone.localtime(current.updated_at).strftime("%Y-%m-%d %H:%M"),
                "old": shown,
                "new": current.version,
                "changed": "；".join(changed) or _("（本页字段未变）"),
            }
        )  # fmt: skip


def closed_period_of(record):
    """The closed period holding ``record`` (None when open, or when no period governs it)."""
    field = getattr(record, "closing_date_field", None)
    if field is None:
        return None
    return ClosedPeriod.covering(record.chapter_id, getattr(record, field))


def _differs(stored, submitted):
    if hasattr(submitted, "pk"):
        submitted = submitted.pk
    if stored in (None, "") and submitted in (None, ""):
        return False
    try:
        return Decimal(str(stored)) != Decimal(str(submitted))
    except (ArithmeticError, ValueError):
        return str(stored) != str(submitted)


def _shown(field, value):
    choices = getattr(field, "choices", None)
    if choices is not None and not isinstance(value, bool):
        for key, label in choices:
            if str(getattr(key, "value", key)) == str(value):
                return str(label)
    if value in (None, ""):
        return "—"
    return str(value)
