"""Project-level app configs."""

from django.contrib.admin.apps import AdminConfig


class JobdescAdminConfig(AdminConfig):
    """The admin app with our site (positions.adminsite.JobdescAdminSite)."""

    default_site = "positions.adminsite.JobdescAdminSite"
