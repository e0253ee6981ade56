"""URLs of the 权责手册 pages, in their own namespace (``rights:manual`` …)."""

from django.urls import path

from rights import views
from rights import views_grid as grid

app_name = "rights"

urlpatterns = [
    path("rights/", views.manual, name="manual"),
    path("rights/working/", views.working_copy, name="working-copy"),
    path("rights/workflow/", views.workflow, name="workflow"),
    path("rights/versions/", views.version_list, name="version-list"),
    path("rights/versions/<int:number>/", views.version_detail, name="version-detail"),
    path("rights/grid/", grid.manual_grid, name="grid"),
    path("rights/grid/data/", grid.manual_grid_data, name="grid-data"),
]
