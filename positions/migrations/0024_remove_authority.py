"""``Authority`` is gone: a sheet's 工作权限 are its cells of the 权责手册 (0023 moved them)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("positions", "0023_authorities_into_manual")]

    operations = [migrations.DeleteModel(name="Authority")]
