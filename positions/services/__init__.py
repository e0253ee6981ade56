"""Business logic as plain typed functions, one module per area.

``from positions import services`` then ``services.department_tree(...)``: every public
function is re-exported here.
"""

from positions.services.accounts import (
    MyPosition,
    MyPositionState,
    lockout_message,
    my_position,
)
from positions.services.organisation import (
    DepartmentIndex,
    DepartmentPage,
    TreeNode,
    department_index,
    department_page,
    department_tree,
    grade_overlap_q,
)
from positions.services.people import (
    employee_leaves,
    hire_employee,
    holders_by_position,
    managed_employees,
    transfer_employee,
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
    "MyPosition",
    "MyPositionState",
    "TreeNode",
    "department_index",
    "department_page",
    "department_tree",
    "employee_leaves",
    "ensure_demo_accounts",
    "grade_overlap_q",
    "hire_employee",
    "holders_by_position",
    "load_seed",
    "lockout_message",
    "managed_employees",
    "my_position",
    "transfer_employee",
]
