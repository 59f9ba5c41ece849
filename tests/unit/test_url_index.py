"""Links by route name: the index answers exactly as Starlette's walk over the routes would."""

from __future__ import annotations

import uuid

import pytest
from starlette.routing import Mount, NoMatchFound, Route, Router
from starlette.staticfiles import StaticFiles

from portal.app import STATIC_DIR, all_routes
from portal.web.urls import index_url_paths


def _endpoint() -> None:  # pragma: no cover - never called
    pass


def _sample(convertor: object) -> object:
    name = type(convertor).__name__
    return {"UUIDConvertor": uuid.UUID(int=7), "IntegerConvertor": 3}.get(name, "x")


def test_every_portal_route_links_as_starlette_would() -> None:
    routes = [*all_routes(), Mount("/static", app=StaticFiles(directory=STATIC_DIR), name="static")]
    walked = Router(routes=routes)
    indexed = Router(routes=routes)
    index_url_paths(indexed)
    checked = 0
    for route in routes:
        if not isinstance(route, Route):
            continue
        params = {key: _sample(c) for key, c in route.param_convertors.items()}
        assert indexed.url_path_for(route.name, **params) == walked.url_path_for(
            route.name, **params
        )
        checked += 1
    assert checked > 100
    assert indexed.url_path_for("static", path="css/portal.css") == "/static/css/portal.css"


def test_same_name_different_params_and_unknown_names() -> None:
    router = Router(
        routes=[
            Route("/a/{n:int}", _endpoint, name="thing"),
            Route("/b/{s}", _endpoint, name="thing"),
        ]
    )
    index_url_paths(router)
    assert router.url_path_for("thing", n=2) == "/a/2"
    assert router.url_path_for("thing", s="z") == "/b/z"
    with pytest.raises(NoMatchFound):
        router.url_path_for("thing", other=1)
    with pytest.raises(NoMatchFound):
        router.url_path_for("nothing")
