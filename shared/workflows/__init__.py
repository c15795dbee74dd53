"""Workflows: definitions, validation, and (elsewhere) their execution."""
