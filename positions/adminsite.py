"""The admin site: reached by HR editors and superusers, as positions.permissions decides.

Django's default site admits ``is_staff`` users; ours asks ``permissions.can_use_admin`` so the
HR 编辑 group alone opens it, and sends logins to our own login page.
"""

from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse

from positions import permissions


class JobdescAdminSite(admin.AdminSite):
    site_header = "jobdesc 职位说明书管理"
    site_title = "jobdesc 管理后台"
    index_title = "数据管理"

    def has_permission(self, request: HttpRequest) -> bool:
        return permissions.can_use_admin(request.user)

    def login(self, request: HttpRequest, extra_context: dict | None = None) -> HttpResponse:
        return redirect_to_login(request.GET.get("next") or request.get_full_path())
