"""Shared vocabulary: money, periods and time zones, roles, errors. Imports nothing else of shopops."""
