"""My work's filters and sorting, read from the page's GET form: only codes and ids, so a
bookmarked or shared link carries no personal data. Anything unknown is dropped (the page
shows everything rather than failing)."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, replace
from urllib.parse import urlencode

__all__ = ["DUE_WINDOWS", "SORTS", "WorkFilters", "read_filters"]

DUE_WINDOWS = {
    "overdue": "Overdue",
    "due_today": "Due today",
    "due_soon": "Due in the next 5 working days",
    "later": "Due later, or no fixed date",
}
SORTS = {
    "due": "Due date, most urgent first",
    "case": "Case reference, then due date",
    "right": "Right number, then due date",
}
RIGHT_NUMBERS = range(1, 13)


@dataclass(frozen=True, slots=True)
class WorkFilters:
    """``mine``: only the cases the user is the prosecutor or witness care officer of;
    ``case_id``: one case; ``right``: one of the 12 rights; ``show``: a due window of
    ``DUE_WINDOWS``; ``sort``: one of ``SORTS``."""

    mine: bool = False
    case_id: uuid.UUID | None = None
    right: int | None = None
    show: str = ""
    sort: str = "due"

    @property
    def any(self) -> bool:
        """Whether the list is narrowed at all (sorting does not narrow it)."""
        return self.mine or self.case_id is not None or self.right is not None or bool(self.show)

    def params(self, **changes: object) -> dict[str, str]:
        """The filters as query parameters (defaults left out), with ``changes`` applied."""
        chosen = replace(self, **changes)  # type: ignore[arg-type]
        found = {
            "mine": "yes" if chosen.mine else "",
            "case": str(chosen.case_id) if chosen.case_id else "",
            "right": str(chosen.right) if chosen.right else "",
            "show": chosen.show,
            "sort": "" if chosen.sort == "due" else chosen.sort,
        }
        return {key: value for key, value in found.items() if value}

    def query(self, **changes: object) -> str:
        """``?...`` for a link to My work with these filters (and ``changes``), or ""."""
        encoded = urlencode(self.params(**changes))
        return f"?{encoded}" if encoded else ""


def _uuid(raw: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(raw) if len(raw) <= 36 and raw.isascii() else None
    except ValueError:
        return None


def read_filters(params: Mapping[str, str]) -> WorkFilters:
    """The filters from ``?mine=yes&case=<id>&right=<1..12>&show=<window>&sort=<order>``."""
    right = params.get("right", "")
    show = params.get("show", "")
    sort = params.get("sort", "")
    return WorkFilters(
        mine=params.get("mine", "") == "yes",
        case_id=_uuid(params.get("case", "")),
        right=int(right) if right in {str(n) for n in RIGHT_NUMBERS} else None,
        show=show if show in DUE_WINDOWS else "",
        sort=sort if sort in SORTS else "due",
    )
