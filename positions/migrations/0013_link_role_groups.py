"""Link the three role groups to their stable role codes.

Until now ``positions/permissions.py`` found a user's roles by group name, so renaming a group
in the admin stripped everyone's role. From here on it asks ``Role.code``: this links the
groups migration 0003 created, found by their current names (a group missing by that name is
created again, as 0003 would). Reversing removes the links and keeps the groups.
"""

from django.db import migrations

ROLE_GROUPS = (
    ("hr_editor", "HR 编辑"),
    ("manager", "部门经理"),
    ("employee", "员工"),
)


def link_role_groups(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Role = apps.get_model("positions", "Role")
    for code, name in ROLE_GROUPS:
        group, _ = Group.objects.get_or_create(name=name)
        Role.objects.update_or_create(code=code, defaults={"group": group})


def unlink_role_groups(apps, schema_editor):
    apps.get_model("positions", "Role").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("positions", "0012_role"),
    ]

    operations = [migrations.RunPython(link_role_groups, unlink_role_groups)]
