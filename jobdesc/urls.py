"""Root URL configuration."""

from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from positions.views import accounts as account_views

urlpatterns = [
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(extra_context={"hr_contact": settings.HR_CONTACT}),
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
    path("", include("positions.urls")),
]
