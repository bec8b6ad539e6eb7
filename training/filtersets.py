import datetime

import django_filters
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from redcross.filters import ChapterFilterSet, ChapterRecordFilterSet

from .models import Certificate, Instructor, Sector, Session, TrainingKind

EXPIRY_CHOICES = [
    ("30", _("30天内到期")),
    ("90", _("90天内到期")),
    ("180", _("180天内到期")),
    ("expired", _("已过期")),
    ("valid", _("有效")),
]


class SessionFilterSet(ChapterRecordFilterSet):
    kind = django_filters.ModelChoiceFilter(label=_("培训类型"), queryset=TrainingKind.objects.all())
    sector = django_filters.ModelChoiceFilter(label=_("对象领域"), queryset=Sector.objects.all())
    q = django_filters.CharFilter(label=_("培训名称或地点"), method="filter_text")

    class Meta:
        model = Session
        fields = ["date", "chapter", "kind", "sector", "q"]

    def filter_text(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(Q(title__icontains=value) | Q(venue__icontains=value))


def filter_expiry(queryset, field, value):
    today = timezone.localdate()
    if value == "expired":
        return queryset.filter(**{f"{field}__lt": today})
    if value == "valid":
        return queryset.filter(**{f"{field}__gte": today})
    return queryset.filter(
        **{f"{field}__gte": today, f"{field}__lte": today + datetime.timedelta(days=int(value))}
    )


class CertificateFilterSet(ChapterRecordFilterSet):
    expiry = django_filters.ChoiceFilter(label=_("有效期"), choices=EXPIRY_CHOICES, method="filter_expiry")
    session = django_filters.ModelChoiceFilter(label=_("培训"), queryset=None)
    q = django_filters.CharFilter(label=_("姓名、证书编号或单位"), method="filter_text")

    class Meta:
        model = Certificate
        fields = ["date", "chapter", "expiry", "session", "q"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["session"].queryset = Session.objects.visible_to(self.access).filter(
            kind__certifies=True
        )

    def filter_expiry(self, queryset, name, value):
        return filter_expiry(queryset, "expires_on", value)

    def filter_text(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(
            Q(trainee_name__icontains=value) | Q(number__icontains=value) | Q(workplace__icontains=value)
        )


class InstructorFilterSet(ChapterFilterSet):
    expiry = django_filters.ChoiceFilter(
        label=_("资质有效期"), choices=EXPIRY_CHOICES, method="filter_expiry"
    )
    q = django_filters.CharFilter(label=_("姓名或单位"), method="filter_text")

    class Meta:
        model = Instructor
        fields = ["chapter", "expiry", "q"]

    def filter_expiry(self, queryset, name, value):
        return filter_expiry(queryset, "qualified_until", value)

    def filter_text(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(Q(name__icontains=value) | Q(workplace__icontains=value))
