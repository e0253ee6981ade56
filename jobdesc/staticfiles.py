"""The static files finders: STATICFILES_DIRS and the apps' static folders, without the files no
page links (what `collectstatic` copies, hashes and compresses at each upgrade)."""

from django.contrib.staticfiles.finders import AppDirectoriesFinder, FileSystemFinder

# Bootstrap's unminified, right-to-left, ESM and partial builds (grid, reboot, utilities) and the
# icon font's sources. Pages link bootstrap.min.css, bootstrap.bundle.min.js and
# bootstrap-icons.min.css (with their source maps and the font files).
UNUSED_VENDOR_FILES = [
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

# The installed apps' static files no page uses: Django REST framework's browsable API (the API
# renders JSON only: REST_FRAMEWORK["DEFAULT_RENDERER_CLASSES"]) and drf-spectacular-sidecar's
# ReDoc bundle (the docs page is Swagger UI, api/views/docs.py). ReDoc alone is 5 MB to compress.
UNUSED_APP_FILES = [
    "rest_framework",
    "drf_spectacular_sidecar/redoc/*",  # a folder matches by its name alone, a file by its path
]


class ProjectFilesFinder(FileSystemFinder):
    """Django's finder of STATICFILES_DIRS, whose listing (what `collectstatic` copies) leaves
    out UNUSED_VENDOR_FILES: a third of the files for WhiteNoise to hash and compress at each
    upgrade. Finding one file by name (runserver, the PDF fetcher) is unchanged."""

    def list(self, ignore_patterns):
        return super().list([*(ignore_patterns or []), *UNUSED_VENDOR_FILES])


class ProjectAppDirectoriesFinder(AppDirectoriesFinder):
    """Django's finder of the apps' static folders, whose listing leaves out UNUSED_APP_FILES.
    Finding one file by name is unchanged."""

    def list(self, ignore_patterns):
        return super().list([*(ignore_patterns or []), *UNUSED_APP_FILES])
