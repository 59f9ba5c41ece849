"""``portal totp USERNAME``: the code a user's authenticator app shows now.

For testers of a demo instance (whose users ``portal demo`` enrols): it needs the instance's
keys, so only someone at the server's console can run it, as with ``portal users create``.
"""

from __future__ import annotations

import sys

import rich_click as click

from portal.ops.console import console, out, settings_or_stop


@click.command(help="Print the current second-factor code of USERNAME (demo and test use).")
@click.argument("username")
def totp(username: str) -> None:
    from portal.accounts import factors, repository
    from portal.accounts.throttle import normalise_username
    from portal.clock import utc_now
    from portal.db.session import make_engine, read_unit_of_work
    from portal.keys.vault import KeyCache, Vault
    from portal.wiring import session_factory

    settings = settings_or_stop()
    engine = make_engine(settings)
    try:
        with read_unit_of_work(session_factory(engine)) as db:
            user = repository.find_user_by_username(db, normalise_username(username))
            vault = Vault(db, settings.key_provider(), KeyCache())
            code = None if user is None else factors.current_code(db, vault, user, utc_now())
    finally:
        engine.dispose()
    if code is None:
        console.print("[bold red]No user with that username has a second factor set up.[/]")
        sys.exit(1)
    out.print(code)
