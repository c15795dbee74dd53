"""Aura's benchmarks (`make bench`)."""
