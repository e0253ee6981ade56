"""Business logic as plain typed functions, one module per area.

``from positions import services`` then ``services.department_tree(...)``: every public
function is re-exported here.
"""

from positions.services.organisation import (
    DepartmentIndex,
    DepartmentPage,
    TreeNode,
    department_index,
    department_page,
    department_tree,
    grade_overlap_q,
)
from positions.services.seed import (
    DEMO_ACCOUNTS,
    DEMO_PASSWORD,
    DemoAccount,
    ensure_demo_accounts,
    load_seed,
)

__all__ = [
    "DEMO_ACCOUNTS",
    "DEMO_PASSWORD",
    "DemoAccount",
    "DepartmentIndex",
    "DepartmentPage",
    "TreeNode",
    "department_index",
    "department_page",
    "department_tree",
    "ensure_demo_accounts",
    "grade_overlap_q",
    "load_seed",
]
