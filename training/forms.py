import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from redcross import bounds
from redcross.forms import DatalistInput, DateField, RecordForm
from redcross.idnumber import normalize_id_number, validate_id_number
from redcross.rules import add_to_form
from redcross.selectors import township_names

from .models import Instructor, Sector, TrainingKind
from .rules import session_problems


class SessionForm(RecordForm):
    date = DateField(label=_("培训日期"))
    kind = forms.ModelChoiceField(label=_("培训类型"), queryset=TrainingKind.objects.filter(is_active=True))
    title = forms.CharField(label=_("培训名称"), max_length=200)
    venue = forms.CharField(label=_("培训地点"), max_length=200, required=False)
    sector = forms.ModelChoiceField(
        label=_("对象领域"), queryset=Sector.objects.filter(is_active=True), required=False
    )
    hours = forms.DecimalField(
        label=_("学时"), decimal_places=1, min_value=0, required=False, validators=[bounds.validate_hours]
    )
    person_times = forms.IntegerField(
        label=_("参训人次"),
        min_value=1,
        error_messages={"min_value": _("参训人次至少为1")},
        validators=[bounds.validate_person_times],
    )
    certified_count = forms.IntegerField(
        label=_("取证人数"),
        min_value=0,
        initial=0,
        required=False,
        help_text=_("救护员培训、师资培训填写"),
        validators=[bounds.validate_certified],
    )
    instructors = forms.ModelMultipleChoiceField(
        label=_("授课师资"),
        queryset=Instructor.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    remarks = forms.CharField(label=_("备注"), widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["instructors"].queryset = Instructor.objects.filter(chapter__in=self.record_chapters)
        townships = township_names(self.record_chapters)
        if townships:
            # A place may be a school or a hall; the townships are offered, not imposed.
            self.fields["venue"].widget = DatalistInput(options=townships)
            self.fields["venue"].help_text = _("可从本会乡镇名单中选择，也可填写具体地点")

    def initial_from(self, session):
        initial = super().initial_from(session)
        initial["instructors"] = list(session.instructors.values_list("pk", flat=True))
        return initial

    def clean(self):
        data = super().clean()
        add_to_form(
            self,
            session_problems(
                kind=data.get("kind"),
                person_times=data.get("person_times"),
                certified_count=data.get("certified_count"),
            ),
        )
        return data


class CertificateForm(RecordForm):
    trainee_name = forms.CharField(label=_("学员姓名"), max_length=50)
    id_number = forms.CharField(
        label=_("身份证号"), max_length=18, required=False, validators=[validate_id_number]
    )
    phone = forms.CharField(label=_("联系电话"), max_length=30, required=False)
    workplace = forms.CharField(label=_("工作单位"), max_length=200, required=False)
    number = forms.CharField(label=_("证书编号"), max_length=50)
    issued_on = DateField(label=_("发证日期"), required=False, help_text=_("留空按培训日期"))
    expires_on = DateField(label=_("有效期至"), required=False, help_text=_("留空按发证日期起三年"))

    def clean_id_number(self):
        return normalize_id_number(self.cleaned_data["id_number"])


# A pasted line's columns: tab-separated (from Excel), else commas, else spaces.
CLASS_LINE_COLUMNS = _("姓名、身份证号（可空）、证书编号、工作单位（可选）")


def split_line(text):
    """The columns of one pasted line: Excel gives tabs (keeping an empty ID number's place);
    typed lists use commas (，, 、) or spaces."""
    if "\t" in text:
        return [part.strip() for part in text.split("\t")]
    if re.search(r"[,，、]", text):
        return [part.strip() for part in re.split(r"[,，、]", text)]
    return text.split()


class CertificateClassForm(RecordForm):
    """A whole class certified at once: one trainee per line, as pasted."""

    trainees = forms.CharField(
        label=_("学员名单"),
        widget=forms.Textarea(attrs={"rows": 14, "class": "paste", "spellcheck": "false"}),
        help_text=_("每行一人：姓名、身份证号（可空）、证书编号、工作单位（可选）。可从Excel直接复制粘贴，"
                    "也可用逗号或空格分隔；两列时为姓名和证书编号"),
    )  # fmt: skip
    issued_on = DateField(label=_("发证日期"), required=False, help_text=_("留空按培训日期"))
    expires_on = DateField(label=_("有效期至"), required=False, help_text=_("留空按发证日期起三年"))

    def clean_trainees(self):
        """Each line read into a trainee; every faulty line named (第3行：身份证号校验位错误)."""
        trainees, problems, seen = [], [], {}
        for line, text in enumerate(self.cleaned_data["trainees"].splitlines(), start=1):
            if not text.strip():
                continue
            parts = split_line(text)
            while parts and parts[-1] == "" and len(parts) > 3:
                parts.pop()
            if len(parts) == 2:
                parts = [parts[0], "", parts[1]]
            if len(parts) not in (3, 4) or not parts[0] or not parts[2]:
                problems.append(
                    _("第%(line)s行：应为%(columns)s，至少填写姓名和证书编号")
                    % {"line": line, "columns": CLASS_LINE_COLUMNS}
                )
                continue
            name, id_number, number = parts[0], normalize_id_number(parts[1]), parts[2]
            workplace = parts[3] if len(parts) == 4 else ""
            line_problems = []
            if len(name) > 50:
                line_problems.append(_("姓名超过50个字"))
            if id_number:
                try:
                    validate_id_number(id_number)
                except ValidationError as error:
                    # "校验位错误" alone does not say of what, on a line of four columns.
                    checksum = error.error_list[0].code == "id_checksum"
                    line_problems.append(_("身份证号校验位错误") if checksum else error.messages[0])
            if len(number) > 50:
                line_problems.append(_("证书编号超过50个字符"))
            elif number in seen:
                line_problems.append(
                    _("证书编号“%(number)s”与第%(other)s行重复") % {"number": number, "other": seen[number]}
                )
            else:
                seen[number] = line
            if len(workplace) > 200:
                line_problems.append(_("工作单位超过200个字"))
            for problem in line_problems:
                problems.append(_("第%(line)s行：%(problem)s") % {"line": line, "problem": problem})
            trainees.append(
                {
                    "line": line,
                    "trainee_name": name,
                    "id_number": id_number,
                    "number": number,
                    "workplace": workplace,
                }
            )
        if problems:
            raise ValidationError(problems)
        if not trainees:
            raise ValidationError(_("请粘贴学员名单，每行一人"))
        return trainees


class InstructorForm(RecordForm):
    name = forms.CharField(label=_("姓名"), max_length=50)
    phone = forms.CharField(label=_("联系电话"), max_length=30, required=False)
    workplace = forms.CharField(label=_("工作单位"), max_length=200, required=False)
    qualification_number = forms.CharField(label=_("师资证号"), max_length=50, required=False)
    qualified_until = DateField(label=_("资质有效期至"), required=False)


def target_field(label, initial=None):
    """A year's target in person-times (empty or 0: none), bounded like the model's."""
    return forms.IntegerField(
        label=label, min_value=0, required=False, initial=initial, validators=[bounds.validate_target]
    )


class TargetsForm(RecordForm):
    """One field per active training kind: the year's target in person-times (empty: none), for
    ``year`` (which the page's address gives, so it is checked here too)."""

    def __init__(self, *args, targets=None, year=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.year = year
        self.kinds = list(TrainingKind.objects.filter(is_active=True))
        for kind in self.kinds:
            self.fields[f"kind_{kind.pk}"] = target_field(kind.name, (targets or {}).get(kind.pk))

    def clean(self):
        data = super().clean()
        try:
            bounds.validate_target_year(self.year)
        except ValidationError as error:
            raise ValidationError(
                _("%(year)s年：%(problem)s") % {"year": self.year, "problem": error.messages[0]}
            ) from None
        return data

    def targets(self):
        """Kind → person-times as entered (0 for none)."""
        return {kind: self.cleaned_data.get(f"kind_{kind.pk}") or 0 for kind in self.kinds}
