"""The admin site: reached by HR editors and superusers, as positions.permissions decides.

Django's default site admits ``is_staff`` users; ours asks ``permissions.can_use_admin`` so the
HR 编辑 group alone opens it. A visitor is sent to our own login page; a signed-in person
without admin rights gets a 403 page saying so (Django would show them a login form).
"""

from collections.abc import Callable
from functools import wraps

from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from positions import permissions

NO_ADMIN_ACCESS = "您没有访问管理后台的权限。"


class JobdescAdminSite(admin.AdminSite):
    site_header = "jobdesc 职位说明书管理"
    site_title = "jobdesc 管理后台"
    index_title = "数据管理"

    def has_permission(self, request: HttpRequest) -> bool:
        return permissions.can_use_admin(request.user)

    def _refuse_signed_in(self, request: HttpRequest) -> None:
        """A signed-in person without admin rights: 403 (a login form would not help)."""
        if request.user.is_authenticated and not self.has_permission(request):
            raise PermissionDenied(NO_ADMIN_ACCESS)

    def admin_view(self, view: Callable, cacheable: bool = False) -> Callable:
        guarded = super().admin_view(view, cacheable)

        @wraps(guarded)
        def inner(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            self._refuse_signed_in(request)
            return guarded(request, *args, **kwargs)

        return inner

    def login(self, request: HttpRequest, extra_context: dict | None = None) -> HttpResponse:
        self._refuse_signed_in(request)
        return redirect_to_login(request.GET.get("next") or request.get_full_path())
