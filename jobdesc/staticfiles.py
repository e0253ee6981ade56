"""The static files finder: STATICFILES_DIRS without the npm packages' files no page links."""

from django.contrib.staticfiles.finders import FileSystemFinder

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


class ProjectFilesFinder(FileSystemFinder):
    """Django's finder of STATICFILES_DIRS, whose listing (what `collectstatic` copies) leaves
    out UNUSED_VENDOR_FILES: a third of the files for WhiteNoise to hash and compress at each
    upgrade. Finding one file by name (runserver, the PDF fetcher) is unchanged."""

    def list(self, ignore_patterns):
        return super().list([*(ignore_patterns or []), *UNUSED_VENDOR_FILES])
