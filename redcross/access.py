"""Who may read and write which chapter's records.

A user reads the records of every chapter they hold a role in and of all chapters below it;
staff and administrators also create and correct records of the chapter they hold that role in
(not of the chapters below). Nobody sees another branch of the tree.
"""

from functools import cached_property

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db.models import Q

from .choices import (
    APPROVING_ROLES,
    PERIOD_CLOSING_ROLES,
    PERSONAL_DATA_ROLES,
    REPORT_EDITING_ROLES,
    REPORT_PUBLISHING_ROLES,
    WRITING_ROLES,
    Role,
)
from .models import Chapter, Membership


class Access:
    """The rights of one user, read once per request."""

    def __init__(self, user):
        self.user = user

    @cached_property
    def memberships(self):
        if not self.user.is_authenticated:
            return []
        return list(Membership.objects.filter(user=self.user).select_related("chapter"))

    @property
    def chapters(self):
        """The chapters the user holds a role in."""
        return [m.chapter for m in self.memberships]

    @property
    def home_chapter(self):
        """The chapter shown first: the highest one the user holds a role in."""
        chapters = sorted(self.chapters, key=lambda c: (c.path.count("/"), c.path))
        return chapters[0] if chapters else None

    def readable_q(self, path_field="path"):
        """A filter for rows whose chapter path (``path_field``) the user may read."""
        q = Q(pk__in=[])
        for chapter in self.chapters:
            q |= Q(**{f"{path_field}__startswith": chapter.path})
        return q

    def readable_chapters(self):
        return Chapter.objects.filter(self.readable_q())

    def can_read(self, chapter):
        return any(chapter.is_within(c) for c in self.chapters)

    def writable_chapters(self):
        return [m.chapter for m in self.memberships if m.role in WRITING_ROLES]

    def can_write(self, chapter=None):
        """Whether the user may write records of ``chapter`` (of any chapter when None)."""
        return any(chapter is None or c.pk == chapter.pk for c in self.writable_chapters())

    def can_administer(self, chapter=None):
        """Whether the user administers ``chapter`` (any chapter when None): funds, categories, users."""
        return any(
            m.role == Role.ADMIN and (chapter is None or m.chapter_id == chapter.pk) for m in self.memberships
        )

    def administered_chapters(self):
        return [m.chapter for m in self.memberships if m.role == Role.ADMIN]

    def can_approve(self, chapter):
        """Leaders and administrators of ``chapter`` approve its spending above the threshold
        (``redcross.corrections``: never what they entered themselves)."""
        return any(m.role in APPROVING_ROLES and m.chapter_id == chapter.pk for m in self.memberships)

    def can_approve_any(self):
        """Whether the user approves spending of any chapter (the list of what waits is theirs)."""
        return any(m.role in APPROVING_ROLES for m in self.memberships)

    def approving_chapters(self):
        return [m.chapter for m in self.memberships if m.role in APPROVING_ROLES]

    def can_edit_reports(self, chapter):
        """Staff, leaders and administrators of ``chapter`` draft its work reports."""
        return any(m.role in REPORT_EDITING_ROLES and m.chapter_id == chapter.pk for m in self.memberships)

    def can_publish_reports(self, chapter):
        """Only the chapter's leadership publish its work reports."""
        return any(m.role in REPORT_PUBLISHING_ROLES and m.chapter_id == chapter.pk for m in self.memberships)

    def can_close_periods(self, chapter=None):
        """The chapter's leadership close its months, half-years and years (结账); a right of its
        own, not publishing's, though today the same role holds both. Of any chapter when None."""
        return any(
            m.role in PERIOD_CLOSING_ROLES and (chapter is None or m.chapter_id == chapter.pk)
            for m in self.memberships
        )

    def is_staff_only(self):
        """Whether every role the user holds is 工作人员 (staff): who enter the records, and
        start from what they entered rather than from the leaders' figures."""
        return bool(self.memberships) and all(m.role == Role.STAFF for m in self.memberships)

    def can_see_personal_data(self, chapter_id):
        """Whether the user sees full ID and phone numbers of records of chapter ``chapter_id``."""
        return any(m.role in PERSONAL_DATA_ROLES and m.chapter_id == chapter_id for m in self.memberships)

    def require_read(self, chapter):
        if not self.can_read(chapter):
            raise PermissionDenied

    def require_write(self, chapter=None):
        if not self.can_write(chapter):
            raise PermissionDenied

    def require_administer(self, chapter=None):
        if not self.can_administer(chapter):
            raise PermissionDenied


class CommandAccess(Access):
    """The rights of a command run by the operator of the server (``export_ledger``): read one
    chapter and those below it, as an auditor would; write nothing; personal data masked."""

    def __init__(self, chapter):
        super().__init__(user=None)
        self.chapter = chapter

    @cached_property
    def memberships(self):
        return [Membership(chapter=self.chapter, role=Role.AUDITOR)]


def access_for(request):
    """The request's Access, built once and kept on the request."""
    if not hasattr(request, "_access"):
        # A request refused before authentication (a forged Host header: the 400 page) has no user.
        request._access = Access(getattr(request, "user", None) or AnonymousUser())
    return request._access
