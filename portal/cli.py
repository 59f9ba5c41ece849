"""The ``portal`` command: serve, migrate, manage users and build a demo instance."""

from __future__ import annotations

import os
import secrets
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import rich_click as click
from rich.table import Table

from portal.accounts.roles import Role
from portal.ops.console import (
    console,
    count_option,
    key_file,
    out,
    progress_bar,
    settings_or_stop,
)
from portal.settings import Settings

F = TypeVar("F", bound=Callable[..., Any])


@click.group(
    help="Victim and witness safeguarding portal. Configuration comes from PORTAL_* environment "
    "variables; see docs/configuration.md."
)
def main() -> None:
    pass


def _register_subcommands() -> None:
    from portal.datachecks import check
    from portal.ops.audit_cli import audit
    from portal.ops.cli import register
    from portal.ops.keys_cli import keys
    from portal.ops.totp_cli import totp
    from portal.victims_code.cli import rules

    main.add_command(rules)
    main.add_command(keys)
    main.add_command(totp)
    main.add_command(audit)
    register(main, db)
    main.add_command(check)


# --- serve ----------------------------------------------------------------------------------


@main.command(help="Run the web server (uvicorn).")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=int, help="Port to listen on.")
@click.option("--workers", default=2, show_default=True, type=int, help="Worker processes.")
@click.option(
    "--worker/--no-worker",
    "job_worker",
    default=True,
    show_default=True,
    help="Also run background jobs (bulk letters) in a thread of this process. Use --no-worker "
    "when `portal worker` runs separately.",
)
def serve(host: str, port: int, workers: int, job_worker: bool = True) -> None:
    import uvicorn

    from portal.logs import server_log_config
    from portal.web.proxies import uvicorn_proxy_options

    settings = settings_or_stop()
    _require_current_schema(settings)
    _require_working_keys(settings)
    background = None
    if job_worker:
        from portal.db.session import make_engine
        from portal.jobs.background import start_background
        from portal.logs import configure_logging

        configure_logging()
        # With several web workers this thread lives in uvicorn's supervisor process, so bulk
        # work never competes with a web worker for its interpreter lock.
        background = start_background(make_engine(settings), settings.key_provider())
    out.print(f"Safeguarding portal: http://{_browser_host(host)}:{port}")
    try:
        uvicorn.run(
            "portal.app:asgi_from_env",
            factory=True,
            host=host,
            port=port,
            workers=workers,
            server_header=False,
            date_header=True,
            log_level="info",
            log_config=server_log_config(),  # escaped, one line a record, like portal's own
            access_log=False,  # portal.access logs requests, without query strings
            **uvicorn_proxy_options(settings),  # X-Forwarded-* only from trusted proxies
        )
    finally:
        if background is not None:
            background.stop()


@main.command(
    help="Run background jobs (bulk decision letters) until stopped. Any number of workers can "
    "share the queue; run `portal serve --no-worker` alongside."
)
@click.option("--once", is_flag=True, help="Run the jobs that are due now, then exit.")
@count_option(
    "--batch",
    default=None,
    least=1,
    most=1000,
    help="Items per transaction (default: 20 on SQLite, 50 on PostgreSQL).",
)
@click.option("--poll", default=1.0, show_default=True, type=click.FloatRange(0.1, 60))
def worker(once: bool, batch: int | None, poll: float) -> None:
    import signal
    import threading

    from portal import jobs
    from portal.db.session import make_engine
    from portal.logs import configure_logging
    from portal.wiring import session_factory

    settings = settings_or_stop()
    _require_current_schema(settings)
    _require_working_keys(settings)
    configure_logging()
    engine = make_engine(settings)
    factory = session_factory(engine)
    try:
        if once:
            count = jobs.run_pending(factory, settings.key_provider(), batch=batch)
            console.print(f"{count} background {'job' if count == 1 else 'jobs'} run.")
            return
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        signal.signal(signal.SIGINT, lambda *_: stop.set())
        console.print("Background worker running. Stop it with Ctrl+C.")
        jobs.work(factory, settings.key_provider(), stop=stop, poll=poll, batch=batch)
    finally:
        engine.dispose()


def _require_current_schema(settings: Settings) -> None:
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    from portal.db.migrate import alembic_config
    from portal.db.session import make_engine
    from portal.ops.startup import stop_if_unusable

    stop_if_unusable(settings)  # an unreachable database or unwritable folder: one line
    engine = make_engine(settings)
    try:
        with engine.connect() as connection:
            current = MigrationContext.configure(connection).get_current_revision()
    finally:
        engine.dispose()
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    if current != head:
        console.print(
            "[bold red]The database is not up to date.[/] Run `portal db upgrade` "
            f"(database is at {current or 'no revision'}, code needs {head})."
        )
        sys.exit(2)


