"""Template context shared by every page."""

from django.http import HttpRequest

from positions.permissions import Abilities


def abilities(request: HttpRequest) -> dict[str, Abilities]:
    """``can``: which navigation entries and buttons the user may be offered."""
    return {"can": Abilities(request.user)}
