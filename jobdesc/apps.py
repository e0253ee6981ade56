"""Project-level app configs."""

from django.contrib.admin.apps import AdminConfig
from django.contrib.staticfiles.apps import StaticFilesConfig


class JobdescAdminConfig(AdminConfig):
    """The admin app with our site (positions.adminsite.JobdescAdminSite)."""

    default_site = "positions.adminsite.JobdescAdminSite"


class JobdescStaticFilesConfig(StaticFilesConfig):
    """Static files, without the npm packages' files no page links.

    `collectstatic` skips Bootstrap's unminified, right-to-left, ESM and partial builds (grid,
    reboot, utilities) and the icon font's sources; pages use bootstrap.min.css,
    bootstrap.bundle.min.js and bootstrap-icons.min.css. That leaves a third of the files for
    WhiteNoise to hash and compress at each upgrade. (The finders of `runserver` are not
    affected.)
    """

    ignore_patterns = [
        *StaticFilesConfig.ignore_patterns,
        "bootstrap.css",
        "bootstrap.css.map",
        "bootstrap.js*",
        "bootstrap.min.js*",
        "bootstrap.esm*",
        "bootstrap.bundle.js*",
        "bootstrap.rtl*",
        "bootstrap-grid*",
        "bootstrap-reboot*",
        "bootstrap-utilities*",
        "bootstrap-icons.css",
        "bootstrap-icons.json",
        "bootstrap-icons.scss",
    ]
