"""``portal audit``: verify the access log's hash chain, export signed checkpoints."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import rich_click as click

from portal.ops.console import console, out, settings_or_stop


@click.group(help="The access and change log (DPA 2018 s62).")
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

    settings = settings_or_stop()
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

    settings = settings_or_stop()
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
