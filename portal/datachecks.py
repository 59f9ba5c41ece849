"""``portal check``: data checks an operator runs over existing records.

``portal check told-channels`` finds every obligation recorded as met (a person "told") through
a channel the safe-contact check refuses today, stores the findings for the auditor's page
(Compliance > Told through an unsafe channel) and prints them: case URN, the person's reference
(a pseudonym), entitlement, date, channel and problem; never a name or contact detail. Exit
status 1 if any is found, so it can gate a release or a scheduled job.
"""

from __future__ import annotations

import sys

import rich_click as click
from rich.console import Console
from rich.table import Table

out = Console()


@click.group(name="check", help="Data checks over existing records.")
def check() -> None:
    pass


@check.command(
    name="told-channels",
    help="List every 'told' record made through a channel the person's safe-contact rules do not "
    "allow (or without the contact detail it needs); store the findings for the auditor.",
)
def told_channels() -> None:
    from portal.db.session import make_engine, unit_of_work
    from portal.keys.vault import KeyCache, Vault
    from portal.settings import Settings
    from portal.victims_code.told_check import PROBLEMS, findings, run_check
    from portal.wiring import session_factory

    settings = Settings.from_env()
    engine = make_engine(settings)
    try:
        with unit_of_work(session_factory(engine)) as db:
            result = run_check(db, Vault(db, settings.key_provider(), KeyCache()))
            table = Table("Case", "Person", "Entitlement", "Told on", "Channel", "Problem")
            for row in findings(db, None):
                problem = PROBLEMS[row.problem]
                if row.rules_changed_since:
                    problem += " (rules changed since: check the rules at the time)"
                told = row.met_on.isoformat() if row.met_on else "-"
                table.add_row(row.urn, row.reference, row.entitlement, told, row.channel, problem)
    finally:
        engine.dispose()
    if result.found:
        out.print(table)
    out.print(
        f"{result.found} of {result.checked} 'told' records were made through a channel that "
        "is not safe."
    )
    sys.exit(1 if result.found else 0)
