"""Victims' Code (England and Wales) entitlements, working-day calendars and due dates.

Rules are data (portal/data/victims_code/*.toml), loaded by ``rules``; ``calendar`` counts
working and CrimPR business days; ``deadlines`` computes and explains due dates; ``cli`` is the
``portal rules`` command group. See docs/victims-code-rules.md.
"""
