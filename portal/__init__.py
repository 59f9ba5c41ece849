"""Victim and witness safeguarding portal."""

__version__ = "0.1.0"
