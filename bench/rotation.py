"""Benchmark: key rotation rates over 100,000 encrypted values (issue 3).

    .venv/bin/python -m bench.rotation [--people 20000] [--database-url URL]

Seeds N people with 5 sealed fields each (5N values, one data key per person), then times
``rewrap_all`` (KEK rotation: keys/s) and ``rotate_data`` (re-encryption: values/s), and checks
that every value still decrypts and none is left on a retired key. Prints one JSON line.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

from portal.db.migrate import upgrade
from portal.db.session import make_engine, unit_of_work
from portal.keys import rotation
from portal.security.crypto import LocalKeyProvider
from portal.settings import Settings
from portal.wiring import session_factory
from tests.integration.test_key_rotation import check_all, seed
from tests.support.database import fresh_database


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=20_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, fresh_database(Path(tmp), "bench") as url:
        settings = Settings.from_env(
            {
                "PORTAL_INSTANCE_DIR": tmp,
                "PORTAL_DATABASE_URL": url,
                "PORTAL_SECRET_KEY": "ab" * 32,
                "PORTAL_KEK": "k1:" + "01" * 32,
            }
        )
        engine = make_engine(settings)
        try:
            upgrade(engine)
            factory = session_factory(engine)
            old = LocalKeyProvider({"k1": b"\x01" * 32}, "k1")
            both = LocalKeyProvider({"k2": b"\x02" * 32, "k1": b"\x01" * 32}, "k2")
            began = time.perf_counter()
            expected = seed(factory, old, args.people)
            seeded = time.perf_counter() - began
            began = time.perf_counter()
            keys = rotation.rewrap_all(factory, both)
            rewrap = time.perf_counter() - began
            began = time.perf_counter()
            rotated = rotation.rotate_data(factory, both)
            data = time.perf_counter() - began
            check_all(factory, both, expected)
            with unit_of_work(factory) as db:
                left = rotation.values_left_on_retired_keys(db)
        finally:
            engine.dispose()
    values = args.people * 5
    print(
        json.dumps(
            {
                "database": url.split(":", 1)[0],
                "values": values,
                "seed_values_per_s": round(values / seeded),
                "kek_rewrap_keys": keys,
                "kek_rewrap_keys_per_s": round(keys / rewrap),
                "data_keys_rotated": rotated,
                "data_rotation_values_per_s": round(values / data),
                "values_left_on_old_keys": left,
            }
        )
    )


if __name__ == "__main__":
    main()
