"""Views: who may (permissions), which service, which template. Nothing else.

One module per area; this package re-exports the view functions the URLconf names.
"""

from positions.views.accounts import my_position
from positions.views.books import book_create, book_detail, book_download, book_status
from positions.views.browse import department_detail, department_tree, position_list
from positions.views.company import company_settings
from positions.views.editing import (
    department_picker,
    position_copy,
    position_create,
    position_delete,
    position_edit,
    position_picker,
)
from positions.views.history import (
    position_history,
    position_history_compare,
    position_restore,
)
from positions.views.orgchart import (
    department_chart,
    department_chart_pdf,
    department_chart_svg,
    org_chart,
    org_chart_pdf,
    org_chart_svg,
    position_chart,
    position_chart_pdf,
    position_chart_svg,
)
from positions.views.people import (
    employee_detail,
    employee_leave,
    employee_list,
    employee_transfer,
)
from positions.views.review import review_overdue
from positions.views.search import search
from positions.views.sheets import position_pdf, position_sheet, version_pdf, version_sheet
from positions.views.transfer import (
    import_export,
    position_export,
    position_import,
    position_import_preview,
    position_import_template,
    roster_import,
    roster_import_preview,
    roster_import_template,
)
from positions.views.versions import (
    my_position_acknowledge,
    version_acknowledgements,
    version_acknowledgements_xlsx,
    version_compare,
    version_list,
)
from positions.views.word import position_docx, word_import, word_import_preview
from positions.views.workflow import position_workflow, workflow_queue

__all__ = [
    "book_create",
    "book_detail",
    "book_download",
    "book_status",
    "company_settings",
    "department_chart",
    "department_chart_pdf",
    "department_chart_svg",
    "department_detail",
    "department_picker",
    "department_tree",
    "employee_detail",
    "employee_leave",
    "employee_list",
    "employee_transfer",
    "import_export",
    "my_position",
    "my_position_acknowledge",
    "org_chart",
    "org_chart_pdf",
    "org_chart_svg",
    "position_chart",
    "position_chart_pdf",
    "position_chart_svg",
    "position_copy",
    "position_create",
    "position_delete",
    "position_docx",
    "position_edit",
    "position_export",
    "position_history",
    "position_history_compare",
    "position_import",
    "position_import_preview",
    "position_import_template",
    "position_list",
    "position_pdf",
    "position_picker",
    "position_restore",
    "position_sheet",
    "position_workflow",
    "review_overdue",
    "roster_import",
    "roster_import_preview",
    "roster_import_template",
    "search",
    "version_acknowledgements",
    "version_acknowledgements_xlsx",
    "version_compare",
    "version_list",
    "version_pdf",
    "version_sheet",
    "word_import",
    "word_import_preview",
    "workflow_queue",
]
