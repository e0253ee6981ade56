"""The OpenAPI 3 schema and the docs page (Swagger UI from drf-spectacular-sidecar, served
from our static files: no CDN; its start-up script is a file of its own, not inline)."""

from __future__ import annotations

from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.decorators import (
    api_view,
    authentication_classes,
    permission_classes,
    schema,
    throttle_classes,
)
from rest_framework.exceptions import NotFound
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response


class SchemaView(SpectacularAPIView):
    pass


@api_view(["GET", "POST", "PUT", "PATCH", "DELETE"])
@authentication_classes([])
@permission_classes([AllowAny])
@throttle_classes([])
@schema(None)
def not_found(request: Request, rest: str = "") -> Response:
    """Any other address under /api/: a JSON 404 (never the HTML error page)."""
    raise NotFound("未找到该接口或对象，请查阅 API 文档。")


class DocsView(SpectacularSwaggerSplitView):
    url_name = "api:schema"
    title = "jobdesc API 文档"
    template_name = "api/swagger_ui.html"

    @classmethod
    def as_view(cls, **initkwargs):
        # A page for people: a visitor is sent to the login page (LoginRequiredMiddleware),
        # where DRF would answer 401 JSON.
        view = super().as_view(**initkwargs)
        view.login_required = True
        return view
