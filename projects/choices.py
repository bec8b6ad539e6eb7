from django.db import models
from django.utils.translation import gettext_lazy as _


class ProjectStatus(models.TextChoices):
    """A project's progress; it only moves forward, each step with its date."""

    PLANNED = "planned", _("计划中")
    IN_PROGRESS = "in_progress", _("实施中")
    COMPLETED = "completed", _("已完工")
    AUDITED = "audited", _("已审计")


# The status that follows each one, and the date field the step sets.
NEXT_STATUS = {
    ProjectStatus.PLANNED: (ProjectStatus.IN_PROGRESS, "started_on"),
    ProjectStatus.IN_PROGRESS: (ProjectStatus.COMPLETED, "completed_on"),
    ProjectStatus.COMPLETED: (ProjectStatus.AUDITED, "audited_on"),
}

# The project kinds a new installation starts with (DESIGN.md).
DEFAULT_PROJECT_KINDS = ["博爱家园", "红十字示范校", "应急救护站点", "备灾中心", "灾后重建", "其他项目"]

# Spending categories offered when recording an expenditure (any other may be typed).
EXPENDITURE_CATEGORIES = ["工程建设", "设备物资", "宣传培训", "人员劳务", "管理费用", "其他"]
