from django.urls import path

from positions import views

app_name = "positions"

urlpatterns = [
    path("", views.department_tree, name="department-tree"),
    path("me/", views.my_position, name="my-position"),
    path("departments/<int:pk>/", views.department_detail, name="department-detail"),
    path("positions/", views.position_list, name="position-list"),
    path("positions/<int:pk>/", views.position_sheet, name="position-sheet"),
    path("positions/<int:pk>/pdf/", views.position_pdf, name="position-pdf"),
    path("employees/", views.employee_list, name="employee-list"),
    path("employees/<int:pk>/", views.employee_detail, name="employee-detail"),
    path("employees/<int:pk>/transfer/", views.employee_transfer, name="employee-transfer"),
    path("employees/<int:pk>/leave/", views.employee_leave, name="employee-leave"),
]
