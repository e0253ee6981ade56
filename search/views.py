"""Search (搜索): the results page behind the search box of every page.

What the user may find is decided by ``positions.permissions`` inside ``search_service.search``.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from search import services as search_service


@require_GET
def search(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "")
    page = search_service.search(request.user, query, page=request.GET.get("page"))
    return render(request, "positions/search.html", {"page": page, "query": query.strip()})
