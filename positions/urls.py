from django.urls import path

from positions import views

app_name = "positions"

urlpatterns = [
    path("", views.department_tree, name="department-tree"),
    path("departments/<int:pk>/", views.department_detail, name="department-detail"),
    path("positions/", views.position_list, name="position-list"),
    path("positions/<int:pk>/", views.position_sheet, name="position-sheet"),
    path("positions/<int:pk>/pdf/", views.position_pdf, name="position-pdf"),
]
