"""The ``portal`` command: serve, migrate, manage users and build a demo instance."""

from __future__ import annotations

import os
import secrets
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import rich_click as click
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from portal.accounts.roles import Role
from portal.settings import Settings, SettingsError, write_key_file

console = Console(stderr=True)
out = Console()

F = TypeVar("F", bound=Callable[..., Any])


def _settings() -> Settings:
    try:
        return Settings.from_env()
    except SettingsError as exc:
        _configuration_problem(exc)


def _key_file(instance_dir: Path) -> Path:
    try:
        return write_key_file(instance_dir)
    except SettingsError as exc:
        _configuration_problem(exc)


def _configuration_problem(exc: SettingsError) -> NoReturn:
    console.print(f"[bold red]Configuration problem:[/] {exc}", soft_wrap=True)  # one line
    sys.exit(2)


def _progress() -> Progress:
    return Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
        console=console,
        transient=False,
    )


@click.group(
    help="Victim and witness safeguarding portal. Configuration comes from PORTAL_* environment "
    "variables; see docs/configuration.md."
)
def main() -> None:
    pass


def _register_subcommands() -> None:
    from portal.datachecks import check
    from portal.ops.cli import register
    from portal.victims_code.cli import rules

    main.add_command(rules)
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

    settings = _settings()
    _require_current_schema(settings)
    _require_working_keys(settings)
    background = None
    if job_worker:
        from portal.db.session import make_engine
        from portal.logs import configure_logging
        from portal.vlu.jobs import start_background

        configure_logging()
        # With several web workers this thread lives in uvicorn's supervisor process, so bulk
        # work never competes with a web worker for its interpreter lock.
        background = start_background(make_engine(settings), settings.key_provider())
    out.print(f"Safeguarding portal: http://{host}:{port}")
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
@click.option(
    "--batch",
    default=None,
    type=click.IntRange(1, 1000),
    help="Items per transaction (default: 20 on SQLite, 50 on PostgreSQL).",
)
@click.option("--poll", default=1.0, show_default=True, type=click.FloatRange(0.1, 60))
def worker(once: bool, batch: int | None, poll: float) -> None:
    import signal
    import threading

    from portal.db.session import make_engine
    from portal.logs import configure_logging
    from portal.vlu import jobs
    from portal.wiring import session_factory

    settings = _settings()
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


# --- db -------------------------------------------------------------------------------------


@main.group(help="Database schema commands.")
def db() -> None:
    pass


@db.command(help="Apply every migration up to the latest.")
def upgrade() -> None:
    from portal.db.migrate import upgrade as run_upgrade
    from portal.db.session import make_engine
    from portal.ops.startup import stop_if_unusable

    settings = _settings()
    stop_if_unusable(settings)
    engine = make_engine(settings)
    try:
        with console.status("Applying migrations"):
            run_upgrade(engine)
    finally:
        engine.dispose()
    console.print("[green]Database is up to date.[/]")


# --- keys -----------------------------------------------------------------------------------


@main.group(help="Key management.")
def keys() -> None:
    pass


@keys.command(name="init", help="Create the instance key file (0600) if it does not exist.")
def keys_init() -> None:
    path = _key_file(_instance_dir())
    console.print(f"Key file: {path}")


def _instance_dir() -> Path:
    return Path(os.environ.get("PORTAL_INSTANCE_DIR", "instance")).resolve()


@keys.command(
    name="rotate",
    help="Re-wrap every data key under a new KEK (fast), or with --data re-encrypt every value "
    "under new data keys. Safe to interrupt and run again: it carries on where it stopped.",
)
@click.option("--data", "data", is_flag=True, help="Re-encrypt values under new data keys.")
@click.option(
    "--batch",
    default=200,
    show_default=True,
    type=click.IntRange(1, 10_000),
    help="Keys moved per transaction.",
)
def keys_rotate(data: bool, batch: int) -> None:
    from portal.db.session import make_engine, unit_of_work
    from portal.keys import rotation
    from portal.settings import add_kek
    from portal.wiring import session_factory

    settings = _settings()
    engine = make_engine(settings)
    factory = session_factory(engine)
    try:
        if data:
            with _progress() as progress:
                task = progress.add_task("Re-encrypting under new data keys", total=None)
                rotated = rotation.rotate_data(
                    factory,
                    settings.key_provider(),
                    batch=batch,
                    progress=lambda done, total: progress.update(task, completed=done, total=total),
                )
            with unit_of_work(factory) as session:
                left = rotation.values_left_on_retired_keys(session)
            console.print(f"[green]{rotated} data keys rotated; {left} values left on old keys.[/]")
            return
        provider = settings.key_provider()
        with unit_of_work(factory) as session:
            pending = rotation.keys_off_active_kek(session, provider)
        if pending == 0 and not os.environ.get("PORTAL_KEK"):
            kek_id = add_kek(_instance_dir())
            console.print(f"New KEK {kek_id} added to the key file and made active.")
            settings = _settings()
            provider = settings.key_provider()
        elif pending:
            console.print(f"Resuming: {pending} data keys still wrapped by an older KEK.")
        with _progress() as progress:
            task = progress.add_task("Re-wrapping data keys", total=None)
            done = rotation.rewrap_all(
                factory,
                provider,
                batch=batch,
                progress=lambda done, total: progress.update(task, completed=done, total=total),
            )
        console.print(
            f"[green]{done} data keys re-wrapped under {provider.active_kek_id}.[/] Keep the old "
            "KEK until backups made before now have expired."
        )
    finally:
        engine.dispose()


