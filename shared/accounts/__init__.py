"""Accounts: profiles, settings, roles and plans."""
