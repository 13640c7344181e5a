"""Arrears: lawful, humane collection of overdue consumer loans."""

__version__ = "0.1.0"
