"""The 审计员 role: reads the audit trail (issue #15), changes nothing.

Widens ``Role.code``'s known codes to ``auditor`` and creates its group 「审计员」 (or links a
group of that name already there) with its ``Role`` row. Reversing removes the role and, when
nobody is in it, the group; the check constraint is narrowed again.
"""

from django.db import migrations, models

AUDITOR = "auditor"
GROUP_NAME = "审计员"


def create_auditor_role(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Role = apps.get_model("positions", "Role")
    group, _ = Group.objects.get_or_create(name=GROUP_NAME)
    Role.objects.update_or_create(code=AUDITOR, defaults={"group": group})


def remove_auditor_role(apps, schema_editor):
    Role = apps.get_model("positions", "Role")
    for role in Role.objects.filter(code=AUDITOR).select_related("group"):
        group = role.group
        role.delete()
        if not group.user_set.exists():
            group.delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("positions", "0014_remove_svg_company_logo"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="role",
            name="positions_role_known_code",
        ),
        migrations.AlterField(
            model_name="role",
            name="code",
            field=models.CharField(
                choices=[
                    ("hr_editor", "HR 编辑"),
                    ("manager", "部门经理"),
                    ("employee", "员工"),
                    ("auditor", "审计员"),
                ],
                max_length=20,
                verbose_name="角色",
            ),
        ),
        migrations.AddConstraint(
            model_name="role",
            constraint=models.CheckConstraint(
                condition=models.Q(("code__in", ["hr_editor", "manager", "employee", "auditor"])),
                name="positions_role_known_code",
            ),
        ),
        migrations.RunPython(create_auditor_role, remove_auditor_role),
    ]
