"""The admin: sheets (departments, positions and their sections) and people."""

from positions.admin import people, sheets  # noqa: F401  (registers the ModelAdmins)
