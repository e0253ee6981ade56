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
from positions.services.editing import (
    ConflictReport,
    EditConflict,
    archive_blockers,
    archive_position,
    conflict_report,
    copy_position,
    save_position,
)
from positions.services.history import (
    FieldDiff,
    HistoryEntry,
    PositionState,
    RowDiff,
    SectionDiff,
    SheetDiff,
    current_state,
    diff_states,
    ensure_initial_revisions,
    get_position_version,
    position_history,
    position_state,
    restore_preview,
    restore_version,
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
from positions.services.review import add_months, overdue_reviews, schedule_next_review
from positions.services.seed import (
    DEMO_ACCOUNTS,
    DEMO_PASSWORD,
    DemoAccount,
    ensure_demo_accounts,
    load_seed,
)
from positions.services.workflow import (
    WorkflowQueue,
    WorkflowStep,
    workflow_events,
    workflow_queue,
    workflow_steps,
)
from positions.services.workflow import approve as approve_position
from positions.services.workflow import reject as reject_position
from positions.services.workflow import review as review_position
from positions.services.workflow import submit as submit_position

__all__ = [
    "DEMO_ACCOUNTS",
    "DEMO_PASSWORD",
    "ConflictReport",
    "DemoAccount",
    "DepartmentIndex",
    "DepartmentPage",
    "EditConflict",
    "FieldChange",
    "FieldDiff",
    "HistoryEntry",
    "MyPosition",
    "MyPositionState",
    "PositionState",
    "RowDiff",
    "SectionDiff",
    "SheetDiff",
    "TreeNode",
    "WorkflowQueue",
    "WorkflowStep",
    "add_months",
    "approve_position",
    "archive_blockers",
    "archive_position",
    "conflict_report",
    "copy_position",
    "current_state",
    "department_index",
    "department_page",
    "department_tree",
    "diff_states",
    "employee_leaves",
    "ensure_demo_accounts",
    "ensure_initial_revisions",
    "get_position_version",
    "grade_overlap_q",
    "hire_employee",
    "holders_by_position",
    "load_seed",
    "lockout_message",
    "managed_employees",
    "my_position",
    "overdue_reviews",
    "position_history",
    "position_state",
    "reject_position",
    "restore_preview",
    "restore_version",
    "review_position",
    "save_position",
    "schedule_next_review",
    "submit_position",
    "transfer_employee",
    "workflow_events",
    "workflow_queue",
    "workflow_steps",
]
