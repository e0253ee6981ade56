"""The OpenAPI 3 schema and the docs page (Swagger UI from drf-spectacular-sidecar, served
from our static files: no CDN; its start-up script is a file of its own, not inline)."""

from __future__ import annotations

from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView


class SchemaView(SpectacularAPIView):
    pass


class DocsView(SpectacularSwaggerSplitView):
    url_name = "api:schema"
    title = "jobdesc API 文档"

    @classmethod
    def as_view(cls, **initkwargs):
        # A page for people: a visitor is sent to the login page (LoginRequiredMiddleware),
        # where DRF would answer 401 JSON.
        view = super().as_view(**initkwargs)
        view.login_required = True
        return view
