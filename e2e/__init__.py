"""Browser journeys against a real ``portal serve`` in Chromium (see e2e/conftest.py)."""
