"""docs/data-protection.md lists every column, and says truthfully whether it is encrypted."""

from __future__ import annotations

import re
from pathlib import Path

import portal.models  # noqa: F401
from portal.db.base import Base
from portal.db.encrypted import EncryptedBlob

DOC = Path(__file__).parents[2] / "docs" / "data-protection.md"


def test_every_column_is_listed_with_its_protection() -> None:
    text = DOC.read_text()
    rows = dict(re.findall(r"^\| `([a-z_]+\.[a-z_]+)` \| ([^|]+) \|", text, re.MULTILINE))
    problems = []
    for table in Base.metadata.sorted_tables:
        for column in table.columns:
            key = f"{table.name}.{column.name}"
            encrypted = isinstance(column.type, EncryptedBlob)
            documented = rows.get(key)
            if documented is None:
                problems.append(f"{key} is not documented")
            elif ("encrypted" in documented) != encrypted:
                problems.append(f"{key} is documented as {documented.strip()!r}")
    assert not problems, problems


def test_personal_columns_are_encrypted() -> None:
    personal = {
        "person": {
            "full_name",
            "aliases",
            "date_of_birth",
            "address",
            "phone",
            "email",
            "business_contact",
            "communication_needs",
            "safe_contact",
            "representative",
        },
        "defendant": {"full_name", "date_of_birth"},
        "person_reference": {"value"},
        "needs_assessment": {"needs"},
        "safeguarding_action": {"description"},
        "victim_loss": {"kind", "amount", "description"},
        "apportionment_share": {"amount"},
        "compensation_order": {"reason"},
        "ancillary_order": {"terms"},
    }
    for table_name, columns in personal.items():
        table = Base.metadata.tables[table_name]
        for column in columns:
            assert isinstance(table.c[column].type, EncryptedBlob), f"{table_name}.{column}"
