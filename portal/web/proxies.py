"""Which forwarded headers the server believes (PORTAL_TRUSTED_PROXIES).

uvicorn on its own trusts ``X-Forwarded-For`` and ``X-Forwarded-Proto`` from loopback (and from
``FORWARDED_ALLOW_IPS``). Anything on the machine could then claim any client address and walk
round the per-address sign-in limit. The portal believes forwarded headers only from the proxies
named in the setting, and from nobody when it is empty (the default).
"""

from __future__ import annotations

from typing import Any

from portal.settings import Settings


def uvicorn_proxy_options(settings: Settings) -> dict[str, Any]:
    """Keyword arguments for ``uvicorn.run`` / ``uvicorn.Config``."""
    if not settings.trusted_proxies:
        return {"proxy_headers": False, "forwarded_allow_ips": []}
    return {"proxy_headers": True, "forwarded_allow_ips": list(settings.trusted_proxies)}
