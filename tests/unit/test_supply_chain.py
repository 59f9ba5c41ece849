"""The two dependency locks (issue 18 point 7): production installs never include a test or
lint tool, and the development lock holds the production pins unchanged."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).parents[2]
PIN = re.compile(r"^([A-Za-z0-9_.-]+)==(\S+)", re.M)


def _pins(name: str) -> dict[str, str]:
    text = (ROOT / "requirements" / name).read_text()
    assert "--hash=sha256:" in text  # installs are hash-checked (pip --require-hashes)
    return {k.lower().replace("_", "-"): v for k, v in PIN.findall(text)}


def _names(requirements: list[str]) -> set[str]:
    return {re.split(r"[<>=!~\[; ]", r, maxsplit=1)[0].lower() for r in requirements}


def test_the_runtime_lock_holds_no_development_tool() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    dev_tools = _names(project["optional-dependencies"]["dev"])
    runtime = _pins("runtime.txt")
    assert _names(project["dependencies"]) <= set(runtime)
    assert not dev_tools & set(runtime), dev_tools & set(runtime)
    assert not {"pytest", "mypy", "playwright", "ruff", "hypothesis"} & set(runtime)


def test_the_development_lock_keeps_every_runtime_pin() -> None:
    runtime, dev = _pins("runtime.txt"), _pins("dev.txt")
    assert {name: (version, dev.get(name)) for name, version in runtime.items()} == {
        name: (version, version) for name, version in runtime.items()
    }
    assert {"pytest", "mypy", "playwright", "cyclonedx-bom"} <= set(dev)


def test_no_lock_names_a_machine_path() -> None:
    for name in ("runtime.txt", "dev.txt", "build.txt"):
        text = (ROOT / "requirements" / name).read_text()
        assert "file://" not in text and "--find-links" not in text, name
