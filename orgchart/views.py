"""The org chart (组织架构图) pages and their SVG and PDF downloads.

Three starting points — the whole organisation, a position, a department — each as a page
(``…/``), a standalone SVG (``…/chart.svg``) and a PDF (``…/chart.pdf``). What the chart holds
is ``orgchart.services``'s business; these views only read the query string
(``depth``, ``expand``, ``collapse``), pick the service and the output.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import patch_vary_headers

from orgchart import services as orgchart
from orgchart.services import DEFAULT_DEPTH, MAX_DEPTH, ChartTooLarge, OrgChart
from positions.ids import parse_id
from positions.views.common import attachment
from printing.checks import cjk_font_installed
from printing.pdf import PdfRenderFailed, PdfRenderTimeout, PdfTooLarge

PARTIAL_HEADER = "X-Orgchart-Partial"
DEPTH_CHOICES = tuple(range(1, 9))


class BadChartQuery(ValueError):
    """A query string the chart cannot follow; the message is for the user."""


def _ids(raw: str) -> frozenset[int]:
    """Comma-separated position ids; anything else is ignored (it only opens or closes boxes)."""
    return frozenset(pk for part in raw.split(",") if (pk := parse_id(part)) is not None)


def chart_options(request: HttpRequest) -> dict:
    """``depth``/``expand``/``collapse`` from the query string, for the chart services."""
    raw = request.GET.get("depth", "").strip()
    if raw == "":
        depth = DEFAULT_DEPTH
    else:
        try:
            depth = int(raw)
        except ValueError:
            raise BadChartQuery(
                f"展开层级“{raw}”无效，请填写 1 到 {MAX_DEPTH} 之间的整数。"
            ) from None
        depth = max(1, min(MAX_DEPTH, depth))  # out of range: the nearest sensible depth
    return {
        "depth": depth,
        "expand": _ids(request.GET.get("expand", "")),
        "collapse": _ids(request.GET.get("collapse", "")),
    }


def _bad_request(request: HttpRequest, message: str) -> HttpResponse:
    context = {"message": message, "back_url": request.path}
    return render(request, "positions/orgchart_error.html", context, status=400)


def _too_large(request: HttpRequest, error: Exception) -> HttpResponse:
    """400 for a chart over ``ORGCHART_MAX_BOXES`` (or a PDF over ``PDF_MAX_HTML_MB``)."""
    context = {
        "message": str(error),
        "back_url": reverse("positions:department-tree"),
        "back_label": "选择部门",
    }
    return render(request, "positions/orgchart_error.html", context, status=400)


ChartBuilder = Callable[[HttpRequest, dict], OrgChart | None]


def _organisation(request: HttpRequest, options: dict) -> OrgChart:
    return orgchart.organisation_chart(request.user, **options)


def _position(pk: int) -> ChartBuilder:
    def build(request: HttpRequest, options: dict) -> OrgChart | None:
        return orgchart.position_chart(request.user, pk, **options)

    return build


def _department(pk: int) -> ChartBuilder:
    def build(request: HttpRequest, options: dict) -> OrgChart | None:
        return orgchart.department_chart(request.user, pk, **options)

    return build


def _load(request: HttpRequest, build: ChartBuilder) -> OrgChart:
    chart = build(request, chart_options(request))
    if chart is None:
        raise Http404("职位或部门不存在，或您无权查看。")
    return chart


def _names(chart: OrgChart) -> tuple[str, str]:
    """URL names of the chart's SVG and PDF downloads."""
    return f"positions:{_base_name(chart)}-svg", f"positions:{_base_name(chart)}-pdf"


def _base_name(chart: OrgChart) -> str:
    return {"organisation": "org-chart", "position": "position-chart"}.get(
        chart.kind, "department-chart"
    )


def _kwargs(chart: OrgChart) -> dict:
    if chart.kind == "position":
        return {"pk": chart.focus_id}
    if chart.kind == "department":
        return {"pk": chart.department.pk}
    return {}


def _with_query(url: str, query: str) -> str:
    return f"{url}?{query}" if query else url