# --- audit ----------------------------------------------------------------------------------


@main.group(help="The access and change log (DPA 2018 s62).")
def audit() -> None:
    pass


@audit.command(name="verify", help="Check the log's hash chain; report the first broken link.")
@click.option(
    "--checkpoint",
    "checkpoint_files",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False),
    help="A checkpoint file exported earlier; its signature and hash must match.",
)
def audit_verify(checkpoint_files: tuple[str, ...]) -> None:
    import json

    from sqlalchemy import select

    from portal.audit.models import AuditEvent
    from portal.audit.verify import (
        checkpoint_signature_ok,
        public_key_of,
        verify_against_checkpoints,
    )
    from portal.db.session import make_engine, unit_of_work
    from portal.settings import audit_signing_key
    from portal.wiring import session_factory

    settings = _settings()
    checkpoints = []
    trusted = (
        None
        if os.environ.get("PORTAL_KEK")
        else public_key_of(audit_signing_key(settings.instance_dir))
    )
    for name in checkpoint_files:
        checkpoint = json.loads(Path(name).read_text())
        if trusted is not None and not checkpoint_signature_ok(checkpoint, trusted):
            console.print(f"[bold red]Checkpoint {name} has a bad signature.[/]")
            sys.exit(1)
        checkpoints.append(checkpoint)
    engine = make_engine(settings)
    try:
        with unit_of_work(session_factory(engine)) as session, console.status("Verifying"):
            entries = session.scalars(
                select(AuditEvent).order_by(AuditEvent.seq).execution_options(yield_per=2000)
            )
            verdict = verify_against_checkpoints(entries, checkpoints)
    finally:
        engine.dispose()
    out.print(verdict.describe())
    sys.exit(0 if verdict.ok else 1)


@audit.command(name="checkpoint", help="Export a signed checkpoint of the log's current head.")
@click.option("--out", "out_file", type=click.Path(dir_okay=False), help="Write it to this file.")
def audit_checkpoint(out_file: str | None) -> None:
    import json

    from sqlalchemy import select

    from portal.audit.models import AuditEvent
    from portal.audit.verify import make_checkpoint
    from portal.clock import utc_now
    from portal.db.session import make_engine, unit_of_work
    from portal.settings import audit_signing_key
    from portal.wiring import session_factory

    settings = _settings()
    engine = make_engine(settings)
    try:
        with unit_of_work(session_factory(engine)) as session:
            last = session.scalars(
                select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(1)
            ).first()
    finally:
        engine.dispose()
    if last is None:
        console.print("The log is empty: nothing to checkpoint.")
        sys.exit(1)
    checkpoint = make_checkpoint(last, audit_signing_key(settings.instance_dir), utc_now())
    text = json.dumps(checkpoint, indent=2)
    if out_file:
        Path(out_file).write_text(text + "\n")
        console.print(
            f"Checkpoint of entry {last.seq} written to {out_file}. Keep it off this machine."
        )
    else:
        out.print(text)


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

    settings = _settings()
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
@click.option(
    "--cases",
    default=40,
    show_default=True,
    type=click.IntRange(0, 100_000),
    help="How many synthetic cases.",
)
@click.option(
    "--people",
    default=600,
    show_default=True,
    type=click.IntRange(0, 1_000_000),
    help="How many victims and witnesses across the ordinary cases.",
)
@click.option(
    "--big-case",
    "big_case",
    default=2000,
    show_default=True,
    type=click.IntRange(0, 100_000),
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
    import os
    from pathlib import Path

    from portal.accounts import repository, service
    from portal.clock import utc_now
    from portal.db.migrate import upgrade as run_upgrade
    from portal.db.session import make_engine, unit_of_work
    from portal.security import passwords
    from portal.wiring import session_factory

    instance = Path(os.environ.get("PORTAL_INSTANCE_DIR", "instance")).resolve()
    if not os.environ.get("PORTAL_SECRET_KEY"):
        _key_file(instance)
    settings = _settings()
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
    logins: list[tuple[DemoUser, str]] = []
    try:
        with console.status("Applying migrations"):
            run_upgrade(engine)
        with _progress() as progress:
            task = progress.add_task("Creating demo users", total=len(DEMO_USERS))
            for demo_user in DEMO_USERS:
                chosen = password or _passphrase()
                with unit_of_work(factory) as session:
                    existing = repository.find_user_by_username(session, demo_user.username)
                    if existing is None:
                        service.create_user(
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
                logins.append((demo_user, chosen))
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
                apply_extras(factory, settings)
                progress.advance(extras_task)
    finally:
        engine.dispose()

    table = Table(title="Demo logins (synthetic data only)")
    table.add_column("Username", style="bold")
    table.add_column("Role")
    table.add_column("Password", no_wrap=True)
    for demo_user, chosen in logins:
        table.add_row(demo_user.username, demo_user.role.label, chosen)
    out.print(table)
    out.print(f"Portal URL: http://{host}:{port}")
    if then_serve:
        serve.callback(host=host, port=port, workers=1)  # type: ignore[misc]


_register_subcommands()