def _require_working_keys(settings: Settings) -> None:
    from portal.db.session import make_engine, unit_of_work
    from portal.keys.rotation import check_keks
    from portal.wiring import session_factory

    engine = make_engine(settings)
    try:
        with unit_of_work(session_factory(engine)) as session:
            problem = check_keks(session, settings.key_provider())
    finally:
        engine.dispose()
    if problem:
        console.print(f"[bold red]Key problem:[/] {problem}")
        sys.exit(2)
    _replay_own_erasures(settings)


def _replay_own_erasures(settings: Settings) -> None:
    """Nobody erased is served again: a database restored by other means (a file copy,
    Litestream, point-in-time recovery) may hold people the instance's ledger says are gone."""
    from portal.db.session import make_engine
    from portal.ops.erasure import replay_own_ledger
    from portal.wiring import session_factory

    engine = make_engine(settings)
    try:
        again = replay_own_ledger(session_factory(engine), settings.instance_dir)
    finally:
        engine.dispose()
    if again:
        console.print(
            f"[bold yellow]{again} erased {'person was' if again == 1 else 'people were'} "
            "readable in the database and have been erased again[/] (was it restored from a "
            "copy taken before? see docs/data-protection.md)."
        )


# --- db -------------------------------------------------------------------------------------


@main.group(help="Database schema commands.")
def db() -> None:
    pass


@db.command(help="Apply every migration up to the latest.")
def upgrade() -> None:
    from portal.db.migrate import upgrade as run_upgrade
    from portal.db.session import make_engine
    from portal.ops.startup import stop_if_unusable

    settings = settings_or_stop()
    stop_if_unusable(settings)
    engine = make_engine(settings)
    try:
        with console.status("Applying migrations"):
            run_upgrade(engine)
    finally:
        engine.dispose()
    console.print("[green]Database is up to date.[/]")


# --- keys -----------------------------------------------------------------------------------


# --- users ----------------------------------------------------------------------------------

ROLE_CHOICE = click.Choice([r.value for r in Role])


@main.group(help="Staff accounts.")
def users() -> None:
    pass


@users.command(name="create", help="Create a staff account. Prompts for the password.")
@click.option("--role", required=True, type=ROLE_CHOICE, help="The account's role.")
@click.option("--username", required=True, help="Sign-in name (letters, numbers, . - _).")
@click.option("--name", "display_name", required=True, help="The person's full name.")
@click.option(
    "--password-stdin", is_flag=True, help="Read the password from standard input (for scripts)."
)
def users_create(role: str, username: str, display_name: str, password_stdin: bool) -> None:
    from portal.accounts import service
    from portal.accounts.errors import PasswordRejected, UsernameTaken
    from portal.clock import utc_now
    from portal.db.session import make_engine, unit_of_work
    from portal.wiring import session_factory

    settings = settings_or_stop()
    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    engine = make_engine(settings)
    try:
        with unit_of_work(session_factory(engine)) as session:
            service.create_user(
                session,
                username=username,
                display_name=display_name,
                role=Role(role),
                password=password,
                now=utc_now(),
            )
    except UsernameTaken:
        console.print("[bold red]A user with that username already exists.[/]")
        sys.exit(1)
    except PasswordRejected as exc:
        console.print(f"[bold red]Password not accepted:[/] {exc.message}")
        sys.exit(1)
    finally:
        engine.dispose()
    console.print(f"[green]Created {role} account {username.strip().casefold()}.[/]")


# --- demo -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class DemoUser:
    username: str
    display_name: str
    role: Role


DEMO_USERS = (
    DemoUser("wco.demo", "Wendy Carter", Role.WITNESS_CARE_OFFICER),
    DemoUser("wco2.demo", "Amir Patel", Role.WITNESS_CARE_OFFICER),
    DemoUser("prosecutor.demo", "Priya Shah", Role.PROSECUTOR),
    DemoUser("prosecutor2.demo", "Daniel Okafor", Role.PROSECUTOR),
    DemoUser("vlu.demo", "Grace Lewis", Role.VLU_OFFICER),
    DemoUser("vlu2.demo", "Tom Hughes", Role.VLU_OFFICER),
    DemoUser("auditor.demo", "Alex Morgan", Role.AUDITOR),
    DemoUser("admin.demo", "Sam Taylor", Role.ADMIN),
    # A second administrator: accounts asked for on the web need a different one to approve.
    DemoUser("admin2.demo", "Jo Bennett", Role.ADMIN),
)


def _passphrase() -> str:
    from zxcvbn.frequency_lists import FREQUENCY_LISTS  # type: ignore[import-untyped]

    words = [w for w in FREQUENCY_LISTS["english_wikipedia"][2000:12000] if w.isalpha()]
    words = [w for w in words if 4 <= len(w) <= 8]
    return "-".join(secrets.choice(words) for _ in range(4))


