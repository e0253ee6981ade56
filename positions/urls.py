from django.urls import path

from positions import views

app_name = "positions"

urlpatterns = [
    path("", views.department_tree, name="department-tree"),
    path("me/", views.my_position, name="my-position"),
    path("me/acknowledge/", views.my_position_acknowledge, name="my-position-acknowledge"),
    path("departments/<int:pk>/", views.department_detail, name="department-detail"),
    path("positions/", views.position_list, name="position-list"),
    path("search/", views.search, name="search"),
    path("positions/<int:pk>/", views.position_sheet, name="position-sheet"),
    path("positions/<int:pk>/pdf/", views.position_pdf, name="position-pdf"),
    path("positions/<int:pk>/docx/", views.position_docx, name="position-docx"),
    path("positions/<int:pk>/versions/", views.version_list, name="version-list"),
    path("positions/<int:pk>/versions/compare/", views.version_compare, name="version-compare"),
    path("positions/<int:pk>/versions/<int:number>/", views.version_sheet, name="version-sheet"),
    path("positions/<int:pk>/versions/<int:number>/pdf/", views.version_pdf, name="version-pdf"),
    path(
        "positions/<int:pk>/versions/<int:number>/docx/", views.position_docx, name="version-docx"
    ),
    path(
        "positions/<int:pk>/versions/<int:number>/acknowledgements/",
        views.version_acknowledgements,
        name="version-acknowledgements",
    ),
    path(
        "positions/<int:pk>/versions/<int:number>/acknowledgements.xlsx",
        views.version_acknowledgements_xlsx,
        name="version-acknowledgements-xlsx",
    ),
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
    path("books/new/", views.book_create, name="book-create"),
    path("books/<int:pk>/", views.book_detail, name="book-detail"),
    path("books/<int:pk>/status/", views.book_status, name="book-status"),
    path("books/<int:pk>/download/", views.book_download, name="book-download"),
    path("org/", views.org_chart, name="org-chart"),
    path("org/chart.svg", views.org_chart_svg, name="org-chart-svg"),
    path("org/chart.pdf", views.org_chart_pdf, name="org-chart-pdf"),
    path("org/positions/<int:pk>/", views.position_chart, name="position-chart"),
    path("org/positions/<int:pk>/chart.svg", views.position_chart_svg, name="position-chart-svg"),
    path("org/positions/<int:pk>/chart.pdf", views.position_chart_pdf, name="position-chart-pdf"),
    path("org/departments/<int:pk>/", views.department_chart, name="department-chart"),
    path(
        "org/departments/<int:pk>/chart.svg",
        views.department_chart_svg,
        name="department-chart-svg",
    ),
    path(
        "org/departments/<int:pk>/chart.pdf",
        views.department_chart_pdf,
        name="department-chart-pdf",
    ),
    path("transfer/", views.import_export, name="import-export"),
    path("transfer/positions/export.xlsx", views.position_export, name="position-export"),
    path(
        "transfer/positions/template.xlsx",
        views.position_import_template,
        name="position-import-template",
    ),
    path("transfer/positions/import/", views.position_import, name="position-import"),
    path(
        "transfer/positions/import/<str:token>/",
        views.position_import_preview,
        name="position-import-preview",
    ),
    path("transfer/word/import/", views.word_import, name="word-import"),
    path(
        "transfer/word/import/<str:token>/",
        views.word_import_preview,
        name="word-import-preview",
    ),
    path(
        "transfer/roster/template.xlsx", views.roster_import_template, name="roster-import-template"
    ),
    path("transfer/roster/import/", views.roster_import, name="roster-import"),
    path(
        "transfer/roster/import/<str:token>/",
        views.roster_import_preview,
        name="roster-import-preview",
    ),
    path("settings/company/", views.company_settings, name="company-settings"),
]
