"""URL patterns of orgchart: The org chart.

Composed under the one ``positions`` namespace by ``jobdesc/urls.py``, so every URL keeps
its name (``positions:position-sheet`` …)."""

from django.urls import path

from orgchart import views as chart

urlpatterns = [
    path("org/", chart.org_chart, name="org-chart"),
    path("org/chart.svg", chart.org_chart_svg, name="org-chart-svg"),
    path("org/chart.pdf", chart.org_chart_pdf, name="org-chart-pdf"),
    path("org/positions/<int:pk>/", chart.position_chart, name="position-chart"),
    path("org/positions/<int:pk>/chart.svg", chart.position_chart_svg, name="position-chart-svg"),
    path("org/positions/<int:pk>/chart.pdf", chart.position_chart_pdf, name="position-chart-pdf"),
    path("org/departments/<int:pk>/", chart.department_chart, name="department-chart"),
    path(
        "org/departments/<int:pk>/chart.svg",
        chart.department_chart_svg,
        name="department-chart-svg",
    ),
    path(
        "org/departments/<int:pk>/chart.pdf",
        chart.department_chart_pdf,
        name="department-chart-pdf",
    ),
]
