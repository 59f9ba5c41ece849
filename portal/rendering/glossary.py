"""The words officers read in place of abbreviations and codes (issue 15 point 9).

``ABBREVIATIONS`` is the one glossary: the page-words test checks that every page spells out
each abbreviation it uses (or marks it with ``<abbr title>``). ``words`` turns a stored code
(``event.first_hearing``) into words.
"""

from __future__ import annotations

ABBREVIATIONS: dict[str, str] = {
    "CPS": "Crown Prosecution Service",
    "ICTG": "Independent Child Trafficking Guardian",
    "ISVA": "Independent Sexual Violence Adviser",
    "NRM": "National Referral Mechanism",
    "OIC": "Officer in the case",
    "SOAA": "Sexual Offences (Amendment) Act",
    "URN": "Unique reference number",
    "VCL": "Victim Communication and Liaison",
    "VLU": "Victim Liaison Unit",
    "VPS": "Victim Personal Statement",
    "WAO": "Witness anonymity order",
    "WCU": "Witness Care Unit",
    "YJCEA": "Youth Justice and Criminal Evidence Act",
}


def words(code: str | None) -> str:
    """``event.first_hearing`` as "Event: first hearing"; ``None`` as an empty string."""
    if not code:
        return ""
    parts = [part.replace("_", " ") for part in str(code).split(".")]
    head, *rest = parts
    text = head[:1].upper() + head[1:]
    return f"{text}: {' '.join(rest)}" if rest else text
