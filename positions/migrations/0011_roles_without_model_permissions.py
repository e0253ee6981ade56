"""The role groups hold no model permission any more: positions/permissions.py decides.

Migration 0003 gave the groups Django model permissions (HR 编辑: ``auth.add/change/view_user``
among them), which the stock admin trusted. The authentication backend
(``positions.backends.PermissionsBackend``) now answers every permission from
``positions/permissions.py`` and ignores stored ones; this removes them so that nothing stored
can look like a grant. Reversing restores what 0003 gave.
"""

from django.db import migrations

HR_EDITOR = "HR 编辑"
MANAGER = "部门经理"
EMPLOYEE = "员工"
ROLES = (HR_EDITOR, MANAGER, EMPLOYEE)

SHEET_MODELS = (
    "department",
    "position",
    "duty",
    "authority",
    "qualification",
    "relationship",
    "indicator",
)
PEOPLE_MODELS = ("employee", "assignment", "editorscope")


def remove_model_permissions(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for group in Group.objects.filter(name__in=ROLES):
        group.permissions.clear()


def restore_model_permissions(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")

    def perms(app_label, actions, models):
        codenames = [f"{action}_{model}" for action in actions for model in models]
        return Permission.objects.filter(content_type__app_label=app_label, codename__in=codenames)

    for group in Group.objects.filter(name__in=ROLES):
        if group.name == HR_EDITOR:
            group.permissions.set(
                list(
                    perms(
                        "positions",
                        ("add", "change", "delete", "view"),
                        SHEET_MODELS + PEOPLE_MODELS,
                    )
                )
                + list(perms("auth", ("add", "change", "view"), ("user",)))
            )
        else:
            group.permissions.set(perms("positions", ("view",), SHEET_MODELS))


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("positions", "0010_version_reading_columns"),
    ]

    operations = [migrations.RunPython(remove_model_permissions, restore_model_permissions)]
