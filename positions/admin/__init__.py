"""The admin of the core: departments, and sheets read-only."""

from positions.admin import sheets  # noqa: F401  (registers the ModelAdmins)
