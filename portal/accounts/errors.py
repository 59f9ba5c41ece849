"""Account errors. They know nothing of HTTP; portal.web.errors maps them to responses."""

from __future__ import annotations

from portal.kit.errors import Conflict, DomainError


class AccountError(DomainError):
    """Base class for account errors."""


class UsernameTaken(AccountError, Conflict):
    pass


class PasswordRejected(AccountError):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class SetupCodeInvalid(AccountError):
    """Unknown, expired, used or cancelled: the user is told only that it does not work."""


class RequestAlreadyDecided(AccountError):
    pass
