"""A session's device is a few words from fixed lists, never the User-Agent itself."""

from __future__ import annotations

import pytest

from portal.accounts.devices import MAX_LENGTH, describe_device

CHROME_WINDOWS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36"
)


@pytest.mark.parametrize(
    ("user_agent", "device"),
    [
        (CHROME_WINDOWS, "Chrome on Windows"),
        (CHROME_WINDOWS + " Edg/131.0.0.0", "Edge on Windows"),
        (
            "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_7) AppleWebKit/605.1.15 (KHTML, like "
            "Gecko) Version/18.1 Safari/605.1.15",
            "Safari on macOS",
        ),
        (
            "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0",
            "Firefox on Linux",
        ),
        (
            "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/131.0.0.0 Mobile Safari/537.36",
            "Chrome on Android",
        ),
        (
            "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
            "HeadlessChrome/131.0.0.0 Safari/537.36",
            "Chrome on Linux",
        ),
        ("Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) Chrome/131.0.0.0", "Chrome on ChromeOS"),
        ("SomeTool/1.0 (Windows)", "A browser on Windows"),
        ("curl/8.5.0", "Unknown device"),
        ("", "Unknown device"),
        (None, "Unknown device"),
    ],
)
def test_devices_are_described_in_a_few_words(user_agent: str | None, device: str) -> None:
    assert describe_device(user_agent) == device


def test_nothing_of_the_header_itself_is_kept() -> None:
    hostile = "Mozilla/5.0 (Windows NT 10.0; serial=ABC123; 10.1.2.3) " + "x" * 10_000
    described = describe_device(hostile)
    assert described == "A browser on Windows"
    assert len(described) <= MAX_LENGTH
