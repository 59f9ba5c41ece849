"""Victims' losses from a CSV file, with the mass-victim importer's rules (portal.cases.
importer): the same size and row limits and encoding, every row checked first, every problem
named by row (the header is row 1) and column, and all or nothing.

Columns (header names are matched case-insensitively): ``reference`` (the victim's person
reference in this case), ``kind`` (money, property or injury), ``amount`` (pounds and pence,
as typed on the loss form), ``proven`` (yes or no).
"""

from __future__ import annotations

import csv
import io

from sqlalchemy.orm import Session

from portal.accounts.actor import Actor
from portal.accounts.permissions import Permission
from portal.cases.importer import MAX_CELL, MAX_ROWS, ImportRejected, RowError, decode
from portal.cases.models import Case
from portal.keys.vault import Vault
from portal.outcomes import repository
from portal.outcomes.models import LossKind
from portal.outcomes.money import parse_pounds
from portal.outcomes.service.common import require
from portal.outcomes.service.losses import NewLoss, record_losses

COLUMNS = ("reference", "kind", "amount", "proven")
KINDS = {"money": LossKind.MONEY, "property": LossKind.PROPERTY, "injury": LossKind.INJURY}
YES_NO = {"yes": True, "y": True, "no": False, "n": False}


def import_losses(db: Session, vault: Vault, actor: Actor, case: Case, data: bytes) -> int:
    """Record every loss in the file, or none (``ImportRejected`` names every problem)."""
    require(actor, Permission.RECORD_LOSSES, "losses")
    rows = list(csv.reader(io.StringIO(decode(data))))
    if not rows:
        raise ImportRejected([RowError(0, "", "The file is empty")])
    header = ["_".join(cell.strip().lower().split()) for cell in rows[0]]
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise ImportRejected([RowError(1, c, f"The file has no {c} column") for c in missing])
    body = rows[1:]
    if len(body) > MAX_ROWS:
        raise ImportRejected([RowError(0, "", f"The file must have {MAX_ROWS:,} rows or fewer")])
    victims = {
        person.reference: (party, person) for party, person in repository.victims_of(db, case)
    }
    errors: list[RowError] = []
    items: list[NewLoss] = []
    for number, cells in enumerate(body, start=2):
        row = dict(zip(header, (cell.strip() for cell in cells), strict=False))
        if any(len(value) > MAX_CELL for value in row.values()):
            errors.append(RowError(number, "", f"A cell is longer than {MAX_CELL} characters"))
            continue
        found = victims.get(row.get("reference", "").upper())
        kind = KINDS.get(row.get("kind", "").lower())
        amount = parse_pounds(row.get("amount", ""))
        proven = YES_NO.get(row.get("proven", "").lower())
        if found is None:
            errors.append(
                RowError(number, "reference", "Not the reference of a victim in this case")
            )
        if kind is None:
            errors.append(RowError(number, "kind", "Enter money, property or injury"))
        if not amount:
            errors.append(RowError(number, "amount", "Enter an amount in pounds, more than £0"))
        if proven is None:
            errors.append(RowError(number, "proven", "Enter yes or no"))
        if found and kind and amount and proven is not None:
            items.append(NewLoss(found[0], found[1], kind, amount, proven))
    if errors:
        raise ImportRejected(errors, row_count=len(body))
    if not items:
        raise ImportRejected([RowError(0, "", "The file has no losses in it")])
    return record_losses(db, vault, actor, case, items)
