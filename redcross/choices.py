from django.db import models
from django.utils.translation import gettext_lazy as _


class ChapterLevel(models.TextChoices):
    NATIONAL = "national", _("总会")
    PROVINCE = "province", _("省级")
    CITY = "city", _("市级")
    COUNTY = "county", _("县级")


class Role(models.TextChoices):
    STAFF = "staff", _("工作人员")
    LEADER = "leader", _("领导")
    AUDITOR = "auditor", _("审计")
    ADMIN = "admin", _("系统管理员")


# Roles that create and correct records of their own chapter.
WRITING_ROLES = frozenset({Role.STAFF, Role.ADMIN})
# Roles that see personal data (full ID and phone numbers) of their own chapter's records.
PERSONAL_DATA_ROLES = frozenset({Role.STAFF, Role.ADMIN})
# Roles that approve spending above their chapter's threshold (never what they entered).
APPROVING_ROLES = frozenset({Role.LEADER, Role.ADMIN})
# Roles that draft the work reports of their own chapter (leaders also publish them).
REPORT_EDITING_ROLES = frozenset({Role.STAFF, Role.LEADER, Role.ADMIN})
# Roles that publish their own chapter's work reports.
REPORT_PUBLISHING_ROLES = frozenset({Role.LEADER})
# Roles that close a month, half-year or year of their own chapter (结账; administrators reopen).
PERIOD_CLOSING_ROLES = frozenset({Role.LEADER})


class ExportStatus(models.TextChoices):
    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("正在导出")
    DONE = "done", _("已完成")
    FAILED = "failed", _("失败")


class ImportStatus(models.TextChoices):
    PREVIEW = "preview", _("待确认")
    DONE = "done", _("已导入")
    UNDONE = "undone", _("已撤销")


class ImportJob(models.TextChoices):
    """What the task worker is doing with a batch too large to check or import in the request."""

    NONE = "", _("无")
    CHECK = "check", _("正在检查")
    IMPORT = "import", _("正在导入")
    UNDO = "undo", _("正在撤销")
    FAILED = "failed", _("未能完成")


class ChangeAction(models.TextChoices):
    INSERT = "insert", _("新增")
    UPDATE = "update", _("修改")
    DELETE = "delete", _("删除")


class RecordStatus(models.TextChoices):
    STANDING = "standing", _("有效")
    VOIDED = "voided", _("已作废")
    PENDING = "pending", _("待审批")
    REVERSAL = "reversal", _("冲销")


class PeriodKind(models.TextChoices):
    MONTH = "month", _("月")
    HALF = "half", _("半年")
    YEAR = "year", _("年")
