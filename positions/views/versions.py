"""Published versions of a position: the list, a side-by-side comparison, who has confirmed
a version (员工确认, with its xlsx export), and the holder's 我已阅读并确认."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from positions import hooks, permissions
from positions.ids import parse_id
from positions.models import Position, Version
from positions.net import client_ip
from positions.services import acknowledgements
from positions.services import versions as version_service
from positions.views.common import attachment, visible_position

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _visible_position(request: HttpRequest, pk: int) -> Position:
    related = Position.objects.select_related("department__parent__parent", "current_version")
    return visible_position(request, pk, related.defer("current_version__sheet"))


def _shown(request: HttpRequest, position: Position) -> Position | Version:
    """What the reader knows the position as: the working copy, or the version in force."""
    if position.current_version_id and not permissions.reads_working_copy(request.user, position):
        return position.current_version
    return position


def version_list(request: HttpRequest, pk: int) -> HttpResponse:
    position = _visible_position(request, pk)
    versions = list(position.versions.defer("sheet").order_by("-number"))
    counts = {}
    can_view_acknowledgements = permissions.can_view_acknowledgements(request.user, position)
    if can_view_acknowledgements:
        counts = acknowledgements.acknowledgement_counts(position)
    rows = [(version, counts.get(version.pk)) for version in versions]
    context = {
        "position": position,
        "shown": _shown(request, position),
        "rows": rows,
        "versions": versions,
        "can_view_acknowledgements": can_view_acknowledgements,
    }
    return render(request, "positions/version_list.html", context)


def version_compare(request: HttpRequest, pk: int) -> HttpResponse:
    position = _visible_position(request, pk)
    versions = list(position.versions.defer("sheet").order_by("-number"))
    numbers = {v.number for v in versions}
    left, right = parse_id(request.GET.get("a")), parse_id(request.GET.get("b"))
    if left is None or right is None:
        left = right = None
    error = ""
    comparison = None
    if len(versions) < 2:
        error = (
            "该职位只有一个已生效版本，暂无可比较的版本。" if versions else "该职位尚无已生效版本。"
        )
    elif left is None and right is None and not request.GET:
        left, right = versions[1].number, versions[0].number
    elif left not in numbers or right not in numbers:
        error = "请选择两个存在的版本进行比较。"
    elif left == right:
        error = "请选择两个不同的版本进行比较。"
    if not error:
        comparison = version_service.compare_versions(position, left, right)
    context = {
        "position": position,
        "shown": _shown(request, position),
        "versions": versions,
        "comparison": comparison,
        "left": left,
        "right": right,
        "error": error,
    }
    asked = "a" in request.GET or "b" in request.GET  # bad input, not just too few versions
    status = 400 if error and asked else 200
    return render(request, "positions/version_compare.html", context, status=status)


def _acknowledgement_version(request: HttpRequest, pk: int, number: int) -> Version:
    position = _visible_position(request, pk)
    if not permissions.can_view_acknowledgements(request.user, position):
        raise PermissionDenied("只有 HR 和本部门经理可以查看员工确认情况。")
    return get_object_or_404(
        position.versions.defer("sheet").select_related("position"), number=number
    )


def version_acknowledgements(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    version = _acknowledgement_version(request, pk, number)
    report = acknowledgements.acknowledgement_report(version)
    context = {
        "report": report,
        "version": version,
        "position": version.position,
        "shown": version.position,  # only people who read the working copy get here
    }
    return render(request, "positions/version_acknowledgements.html", context)


def version_acknowledgements_xlsx(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    version = _acknowledgement_version(request, pk, number)
    data = acknowledgements.acknowledgement_xlsx(acknowledgements.acknowledgement_report(version))
    stem = f"{version.code}-{version.title}" if version.code else version.title
    response = HttpResponse(data, content_type=XLSX)
    hooks.file_exported(
        hooks.FileExport(
            request, "acknowledgements_xlsx", version.position, {"version": version.label}
        )
    )
    return attachment(response, f"{stem}-{version.label}-员工确认.xlsx")


@require_POST
def my_position_acknowledge(request: HttpRequest) -> HttpResponse:
    version = get_object_or_404(
        Version.objects.defer("sheet").select_related("position"),
        pk=parse_id(request.POST.get("version")) or 0,
    )
    try:
        acknowledgements.acknowledge(
            user=request.user, version=version, ip_address=client_ip(request)
        )
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
        return redirect("positions:my-position")
    messages.success(request, f"已确认阅读 {version.title} {version.label} 职位说明书。")
    return redirect("positions:my-position")
