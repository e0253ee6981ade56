"""The core's views, one module per area: who may (permissions), which service, which template."""
