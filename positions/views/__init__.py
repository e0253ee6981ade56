"""Views: who may (permissions), which service, which template. Nothing else.

One module per area; this package re-exports the view functions the URLconf names.
"""

from positions.views.accounts import my_position
from positions.views.browse import department_detail, department_tree, position_list
from positions.views.people import (
    employee_detail,
    employee_leave,
    employee_list,
    employee_transfer,
)
from positions.views.sheets import position_pdf, position_sheet

__all__ = [
    "department_detail",
    "department_tree",
    "employee_detail",
    "employee_leave",
    "employee_list",
    "employee_transfer",
    "my_position",
    "position_list",
    "position_pdf",
    "position_sheet",
]
