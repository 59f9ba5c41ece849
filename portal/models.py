"""Imports every model module so the metadata is complete (for Alembic and the schema test)."""

from portal.accounts import models as accounts_models

__all__ = ["accounts_models"]
