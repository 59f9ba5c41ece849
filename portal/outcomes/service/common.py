"""What every outcomes use case shares: the permission check and sealed amounts."""

from __future__ import annotations

from portal.accounts.actor import Actor
from portal.accounts.permissions import Permission
from portal.keys.vault import Encryptable, Vault
from portal.kit.errors import ActionNotPermitted


def require(actor: Actor, permission: Permission, subject: str) -> None:
    if not actor.can(permission):
        raise ActionNotPermitted(permission.value, actor.role.value, subject)


def seal_pence(vault: Vault, row: Encryptable, column: str, pence: int) -> None:
    vault.put(row, column, str(pence))


def open_pence(vault: Vault, row: Encryptable, column: str) -> int | None:
    """The amount as this viewer may see it (None for a pseudonymised viewer)."""
    text = vault.open_text(row, column)
    return None if text is None else int(text)
