"""Set-up: the seed organisation and the demo accounts."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.db import transaction

from positions.models import Department, Position

# --- Seed data and demo accounts -------------------------------------------------------------

DEMO_PASSWORD = "jobdesc-demo"


@dataclass(frozen=True)
class DemoAccount:
    username: str
    full_name: str
    role: str
    is_staff: bool = False
    is_superuser: bool = False


DEMO_ACCOUNTS: tuple[DemoAccount, ...] = (
    DemoAccount("admin", "系统管理员", "超级管理员", is_staff=True, is_superuser=True),
    DemoAccount("hr", "王人事", "HR 编辑：在管理后台维护部门与职位", is_staff=True),
    DemoAccount("manager", "陈经理", "部门经理：查看并打印职位说明书"),
    DemoAccount("employee", "林员工", "员工：查阅职位说明书"),
)


@transaction.atomic
def load_seed(*, reload: bool = False) -> int:
    """Load fixtures/seed.json; returns the number of positions loaded (0 when skipped).

    Without ``reload`` an existing organisation is left alone, so running set-up twice is safe.
    With ``reload`` every department and position is removed first (reporting lines and the
    department tree are cut before the delete, since both are PROTECTed).
    """
    if Position.objects.exists() or Department.objects.exists():
        if not reload:
            return 0
        Position.objects.update(reports_to=None)
        Position.objects.all().delete()
        Department.objects.update(parent=None)
        Department.objects.all().delete()
    call_command("loaddata", "seed", verbosity=0)
    return Position.objects.count()


def ensure_demo_accounts() -> list[DemoAccount]:
    """Create (or reset) the demo accounts listed in the README."""
    user_model = get_user_model()
    editor_perms = Permission.objects.filter(content_type__app_label="positions")
    for account in DEMO_ACCOUNTS:
        user, _ = user_model.objects.update_or_create(
            username=account.username,
            defaults={
                # Chinese names are written family name first: keep the whole name in one
                # field so get_full_name() does not reorder it.
                "first_name": account.full_name,
                "last_name": "",
                "is_staff": account.is_staff,
                "is_superuser": account.is_superuser,
                "is_active": True,
            },
        )
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
        if account.is_staff and not account.is_superuser:
            user.user_permissions.set(editor_perms)
    return list(DEMO_ACCOUNTS)
