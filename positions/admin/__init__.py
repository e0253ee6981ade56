"""The admin: sheets (read-only), departments, people, and login accounts and roles."""

from positions.admin import accounts, people, sheets  # noqa: F401  (registers the ModelAdmins)
