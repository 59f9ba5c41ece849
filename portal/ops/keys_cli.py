"""``portal keys``: create the instance key file, rotate KEKs, data keys and the blind-index key,
and recompute the blind indexes (all resumable)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

import rich_click as click

from portal.ops.console import console, count_option, key_file, progress_bar, settings_or_stop

if TYPE_CHECKING:
    from sqlalchemy.orm import Session, sessionmaker

    from portal.settings import Settings


@click.group(help="Key management.")
def keys() -> None:
    pass


@keys.command(name="init", help="Create the instance key file (0600) if it does not exist.")
def keys_init() -> None:
    path = key_file(_instance_dir())
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
    "--index",
    "index",
    is_flag=True,
    help="Replace the blind-index key and recompute every blind index under it.",
)
@count_option("--batch", default=200, least=1, most=10_000, help="Keys moved per transaction.")
def keys_rotate(data: bool, index: bool, batch: int) -> None:
    from portal.db.session import make_engine, unit_of_work
    from portal.keys import rotation
    from portal.settings import add_kek
    from portal.wiring import session_factory

    settings = settings_or_stop()
    engine = make_engine(settings)
    factory = session_factory(engine)
    try:
        if index:
            from portal.people import name_index

            fresh = name_index.start_index_rotation(factory, settings.key_provider())
            console.print("New blind-index key made." if fresh else "Resuming: the new key stays.")
            _reindex(settings, factory, batch)
            name_index.finish_index_rotation(factory)
            return
        if data:
            with progress_bar() as progress:
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
            settings = settings_or_stop()
            provider = settings.key_provider()
        elif pending:
            console.print(f"Resuming: {pending} data keys still wrapped by an older KEK.")
        with progress_bar() as progress:
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


@keys.command(
    name="reindex",
    help="Recompute every person's blind indexes (exact name, name words and sounds, date of "
    "birth, reference numbers) under the current index key: after `portal db upgrade` to 0018, "
    "or a change of PORTAL_BLIND_INDEX_BITS. Safe to interrupt and run again.",
)
@count_option("--batch", default=200, least=1, most=10_000, help="People per transaction.")
def keys_reindex(batch: int) -> None:
    from portal.db.session import make_engine
    from portal.wiring import session_factory

    settings = settings_or_stop()
    engine = make_engine(settings)
    try:
        _reindex(settings, session_factory(engine), batch)
    finally:
        engine.dispose()


def _reindex(settings: Settings, factory: sessionmaker[Session], batch: int) -> None:
    from portal.people import name_index

    with progress_bar() as progress:
        task = progress.add_task("Recomputing blind indexes", total=None)
        done = name_index.reindex(
            factory,
            settings.key_provider(),
            index_bits=settings.blind_index_bits,
            batch=batch,
            progress=lambda done, total: progress.update(task, completed=done, total=total),
        )
    console.print(f"[green]Blind indexes recomputed for {done} people.[/]")


# --- audit ----------------------------------------------------------------------------------
