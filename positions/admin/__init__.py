"""The admin of the core: departments, and sheets and the 权责手册 read-only."""

from positions.admin import manual, sheets  # noqa: F401  (registers the ModelAdmins)
