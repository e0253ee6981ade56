"""The three roles as groups with their model permissions (HR 编辑, 部门经理, 员工).

Who sees which position is decided in positions/permissions.py from group membership; the
model permissions here are what the admin checks.
"""

from django.db import migrations

HR_EDITOR = "HR 编辑"
MANAGER = "部门经理"
EMPLOYEE = "员工"

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


def create_roles(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    # Permissions are normally created after migrate; the groups need them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")

    def perms(app_label, actions, models):
        codenames = [f"{action}_{model}" for action in actions for model in models]
        return Permission.objects.filter(content_type__app_label=app_label, codename__in=codenames)

    hr, _ = Group.objects.get_or_create(name=HR_EDITOR)
    hr.permissions.set(
        list(perms("positions", ("add", "change", "delete", "view"), SHEET_MODELS + PEOPLE_MODELS))
        + list(perms("auth", ("add", "change", "view"), ("user",)))
    )
    manager, _ = Group.objects.get_or_create(name=MANAGER)
    manager.permissions.set(perms("positions", ("view",), SHEET_MODELS))
    employee, _ = Group.objects.get_or_create(name=EMPLOYEE)
    employee.permissions.set(perms("positions", ("view",), SHEET_MODELS))


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=[HR_EDITOR, MANAGER, EMPLOYEE]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("positions", "0002_people"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
