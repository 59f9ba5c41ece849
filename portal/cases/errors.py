"""Case errors. Out-of-scope and missing cases are the same error: both answer 404."""

from __future__ import annotations

from typing import Any


class CaseError(Exception):
    pass


class CaseNotFound(CaseError):
    pass


class ValidationFailed(CaseError):
    """Field errors from a service-level check (field id -> message)."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(", ".join(errors))
        self.errors = errors


class StaleEdit(CaseError):
    """Someone else saved first (optimistic locking). Carries what is stored now."""

    def __init__(self, current: dict[str, Any], current_version: int) -> None:
        super().__init__("stale edit")
        self.current = current
        self.current_version = current_version


class NotPermitted(CaseError):
    pass
