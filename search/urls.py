"""URL patterns of search: The search page.

Composed under the one ``positions`` namespace by ``jobdesc/urls.py``, so every URL keeps
its name (``positions:position-sheet`` …)."""

from django.urls import path

from search import views

urlpatterns = [
    path("search/", views.search, name="search"),
]
