"""Views: who may (permissions), which service, which template. Nothing else.

One module per area; this package re-exports the view functions the URLconf names.
"""

from positions.views.accounts import my_position
from positions.views.browse import department_detail, department_tree, position_list
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
from positions.views.people import (
    employee_detail,
    employee_leave,
    employee_list,
    employee_transfer,
)
from positions.views.review import review_overdue
from positions.views.sheets import position_pdf, position_sheet
from positions.views.workflow import position_workflow, workflow_queue

__all__ = [
    "department_detail",
    "department_picker",
    "department_tree",
    "employee_detail",
    "employee_leave",
    "employee_list",
    "employee_transfer",
    "my_position",
    "position_copy",
    "position_create",
    "position_delete",
    "position_edit",
    "position_history",
    "position_history_compare",
    "position_list",
    "position_pdf",
    "position_picker",
    "position_restore",
    "position_sheet",
    "position_workflow",
    "review_overdue",
    "workflow_queue",
]
