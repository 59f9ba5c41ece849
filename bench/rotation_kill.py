"""Issue 3 acceptance at full size: rotation over 100,000 values, killed part-way and resumed.

    .venv/bin/python -m bench.rotation_kill [--people 20000]

Seeds N people x 5 sealed fields in a fresh instance, starts `portal keys rotate --data`,
kills it with SIGKILL once a quarter of the keys have moved, runs it again to completion, and
checks every value decrypts to what was written and none is left on a retired key.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import create_engine, func, select

from portal.db.migrate import upgrade
from portal.db.session import make_engine, unit_of_work
from portal.keys import rotation
from portal.keys.models import DataKey
from portal.settings import Settings, write_key_file
from portal.wiring import session_factory
from tests.integration.test_key_rotation import check_all, seed
from tests.support.database import fresh_database


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=20_000)
    args = parser.parse_args()
    cli = str(Path(sys.executable).parent / "portal")
    with tempfile.TemporaryDirectory() as tmp, fresh_database(Path(tmp), "kill") as url:
        instance = Path(tmp) / "instance"
        write_key_file(instance)
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("PORTAL_")},
            "PORTAL_INSTANCE_DIR": str(instance),
            "PORTAL_DATABASE_URL": url,
        }
        settings = Settings.from_env(env)
        engine = make_engine(settings)
        watcher = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
        try:
            upgrade(engine)
            factory = session_factory(engine)
            provider = settings.key_provider()
            expected = seed(factory, provider, args.people)
            began = time.perf_counter()
            process = subprocess.Popen(
                [cli, "keys", "rotate", "--data"],
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            retired = 0
            while process.poll() is None:
                with watcher.connect() as conn:
                    retired = conn.execute(
                        select(func.count()).select_from(DataKey).where(DataKey.state == "retired")
                    ).scalar_one()
                if retired >= args.people // 4:
                    process.send_signal(signal.SIGKILL)
                    break
                time.sleep(0.05)
            process.wait()
            killed_after = retired
            finished = subprocess.run(
                [cli, "keys", "rotate", "--data"],
                env=env,
                capture_output=True,
                text=True,
                check=True,
            )
            elapsed = time.perf_counter() - began
            check_all(factory, provider, expected)
            with unit_of_work(factory) as db:
                left = rotation.values_left_on_retired_keys(db)
        finally:
            watcher.dispose()
            engine.dispose()
    print(
        json.dumps(
            {
                "database": url.split(":", 1)[0],
                "values": args.people * 5,
                "killed_after_keys": killed_after,
                "resumed_output": finished.stdout.strip().splitlines()[-1:],
                "decrypt_failures": 0,
                "values_left_on_old_keys": left,
                "total_seconds_including_resume": round(elapsed, 1),
            }
        )
    )


if __name__ == "__main__":
    main()
