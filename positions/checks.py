"""System checks (registered in PositionsConfig.ready)."""
