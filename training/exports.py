"""Training sessions, certificates and instructors in Excel."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from redcross.excel import DATE, INTEGER, NUMBER, Column
from redcross.exports import RecordExport

from .filtersets import CertificateFilterSet, InstructorFilterSet, SessionFilterSet
from .models import Certificate, Instructor, Session


class SessionExport(RecordExport):
    key = "sessions"
    title = gettext_lazy("培训明细")
    model = Session
    filterset_class = SessionFilterSet
    columns = [
        Column(gettext_lazy("培训日期"), DATE),
        Column(gettext_lazy("红十字会")),
        Column(gettext_lazy("培训类型")),
        Column(gettext_lazy("培训名称")),
        Column(gettext_lazy("培训地点")),
        Column(gettext_lazy("对象领域")),
        Column(gettext_lazy("学时"), NUMBER),
        Column(gettext_lazy("参训人次"), INTEGER, total=True),
        Column(gettext_lazy("取证人数"), INTEGER, total=True),
        Column(gettext_lazy("备注")),
        Column(gettext_lazy("记录编号"), INTEGER),
    ]

    def rows(self, queryset):
        for row in self.stream(
            queryset,
            "date",
            "chapter__name",
            "kind__name",
            "title",
            "venue",
            "sector__name",
            "hours",
            "person_times",
            "certified_count",
            "remarks",
            "pk",
        ):
            yield (*row[:5], row[5] or "", *row[6:])


class CertificateExport(RecordExport):
    key = "certificates"
    title = gettext_lazy("救护员证书")
    model = Certificate
    filterset_class = CertificateFilterSet
    ordering = ("issued_on", "pk")
    columns = [
        Column(gettext_lazy("学员姓名")),
        Column(gettext_lazy("身份证号")),
        Column(gettext_lazy("联系电话")),
        Column(gettext_lazy("工作单位")),
        Column(gettext_lazy("证书编号")),
        Column(gettext_lazy("发证日期"), DATE),
        Column(gettext_lazy("有效期至"), DATE),
        Column(gettext_lazy("培训")),
        Column(gettext_lazy("红十字会")),
    ]

    def rows(self, queryset):
        id_number, phone = self.personal("id_number"), self.personal("phone")
        for name, number, tel, workplace, cert, issued, expires, session, chapter, chapter_id in self.stream(
            queryset,
            "trainee_name",
            "id_number",
            "phone",
            "workplace",
            "number",
            "issued_on",
            "expires_on",
            "session__title",
            "chapter__name",
            "chapter",
        ):
            shown_number, shown_phone = id_number(chapter_id, number), phone(chapter_id, tel)
            yield (name, shown_number, shown_phone, workplace, cert, issued, expires, session, chapter)

    def period_text(self, filterset):
        return super().period_text(filterset) + _("（按发证日期）")


class InstructorExport(RecordExport):
    key = "instructors"
    title = gettext_lazy("师资名录")
    model = Instructor
    filterset_class = InstructorFilterSet
    ordering = ("name", "pk")
    columns = [
        Column(gettext_lazy("姓名")),
        Column(gettext_lazy("工作单位")),
        Column(gettext_lazy("联系电话")),
        Column(gettext_lazy("师资证号")),
        Column(gettext_lazy("资质有效期至"), DATE),
        Column(gettext_lazy("红十字会")),
    ]

    def rows(self, queryset):
        phone = self.personal("phone")
        fields = ("name", "workplace", "phone", "qualification_number", "qualified_until", "chapter__name")
        for name, workplace, tel, number, until, chapter, chapter_id in self.stream(
            queryset, *fields, "chapter"
        ):
            yield (name, workplace, phone(chapter_id, tel), number, until, chapter)
