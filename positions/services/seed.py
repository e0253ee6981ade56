"""The seed organisation: fixtures/seed.json, its history and its historical V1s.

The demo accounts that hold its positions are people's (``people.services.demo``).
"""

from __future__ import annotations

from django.core.management import call_command
from django.db import transaction

from positions import hooks
from positions.models import Acknowledgement, Assignment, Department, Position, Version
from positions.services.history import ensure_initial_revisions
from positions.services.versions import ensure_versions


@transaction.atomic
def load_seed(*, reload: bool = False) -> int:
    """Load fixtures/seed.json; returns the number of positions loaded (0 when skipped).

    Without ``reload`` an existing organisation is left alone, so running set-up twice is safe.
    With ``reload`` every department and position is removed first, together with every
    assignment (they PROTECT their positions; the employees themselves stay), and reporting
    lines and the department tree are cut before the delete, since both are PROTECTed.
    """
    if Position.objects.exists() or Department.objects.exists():
        if not reload:
            return 0
        Assignment.objects.all().delete()
        Acknowledgement.objects.all().delete()
        Position.objects.update(reports_to=None, current_version=None)
        Version.objects.all().delete()
        Position.objects.all().delete()
        Department.objects.update(parent=None)
        Department.objects.all().delete()
    call_command("loaddata", "seed", verbosity=0)
    ensure_initial_revisions()  # loaddata records no revision: start each history here
    ensure_versions()  # the seed's sheets were approved on paper: each becomes a historical V1
    hooks.sheets_written(Position.objects.values_list("pk", flat=True))  # search, drafts too
    return Position.objects.count()
