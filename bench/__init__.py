"""Benchmarks and the synthetic-data generator (not part of the running site)."""
