"""Root URL configuration."""

from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from audit import urls as audit_urls
from orgchart import urls as orgchart_urls
from people import urls as people_urls
from people.views import accounts as account_views
from positions import urls as positions_urls
from printing import urls as printing_urls
from search import urls as search_urls
from transfer import urls as transfer_urls

# Every area's pages under the one ``positions`` namespace: URL names do not depend on which app
# serves them (``positions:position-pdf`` is printing's, ``positions:org-chart`` the org chart's).
PAGES = (
    positions_urls.urlpatterns
    + people_urls.urlpatterns
    + printing_urls.urlpatterns
    + transfer_urls.urlpatterns
    + orgchart_urls.urlpatterns
    + search_urls.urlpatterns
    + audit_urls.urlpatterns
)

urlpatterns = [
    path(
        "accounts/login/",
        account_views.LoginView.as_view(extra_context={"hr_contact": settings.HR_CONTACT}),
        name="login",
    ),
    path("accounts/logout/", account_views.LogoutView.as_view(), name="logout"),
    path(
        "accounts/password/",
        account_views.PasswordChangeView.as_view(),
        name="password_change",
    ),
    path(
        "accounts/password/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("admin/", admin.site.urls),
    path("", include((PAGES, "positions"))),
    # The REST API, its docs and the API 令牌 page: the api app's own namespace.
    path("", include("api.urls")),
    # 通知设置 and 通知记录 (notifications/).
    path("", include("notifications.urls")),
    # 组织诊断 (diagnosis/).
    path("", include("diagnosis.urls")),
    # 权责手册 (rights/): the authority matrix, its workflow and versions.
    path("", include("rights.urls")),
]

# The error pages in Chinese (jobdesc/errors.py); the 500 page is Django's server_error with
# templates/500.html, which needs neither the database nor the user.
handler400 = "jobdesc.errors.bad_request"
handler403 = "jobdesc.errors.permission_denied"
handler404 = "jobdesc.errors.page_not_found"
