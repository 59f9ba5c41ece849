"""The audit viewer and its export as use cases for the edge (portal.audit.routes): auditors
read the log, pseudonymised; every export is itself recorded as a disclosure."""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from itertools import islice

from portal.accounts.permissions import Permission
from portal.accounts.unit import Unit
from portal.audit import repository
from portal.audit import service as audit
from portal.audit.entries import Entry, details, entries, staff_ids
from portal.audit.labels import action_label
from portal.audit.repository import AuditFilter
from portal.kit.csvsafe import CsvTable
from portal.kit.errors import ActionNotPermitted

EXPORT_COLUMNS = [
    "seq",
    "time_utc",
    "staff_name",
    "staff_username",
    "staff_role",
    "category",
    "what",
    "action",
    "details",
    "object_type",
    "object_id",
    "case_urn",
    "person_reference",
    "fields",
    "recipient",
    "entry_hash",
]
# Rows are named in batches: one query for the staff a batch mentions, none per row.
NAMING_BATCH = 500


def _require(unit: Unit, permission: Permission) -> None:
    if not unit.actor.can(permission):
        raise ActionNotPermitted(permission.value, unit.actor.role.value, "the audit log")


@dataclass(frozen=True, slots=True)
class LogPage:
    entries: Sequence[Entry]
    next_before: int | None
    actions: list[tuple[str, str]]  # (action, its label), for the filter


def log_page(unit: Unit, flt: AuditFilter, *, before: int | None, search: bool) -> LogPage:
    """One page of the log, newest first, after ``before`` (no rows when not ``search``: the
    filter had errors): staff by name, actions in words, a list page's views as one entry."""
    _require(unit, Permission.VIEW_AUDIT_LOG)
    rows, next_before = repository.page(unit.db, flt, before_seq=before) if search else ([], None)
    names = repository.staff_names(unit.db, staff_ids(rows))
    actions = sorted(((a, action_label(a)) for a in repository.actions(unit.db)), key=_by_label)
    return LogPage(entries(rows, names), next_before, actions)


def _by_label(option: tuple[str, str]) -> tuple[str, str]:
    return option[1].casefold(), option[0]


def export(unit: Unit, flt: AuditFilter) -> CsvTable:
    """The filtered log as CSV, with the viewer's words beside the codes: who by name, what
    was done, and the accounts and recipients it names by name (ids stay for tracing)."""
    _require(unit, Permission.EXPORT_AUDIT_LOG)
    table = CsvTable(EXPORT_COLUMNS)
    for row, names in _named(unit, repository.stream(unit.db, flt)):
        e = row.event
        table.add(
            [
                e.seq,
                e.at.isoformat(),
                row.display_name or "",
                row.username,
                e.actor_role,
                e.category,
                action_label(e.action),
                e.action,
                details(e, names),
                e.object_type,
                e.object_id,
                row.urn,
                e.subject_ref,
                e.fields,
                e.recipient,
                e.entry_hash,
            ]
        )
    audit.disclosed_to_actor(unit.db, unit.actor, "audit.export", "audit_log", *flt.as_params())
    return table


def _named(
    unit: Unit, rows: Iterator[repository.Row]
) -> Iterator[tuple[repository.Row, Mapping[uuid.UUID, str]]]:
    while batch := list(islice(rows, NAMING_BATCH)):
        names = repository.staff_names(unit.db, staff_ids(batch))
        for row in batch:
            yield row, names
