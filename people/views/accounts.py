"""The signed-in person's own pages: 我的职位, password change, logout; the login lockout page."""

from __future__ import annotations

from axes.helpers import get_client_username, get_cool_off, get_failure_limit
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache

from people.forms.accounts import KeepNewPasswordChangeForm, LoginForm
from people.services import accounts
from positions.services import reading


def my_position(request: HttpRequest) -> HttpResponse:
    page = accounts.my_position(request.user)
    context = {"me": page, "sheet": page.sheet}
    if page.sheet is not None:  # the version shown is the one in force
        version_id = page.version.pk if page.version is not None else None
        path = page.sheet.department_path
        context["sheet_html"] = reading.sheet_html(
            page.sheet,
            page.version,
            current_version_id=version_id,
            # The company identity and the 手册 version in force in one query, not two or three.
            state=reading.paper_state(path[-1].pk if path else None)
            if page.version is not None
            else None,
        )
    return render(request, "positions/my_position.html", context)


def login_locked_out(
    request: HttpRequest, original_response: HttpResponse | None, credentials: dict | None
) -> HttpResponse:
    """django-axes' answer to a locked-out login (AXES_LOCKOUT_CALLABLE): our login page again,
    the username kept, the reason in Chinese, status AXES_HTTP_RESPONSE_CODE (429)."""
    username = get_client_username(request, credentials) or ""
    # An unbound form: binding it would authenticate again and count another failure.
    form = AuthenticationForm(request, initial={"username": username})
    message = accounts.lockout_message(
        failure_limit=get_failure_limit(request, credentials),
        cool_off=get_cool_off(request),
    )
    context = {
        "form": form,
        "locked_message": message,
        "hr_contact": settings.HR_CONTACT,
        "next": request.POST.get("next", request.GET.get("next", "")),
    }
    return render(
        request, "registration/login.html", context, status=settings.AXES_HTTP_RESPONSE_CODE
    )


class LoginView(auth_views.LoginView):
    """Django's login; its form also tells when the company directory cannot be reached."""

    authentication_form = LoginForm


@method_decorator(never_cache, name="dispatch")
class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's password change, keeping the new password when only the old one was wrong."""

    form_class = KeepNewPasswordChangeForm


class LogoutView(auth_views.LogoutView):
    """Django's logout (POST only), then the login page says the person has signed out."""

    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        response = super().post(request, *args, **kwargs)
        messages.success(request, "您已安全退出登录。")
        return response
