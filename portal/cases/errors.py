"""Case errors: the kit's domain errors (portal.kit.errors) under the names this package has
always used. Out-of-scope and missing cases are the same error: both answer 404.

New code imports from portal.kit.errors directly; these names stay so existing imports work.
"""

from __future__ import annotations

from portal.kit.errors import DomainError, NotFound, NotPermitted, StaleEdit, ValidationFailed

CaseError = DomainError


class CaseNotFound(NotFound):
    pass


__all__ = ["CaseError", "CaseNotFound", "NotPermitted", "StaleEdit", "ValidationFailed"]
