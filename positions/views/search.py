"""Search (搜索): the results page behind the search box of every page.

What the user may find is decided by ``positions.permissions`` inside ``services.search``.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from positions import services


@require_GET
def search(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "")
    page = services.search(request.user, query, page=request.GET.get("page"))
    return render(request, "positions/search.html", {"page": page, "query": query.strip()})
