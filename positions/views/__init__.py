"""Views: who may (permissions), which service, which template. Nothing else.

One module per area; this package re-exports the view functions the URLconf names.
"""

from positions.views.browse import department_detail, department_tree, position_list
from positions.views.sheets import position_pdf, position_sheet

__all__ = [
    "department_detail",
    "department_tree",
    "position_list",
    "position_pdf",
    "position_sheet",
]
