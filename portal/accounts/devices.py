"""A few words for the device a session was signed in from, read from its User-Agent.

Only a browser family and an operating system from fixed lists are kept ("Firefox on Windows"),
never the header itself (it can carry a machine's build, plug-ins or an identifier) and never
the address: it is enough for a user to recognise their own sessions (issue 18 point 6).
"""

from __future__ import annotations

# Most specific first: Edge and Opera say "Chrome" too, Chrome says "Safari".
_BROWSERS = (
    ("Edg/", "Edge"),
    ("EdgA/", "Edge"),
    ("OPR/", "Opera"),
    ("Firefox/", "Firefox"),
    ("FxiOS/", "Firefox"),
    ("CriOS/", "Chrome"),
    ("Chromium/", "Chromium"),
    ("Chrome/", "Chrome"),
    ("Safari/", "Safari"),
)
_SYSTEMS = (
    ("iPhone", "iPhone"),
    ("iPad", "iPad"),
    ("Android", "Android"),
    ("CrOS", "ChromeOS"),
    ("Windows", "Windows"),
    ("Mac OS X", "macOS"),
    ("Macintosh", "macOS"),
    ("Linux", "Linux"),
)
UNKNOWN = "Unknown device"
MAX_LENGTH = 60  # the column's size; every description here is far shorter


def describe_device(user_agent: str | None) -> str:
    """``"Chrome on Windows"``, ``"A browser on Linux"``, or ``"Unknown device"``."""
    text = (user_agent or "")[:512]
    browser = next((name for mark, name in _BROWSERS if mark in text), None)
    system = next((name for mark, name in _SYSTEMS if mark in text), None)
    if browser and system:
        return f"{browser} on {system}"
    if system:
        return f"A browser on {system}"
    return browser or UNKNOWN
