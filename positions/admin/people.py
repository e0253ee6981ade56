"""Admin for employees, their assignments and HR editors' scopes."""
