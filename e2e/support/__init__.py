"""Helpers for the browser tests: the live server, accessibility and CSP guards, journeys."""
