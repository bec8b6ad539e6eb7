from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.i18n import set_language

from .views import account, approvals, chapter_admin, exports, history, imports, periods

urlpatterns = [
    path("", include("reports.home_urls")),  # the home page: the dashboard is composed by reports
    # The app's own pages for these two, ahead of Django's (which would show the admin's).
    path("accounts/logout/", account.LogoutView.as_view(), name="logout"),
    path("accounts/password_change/", account.PasswordChangeView.as_view(), name="password_change"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("aid/", include("aid.urls")),
    path("donations/", include("donations.urls")),
    path("goods/", include("goods.urls")),
    path("training/", include("training.urls")),
    path("projects/", include("projects.urls")),
    path("reports/", include("reports.urls")),
    path("disclosure/", include("disclosure.urls")),
    # The public addresses (DESIGN.md, "Contracts"): no login.
    path("public/", include("disclosure.public_urls")),
    path("exports/", exports.ExportListView.as_view(), name="export-list"),
    path("exports/ledgers/", exports.LedgerView.as_view(), name="ledgers"),
    path("exports/new/<slug:key>/", exports.ExportCreateView.as_view(), name="export-create"),
    path("exports/<int:pk>/", exports.ExportDetailView.as_view(), name="export-detail"),
    path("exports/<int:pk>/download/", exports.ExportDownloadView.as_view(), name="export-download"),
    path("history/", history.ChangeListView.as_view(), name="change-list"),
    path("periods/", periods.PeriodListView.as_view(), name="periods"),
    path("approvals/", approvals.WaitingListView.as_view(), name="approvals"),
    path("imports/", imports.ImportListView.as_view(), name="import-list"),
    path("imports/new/", imports.ImportUploadView.as_view(), name="import-upload"),
    path("imports/template/", imports.ImportTemplateView.as_view(), name="import-template"),
    path("imports/<int:pk>/", imports.ImportDetailView.as_view(), name="import-detail"),
    path("imports/<int:pk>/confirm/", imports.ImportConfirmView.as_view(), name="import-confirm"),
    path("imports/<int:pk>/undo/", imports.ImportUndoView.as_view(), name="import-undo"),
    path("imports/<int:pk>/marked/", imports.ImportMarkedView.as_view(), name="import-marked"),
    path("chapter/", chapter_admin.ChapterAdminHomeView.as_view(), name="chapter-admin"),
    path("chapter/categories/", chapter_admin.CategoryListView.as_view(), name="chapter-categories"),
    path("chapter/<str:code>/users/", chapter_admin.MemberListView.as_view(), name="chapter-members"),
    path(
        "chapter/<str:code>/users/new/",
        chapter_admin.MemberCreateView.as_view(),
        name="chapter-member-create",
    ),
    path(
        "chapter/<str:code>/users/<int:user_id>/",
        chapter_admin.MemberDetailView.as_view(),
        name="chapter-member",
    ),
    path(
        "chapter/<str:code>/townships/",
        chapter_admin.TownshipListView.as_view(),
        name="chapter-townships",
    ),
    path("admin/", admin.site.urls),
]

handler400 = "redcross.views.errors.bad_request"
