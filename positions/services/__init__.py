"""Business logic as plain typed functions, one module per area: import the module you use."""
