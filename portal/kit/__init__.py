"""The shared kit: pieces every domain uses the same way, knowing nothing of any domain or of HTTP.

``errors`` (domain errors, mapped to responses once in ``portal.web.errors``), ``states`` (state
machines as data), ``enums`` (labelled enums), ``paging`` (one page of a query), ``csvsafe`` (CSV
with one formula-injection guard) and ``events`` (in-process domain events). The kit imports only
the standard library and SQLAlchemy: no Starlette, no Jinja, no ``portal`` package above it
(checked by import-linter, see pyproject.toml). How to use each piece: docs/kit.md.
"""
