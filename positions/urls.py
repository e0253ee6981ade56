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
    path("positions/new/", views.position_create, name="position-create"),
    path("positions/<int:pk>/edit/", views.position_edit, name="position-edit"),
    path("positions/<int:pk>/copy/", views.position_copy, name="position-copy"),
    path("positions/<int:pk>/delete/", views.position_delete, name="position-delete"),
    path("positions/<int:pk>/history/", views.position_history, name="position-history"),
    path(
        "positions/<int:pk>/history/compare/",
        views.position_history_compare,
        name="position-history-compare",
    ),
    path(
        "positions/<int:pk>/history/<int:version_id>/restore/",
        views.position_restore,
        name="position-restore",
    ),
    path("positions/<int:pk>/workflow/", views.position_workflow, name="position-workflow"),
    path("todo/", views.workflow_queue, name="workflow-queue"),
    path("reviews/overdue/", views.review_overdue, name="review-overdue"),
    path("pickers/positions/", views.position_picker, name="position-picker"),
    path("pickers/departments/", views.department_picker, name="department-picker"),
    path("employees/", views.employee_list, name="employee-list"),
    path("employees/<int:pk>/", views.employee_detail, name="employee-detail"),
    path("employees/<int:pk>/transfer/", views.employee_transfer, name="employee-transfer"),
    path("employees/<int:pk>/leave/", views.employee_leave, name="employee-leave"),
]
