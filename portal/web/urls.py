"""Page links by route name in one dictionary look-up.

Starlette's router finds the route for ``url_for`` by asking every route in turn, so each link
on a page cost a walk over the portal's few hundred routes (performance-results.md: 14 links a
case page, about a tenth of its time). ``index_url_paths`` gives the router an index by name,
built once when the app is made; the answer is the route's own ``url_path_for``, so a link is
exactly what Starlette would have built, and a name the index does not hold still takes the
router's walk (and its ``NoMatchFound``).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from starlette.datastructures import URLPath
from starlette.routing import BaseRoute, NoMatchFound, Router

__all__ = ["index_url_paths"]


def index_url_paths(router: Router) -> None:
    """Replace ``router.url_path_for`` with a look-up by route name."""
    by_name: defaultdict[str, list[BaseRoute]] = defaultdict(list)
    for route in router.routes:
        name = getattr(route, "name", None)
        if name:
            by_name[name].append(route)
    walk = router.url_path_for

    def url_path_for(name: str, /, **path_params: Any) -> URLPath:
        for route in by_name.get(name, ()):
            try:
                return route.url_path_for(name, **path_params)
            except NoMatchFound:
                continue
        return walk(name, **path_params)  # "mount:child" names, and the error for no match

    router.url_path_for = url_path_for  # type: ignore[method-assign]
