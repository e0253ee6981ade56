"""URL patterns of transfer: 导入/导出: Excel, Word and the roster.

Composed under the one ``positions`` namespace by ``jobdesc/urls.py``, so every URL keeps
its name (``positions:position-sheet`` …)."""

from django.urls import path

from transfer.views import excel, jobs, manual_excel, word

urlpatterns = [
    path("positions/<int:pk>/docx/", word.position_docx, name="position-docx"),
    path("positions/<int:pk>/versions/<int:number>/docx/", word.position_docx, name="version-docx"),
    path("transfer/", excel.import_export, name="import-export"),
    path("transfer/positions/export.xlsx", excel.position_export, name="position-export"),
    path(
        "transfer/positions/template.xlsx",
        excel.position_import_template,
        name="position-import-template",
    ),
    path("transfer/positions/import/", excel.position_import, name="position-import"),
    path(
        "transfer/positions/import/<str:token>/",
        excel.position_import_preview,
        name="position-import-preview",
    ),
    path("transfer/manual/export.xlsx", manual_excel.manual_export, name="manual-export"),
    path("transfer/manual/import/", manual_excel.manual_import, name="manual-import"),
    path(
        "transfer/manual/import/<str:token>/",
        manual_excel.manual_import_preview,
        name="manual-import-preview",
    ),
    path("transfer/jobs/new/", jobs.import_job_create, name="import-job-create"),
    path("transfer/jobs/<int:pk>/", jobs.import_job_detail, name="import-job"),
    path("transfer/jobs/<int:pk>/status/", jobs.import_job_status, name="import-job-status"),
    path("transfer/word/import/", word.word_import, name="word-import"),
    path(
        "transfer/word/import/<str:token>/",
        word.word_import_preview,
        name="word-import-preview",
    ),
    path(
        "transfer/roster/template.xlsx", excel.roster_import_template, name="roster-import-template"
    ),
    path("transfer/roster/import/", excel.roster_import, name="roster-import"),
    path(
        "transfer/roster/import/<str:token>/",
        excel.roster_import_preview,
        name="roster-import-preview",
    ),
]