def _page(request: HttpRequest, build: ChartBuilder) -> HttpResponse:
    try:
        chart = _load(request, build)
    except BadChartQuery as error:
        return _bad_request(request, str(error))
    except ChartTooLarge as error:
        return _too_large(request, error)
    query = chart.state.query()
    svg_name, pdf_name = _names(chart)
    kwargs = _kwargs(chart)
    context = {
        "chart": chart,
        "svg": chart.svg(base_path=request.path),
        "svg_url": _with_query(reverse(svg_name, kwargs=kwargs), query),
        "pdf_url": _with_query(reverse(pdf_name, kwargs=kwargs), query),
        "expand_all_url": f"{request.path}?depth={MAX_DEPTH}",
        "collapse_all_url": f"{request.path}?depth=1",
        "depth_choices": DEPTH_CHOICES,
        "max_depth": MAX_DEPTH,
    }
    if request.headers.get(PARTIAL_HEADER):
        response = render(request, "positions/_orgchart_card.html", context)
    else:
        context["departments"] = orgchart.department_counts(request.user, index=chart.index)
        response = render(request, "positions/orgchart.html", context)
    patch_vary_headers(response, (PARTIAL_HEADER,))
    return response


def _filename(chart: OrgChart, extension: str) -> str:
    if chart.kind == "organisation":
        return f"组织架构图.{extension}"
    return f"{chart.title.replace(' · 架构图', '')}-架构图.{extension}"


def _svg(request: HttpRequest, build: ChartBuilder) -> HttpResponse:
    try:
        chart = _load(request, build)
    except BadChartQuery as error:
        return _bad_request(request, str(error))
    except ChartTooLarge as error:
        return _too_large(request, error)
    svg = chart.svg(
        link_prefix=request.build_absolute_uri("/").rstrip("/"),
        interactive=False,
        standalone=True,
    )
    response = HttpResponse(svg, content_type="image/svg+xml; charset=utf-8")
    return attachment(response, _filename(chart, "svg"))


@functools.cache
def _font_installed(family: str) -> bool:
    return cjk_font_installed(family)


def _pdf(request: HttpRequest, build: ChartBuilder) -> HttpResponse:
    try:
        chart = _load(request, build)
    except BadChartQuery as error:
        return _bad_request(request, str(error))
    except ChartTooLarge as error:
        return _too_large(request, error)
    family = settings.CJK_FONT_FAMILY
    if not _font_installed(family):
        context = {"message": f"服务器未安装中文字体“{family}”，暂时无法生成 PDF。"}
        context["back_url"] = request.path.rsplit("/", 1)[0] + "/"
        return render(request, "positions/orgchart_error.html", context, status=503)
    try:
        pdf = orgchart.chart_pdf(
            chart,
            link_prefix=request.build_absolute_uri("/").rstrip("/"),
            printed_by=request.user.get_full_name() or request.user.get_username(),
        )
    except PdfTooLarge as error:
        return _too_large(request, error)
    except (PdfRenderTimeout, PdfRenderFailed) as error:
        if isinstance(error, PdfRenderTimeout):
            message = (
                f"架构图 PDF 在 {settings.PDF_RENDER_TIMEOUT_SECONDS} 秒内未能生成，已中止。"
                "请选择部门或减少展开层级后重试。"
            )
        else:
            message = (
                "架构图 PDF 生成时出错，本次未生成文件。"
                "请稍后重试；如果问题持续，请联系系统管理员。"
            )
        context = {"message": message, "back_url": request.path.rsplit("/", 1)[0] + "/"}
        return render(request, "positions/orgchart_error.html", context, status=503)
    return attachment(HttpResponse(pdf, content_type="application/pdf"), _filename(chart, "pdf"))


# --- the URLconf's views ---------------------------------------------------------------------


def org_chart(request: HttpRequest) -> HttpResponse:
    return _page(request, _organisation)


def org_chart_svg(request: HttpRequest) -> HttpResponse:
    return _svg(request, _organisation)


def org_chart_pdf(request: HttpRequest) -> HttpResponse:
    return _pdf(request, _organisation)


def position_chart(request: HttpRequest, pk: int) -> HttpResponse:
    return _page(request, _position(pk))


def position_chart_svg(request: HttpRequest, pk: int) -> HttpResponse:
    return _svg(request, _position(pk))


def position_chart_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    return _pdf(request, _position(pk))


def department_chart(request: HttpRequest, pk: int) -> HttpResponse:
    return _page(request, _department(pk))


def department_chart_svg(request: HttpRequest, pk: int) -> HttpResponse:
    return _svg(request, _department(pk))


def department_chart_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    return _pdf(request, _department(pk))
