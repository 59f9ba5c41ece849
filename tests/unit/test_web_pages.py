"""The shared route helpers of portal.web.pages and portal.web.downloads.pdf_response."""

from __future__ import annotations

from dataclasses import dataclass

from starlette.responses import Response

from portal.web.downloads import pdf_response
from portal.web.pages import form_page, get, model_context, post, safe_next
from portal.web.routing import PUBLIC, RequestContext


@dataclass(frozen=True)
class _Page:
    case: str
    initial: dict[str, str]


def _handler(ctx: RequestContext) -> Response:
    return Response()


def test_model_context_names_the_fields_less_skipped_then_extras() -> None:
    page = _Page(case="01AB", initial={"a": "b"})
    assert model_context(page) == {"case": "01AB", "initial": {"a": "b"}}
    assert model_context(page, skip=("initial",), court="Crown") == {
        "case": "01AB",
        "court": "Crown",
    }


def test_form_page_is_a_get_and_its_post() -> None:
    shown, saved = form_page("/x", _handler, _handler, PUBLIC, "x")
    assert (shown.name, shown.methods, saved.name, saved.methods) == (
        "x",
        {"GET", "HEAD"},
        "x_save",
        {"POST"},
    )
    _, named = form_page("/x", _handler, _handler, PUBLIC, "x", save_name="x_submit")
    assert named.name == "x_submit"


def test_get_and_post() -> None:
    assert get("/y", _handler, PUBLIC, "y").methods == {"GET", "HEAD"}
    route = post("/y", _handler, PUBLIC, "y_post", manual_transactions=True)
    assert route.methods == {"POST"} and route.manual_transactions


def test_safe_next_takes_same_site_paths_only() -> None:
    assert safe_next("/cases?page=2") == "/cases?page=2"
    for bad in ("//evil.example", "https://evil.example/", "/a\\b", "cases"):
        assert safe_next(bad) is None


def test_pdf_response_is_an_uncached_attachment() -> None:
    response = pdf_response(b"%PDF-1.7", "letter.pdf")
    assert response.media_type == "application/pdf"
    assert response.headers["Content-Disposition"] == 'attachment; filename="letter.pdf"'
    assert response.headers["Cache-Control"] == "no-store"