@main.command(help="Create (or refresh) a demo instance with a demo user for every role.")
@click.option("--password", default=None, help="One password for every demo user.")
@click.option("--reset", is_flag=True, help="Delete the SQLite demo database first.")
@click.option("--serve", "then_serve", is_flag=True, help="Start the web server afterwards.")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@count_option("--cases", default=40, least=0, most=100_000, help="How many synthetic cases.")
@count_option(
    "--people",
    default=600,
    least=0,
    most=1_000_000,
    help="How many victims and witnesses across the ordinary cases.",
)
@count_option(
    "--big-case",
    "big_case",
    default=2000,
    least=0,
    most=100_000,
    help="Victims in the mass-victim fraud case.",
)
def demo(
    password: str | None,
    reset: bool,
    then_serve: bool,
    host: str,
    port: int,
    cases: int,
    people: int,
    big_case: int,
) -> None:

    from portal.accounts import factors, repository, service
    from portal.clock import utc_now
    from portal.db.migrate import upgrade as run_upgrade
    from portal.db.session import make_engine, unit_of_work
    from portal.keys.vault import KeyCache, Vault
    from portal.security import passwords
    from portal.wiring import session_factory

    instance = Path(os.environ.get("PORTAL_INSTANCE_DIR", "instance")).resolve()
    if not os.environ.get("PORTAL_SECRET_KEY"):
        key_file(instance)
    settings = settings_or_stop()
    if password is not None:
        verdict = passwords.check_password_policy(password)
        if not verdict.ok:
            console.print(f"[bold red]--password not accepted:[/] {verdict.message}")
            sys.exit(2)
    if reset and settings.is_sqlite:
        for suffix in ("", "-wal", "-shm"):
            Path(str(settings.instance_dir / "portal.db") + suffix).unlink(missing_ok=True)
    engine = make_engine(settings)
    factory = session_factory(engine)
    logins: list[tuple[DemoUser, str, str]] = []
    try:
        with console.status("Applying migrations"):
            run_upgrade(engine)
        with progress_bar() as progress:
            task = progress.add_task("Creating demo users", total=len(DEMO_USERS))
            for demo_user in DEMO_USERS:
                chosen = password or _passphrase()
                with unit_of_work(factory) as session:
                    existing = repository.find_user_by_username(session, demo_user.username)
                    if existing is None:
                        existing = service.create_user(
                            session,
                            username=demo_user.username,
                            display_name=demo_user.display_name,
                            role=demo_user.role,
                            password=chosen,
                            now=utc_now(),
                        )
                    else:
                        service.set_password_as_operator(
                            session, user=existing, password=chosen, now=utc_now()
                        )
                        existing.is_active = True
                    # A second factor set up for them: the table prints its key (`portal totp`).
                    vault = Vault(session, settings.key_provider(), KeyCache())
                    secret = factors.enrol_as_operator(session, vault, existing, utc_now())
                logins.append((demo_user, chosen, secret))
                progress.advance(task)
            from rich.progress import TaskID

            from portal.demo import seed_demo
            from portal.demo.extras import apply_extras

            tasks: dict[str, TaskID] = {}

            def report(description: str, advance: int, total: int) -> None:
                if description not in tasks:
                    tasks[description] = progress.add_task(description, total=total)
                progress.advance(tasks[description], advance)

            summary = seed_demo(
                factory,
                settings,
                cases=cases,
                people=people,
                big_case_victims=big_case,
                progress=report,
            )
            if not summary.skipped:
                extras_task = progress.add_task(
                    "Recording outcomes and sealing identities", total=1
                )
                apply_extras(factory, settings, big_urn=summary.big_case_urn)
                progress.advance(extras_task)
    finally:
        engine.dispose()

    table = Table(title="Demo logins (synthetic data only)")
    table.add_column("Username", style="bold")
    table.add_column("Role")
    table.add_column("Password", no_wrap=True)
    table.add_column("Authenticator key (TOTP)", no_wrap=True)
    for demo_user, chosen, secret in logins:
        table.add_row(demo_user.username, demo_user.role.label, chosen, secret)
    out.print(table)
    out.print(
        "Second factor: add the key to an authenticator app, or run "
        "`portal totp <username>` for the current 6-digit code (each code works once). "
        "Unmasking, approvals, disclosure overrides and account decisions also ask for a "
        "passkey: the portal offers to register one the first time."
    )
    out.print(f"Portal URL: http://{_browser_host(host)}:{port}")
    if then_serve:
        serve.callback(host=host, port=port, workers=1)  # type: ignore[misc]


_register_subcommands()


def _browser_host(host: str) -> str:
    """The host to open in a browser: ``localhost`` for the loopback address, since passkeys
    need a host name (browsers refuse an IP address as their relying party)."""
    return "localhost" if host in {"127.0.0.1", "::1"} else host
