"""URLs of the 组织诊断, in their own namespace (``diagnosis:report`` …)."""

from django.urls import path

from diagnosis.views import reports

app_name = "diagnosis"

urlpatterns = [
    path("diagnosis/", reports.diagnosis_index, name="index"),
    path("diagnosis/departments/<int:pk>/", reports.diagnosis_report, name="report"),
    path(
        "diagnosis/departments/<int:pk>/report.pdf", reports.diagnosis_report_pdf, name="report-pdf"
    ),
    path(
        "diagnosis/departments/<int:pk>/report.xlsx",
        reports.diagnosis_report_xlsx,
        name="report-xlsx",
    ),
    path("diagnosis/mark/", reports.diagnosis_mark, name="mark"),
    path("diagnosis/unmark/", reports.diagnosis_unmark, name="unmark"),
    path("diagnosis/jobs/", reports.diagnosis_job_create, name="job-create"),
    path("diagnosis/jobs/<int:pk>/", reports.diagnosis_job, name="job"),
    path("diagnosis/jobs/<int:pk>/status/", reports.diagnosis_job_status, name="job-status"),
    path("diagnosis/jobs/<int:pk>/report.pdf", reports.diagnosis_job_pdf, name="job-pdf"),
    path("diagnosis/jobs/<int:pk>/report.xlsx", reports.diagnosis_job_xlsx, name="job-xlsx"),
]
