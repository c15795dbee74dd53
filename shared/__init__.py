"""Aura's domain package: everything the Cloud Functions call, free of the functions SDK."""

__version__ = "0.1.0"
