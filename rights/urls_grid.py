"""URL patterns of the 权责手册 grid editor (rights/views_grid.py), composed under the one
``positions`` namespace by ``jobdesc/urls.py`` beside the rights app's own pages."""

from django.urls import path

from rights import views_grid as grid

urlpatterns = [
    path("rights/grid/", grid.manual_grid, name="manual-grid"),
    path("rights/grid/data/", grid.manual_grid_data, name="manual-grid-data"),
]
