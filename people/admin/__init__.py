"""The admin of people: employees, assignments, editor scopes, login accounts and roles."""

from people.admin import accounts, people  # noqa: F401  (registers the ModelAdmins)
