"""The offence catalogue (portal/data/offences.toml), loaded once."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from portal.cases.reference import CrimeCategory

CATALOGUE = Path(__file__).resolve().parent.parent / "data" / "offences.toml"


@dataclass(frozen=True, slots=True)
class OffenceType:
    code: str
    title: str
    category: CrimeCategory
    violent_or_sexual: bool = False
    most_serious: bool = False
    sexual: bool = False
    msa: int | None = None
    rasso: bool = False
    weapons: bool = False
    domestic_abuse: bool = False
    persistent: bool = False
    hate: bool = False
    terrorism: bool = False
    bereaved: bool = False  # a death: the victims in the case are bereaved close relatives


@cache
def catalogue() -> dict[str, OffenceType]:
    data = tomllib.loads(CATALOGUE.read_text())
    result: dict[str, OffenceType] = {}
    for row in data["offence"]:
        offence = OffenceType(
            code=row["code"],
            title=row["title"],
            category=CrimeCategory(row["category"]),
            violent_or_sexual=bool(row.get("violent_or_sexual", False)),
            most_serious=bool(row.get("most_serious", False)),
            sexual=bool(row.get("sexual", False)),
            msa=row.get("msa"),
            rasso=bool(row.get("rasso", False)),
            weapons=bool(row.get("weapons", False)),
            domestic_abuse=bool(row.get("domestic_abuse", False)),
            persistent=bool(row.get("persistent", False)),
            hate=bool(row.get("hate", False)),
            terrorism=bool(row.get("terrorism", False)),
            bereaved=bool(row.get("bereaved", False)),
        )
        result[offence.code] = offence
    return result


def offence_type(code: str) -> OffenceType | None:
    return catalogue().get(code)
