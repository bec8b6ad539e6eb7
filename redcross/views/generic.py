"""The views every app's records use: one list (filter, paginate, totals), detail, and form.

An app's view names its model, FilterSet, template and service; access rules, 403s and error
handling live here once.
"""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext_lazy as _
from django.views.generic import DetailView, FormView, ListView

from redcross.access import access_for


class AccessMixin:
    """Gives a view the rights of the requesting user as ``self.access``."""

    @property
    def access(self):
        return access_for(self.request)


class ChapterPageMixin(AccessMixin):
    """A page about one chapter: ``?chapter=CODE`` among those the user reads, else their own."""

    def get_chapter(self):
        code = self.request.GET.get("chapter")
        if not code:
            return self.access.home_chapter
        chapter = self.access.readable_chapters().filter(code=code).first()
        if chapter is None:
            raise Http404
        return chapter


class RecordListView(AccessMixin, ListView):
    """A filtered, paginated list of the records the user may read, with a totals line.

    The totals cover the whole filtered set, not only the page shown.
    """

    filterset_class = None
    paginate_by = settings.LIST_PAGE_SIZE
    # The export (``redcross.exports.EXPORTS``) behind the page's "导出Excel" button.
    export_key = None

    def get_base_queryset(self):
        return self.model.objects.visible_to(self.access)

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

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["filterset"] = self.filterset
        context["totals"] = self.get_totals(self.object_list)
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
        return context


def add_service_errors(form, error):
    """Puts a service's ValidationError next to the form fields it names."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


class RecordFormView(AccessMixin, FormView):
    """Creates a record, or corrects ``self.object``, through the app's service.

    Subclasses set ``model`` (for correcting) and implement ``perform(form)`` to call the
    service and return the saved record. Only users who may write the record's chapter get here;
    with ``administered`` only its administrators. A view with ``parent_model`` works on a record
    that belongs to another (a certificate of a session, an audit of a project): the parent's
    chapter decides, and it is ``self.parent``.
    """

    model = None
    parent_model = None
    administered = False
    template_name = "generic/record_form.html"
    title = None
    success_message = _("已保存")

    def dispatch(self, request, *args, **kwargs):
        self.object = self.parent = None
        if self.parent_model is not None:
            self.parent = get_object_or_404(
                self.parent_model.objects.select_related("chapter"), pk=kwargs["parent_pk"]
            )
            self.require(self.parent.chapter)
        if "pk" in kwargs:
            self.object = get_object_or_404(self.model.objects.select_related("chapter"), pk=kwargs["pk"])
            self.require(self.object.chapter)
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
        return kwargs

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
            object=self.object, parent=self.parent, title=self.get_title(), cancel_url=self.get_cancel_url()
        )
        return context

    def perform(self, form):
        raise NotImplementedError

    def get_success_url(self):
        return self.object.get_absolute_url()

    def form_valid(self, form):
        try:
            self.object = self.perform(form)
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, self.success_message)
        return redirect(self.get_success_url())
