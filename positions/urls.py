"""URL patterns of the core: the tree, lists, sheets, versions, the editor, history, workflow.

Composed under the one ``positions`` namespace by ``jobdesc/urls.py``, so every URL keeps
its name (``positions:position-sheet`` …)."""

from django.urls import path

from positions.views import browse, editing, history, review, sheets, versions, workflow

urlpatterns = [
    path("", browse.department_tree, name="department-tree"),
    path("me/acknowledge/", versions.my_position_acknowledge, name="my-position-acknowledge"),
    path("departments/<int:pk>/", browse.department_detail, name="department-detail"),
    path("departments/<int:pk>/reviewer/", browse.department_reviewer, name="department-reviewer"),
    path("departments/<int:pk>/layout/", browse.department_layout, name="department-layout"),
    path("positions/", browse.position_list, name="position-list"),
    path("positions/<int:pk>/", sheets.position_sheet, name="position-sheet"),
    path("positions/<int:pk>/versions/", versions.version_list, name="version-list"),
    path("positions/<int:pk>/versions/compare/", versions.version_compare, name="version-compare"),
    path("positions/<int:pk>/versions/<int:number>/", sheets.version_sheet, name="version-sheet"),
    path(
        "positions/<int:pk>/versions/<int:number>/acknowledgements/",
        versions.version_acknowledgements,
        name="version-acknowledgements",
    ),
    path(
        "positions/<int:pk>/versions/<int:number>/acknowledgements.xlsx",
        versions.version_acknowledgements_xlsx,
        name="version-acknowledgements-xlsx",
    ),
    path("positions/new/", editing.position_create, name="position-create"),
    path("positions/<int:pk>/edit/", editing.position_edit, name="position-edit"),
    path("positions/<int:pk>/copy/", editing.position_copy, name="position-copy"),
    path("positions/<int:pk>/delete/", editing.position_delete, name="position-delete"),
    path("positions/<int:pk>/history/", history.position_history, name="position-history"),
    path(
        "positions/<int:pk>/history/compare/",
        history.position_history_compare,
        name="position-history-compare",
    ),
    path(
        "positions/<int:pk>/history/<int:version_id>/restore/",
        history.position_restore,
        name="position-restore",
    ),
    path("positions/<int:pk>/workflow/", workflow.position_workflow, name="position-workflow"),
    path("todo/", workflow.workflow_queue, name="workflow-queue"),
    path("todo/batch/", workflow.workflow_batch, name="workflow-batch"),
    path("reviews/overdue/", review.review_overdue, name="review-overdue"),
    path("pickers/positions/", editing.position_picker, name="position-picker"),
    path("pickers/departments/", editing.department_picker, name="department-picker"),
]
