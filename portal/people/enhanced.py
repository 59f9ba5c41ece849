"""Enhanced rights: the rules are ``portal.cases.enhanced`` (the person page and the case list
compute them with the same function); these names stay for older imports."""

from __future__ import annotations

from portal.cases.enhanced import (
    RECORDED,
    Category,
    Party,
    age_on,
    derive,
    derive_for,
    for_party,
    is_child_on,
)

__all__ = [
    "RECORDED",
    "Category",
    "Party",
    "age_on",
    "derive",
    "derive_for",
    "for_party",
    "is_child_on",
]
