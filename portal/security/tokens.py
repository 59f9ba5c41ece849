"""Random tokens and keyed hashes. Tokens are stored only as hashes (architecture.md rule 10)."""

from __future__ import annotations

import hashlib
import hmac
import secrets


def new_token() -> str:
    """A 256-bit random token, URL-safe."""
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    """SHA-256 of a high-entropy token; enough because the token cannot be guessed."""
    return hashlib.sha256(token.encode()).hexdigest()


def keyed_hash(key: bytes, purpose: str, value: str) -> str:
    """HMAC-SHA256 with domain separation by ``purpose``."""
    return hmac.new(key, f"{purpose}\x00{value}".encode(), hashlib.sha256).hexdigest()


def equal(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())
