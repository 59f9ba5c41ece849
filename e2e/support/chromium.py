"""Find a Chromium for the browser tests: Playwright's own build if installed, else Debian's.

``python -m e2e.support.chromium --check`` exits 0 and prints the choice when one is found; the
test command uses it to install Debian's package or fail with instructions before pytest starts.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

SYSTEM_CHROMIUM = Path("/usr/bin/chromium")
# Without these, Chromium tries to reach Google's services, which this closed network refuses.
SYSTEM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def playwright_chromium() -> Path | None:
    """The path of Playwright's bundled Chromium, if it has been downloaded."""
    try:
        from playwright.sync_api import sync_playwright

        with sync_playwright() as p:
            path = Path(p.chromium.executable_path)
    except Exception:  # any failure means "not available"
        return None
    return path if path.exists() else None


def system_chromium() -> Path | None:
    if SYSTEM_CHROMIUM.exists():
        return SYSTEM_CHROMIUM
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    return Path(found) if found else None


def launch_args() -> dict[str, object]:
    """Keyword arguments for ``browser_type.launch``; raises if no Chromium is available."""
    if playwright_chromium() is not None:
        return {}
    system = system_chromium()
    if system is None:
        raise RuntimeError(
            "No Chromium for the browser tests: install one with 'apt-get install chromium' "
            "or '.venv/bin/playwright install chromium'."
        )
    return {"executable_path": str(system), "args": SYSTEM_ARGS}


def main() -> int:
    own = playwright_chromium()
    if own is not None:
        sys.stdout.write(f"Playwright's Chromium: {own}\n")
        return 0
    system = system_chromium()
    if system is not None:
        sys.stdout.write(f"System Chromium: {system}\n")
        return 0
    sys.stderr.write("No Chromium found\n")
    return 1


if __name__ == "__main__":
    raise SystemExit(main())
