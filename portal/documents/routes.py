"""A person's documents: list and upload, and download through an authorised, audited route."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from urllib.parse import quote

from starlette.datastructures import UploadFile
from starlette.responses import Response

from portal.accounts.forms import ServiceRefusals
from portal.accounts.permissions import Permission
from portal.documents import pages, service
from portal.documents.models import DISCLOSURE_STATES, KINDS, Document
from portal.web.forms import FieldErrors
from portal.web.pages import get, model_context, post
from portal.web.routing import RequestContext, requires
from portal.web.stepup import step_up

READERS = requires(Permission.VIEW_CASES)
EDITORS = requires(Permission.UPLOAD_DOCUMENTS)
DOWNLOADERS = requires(Permission.DOWNLOAD_DOCUMENTS)
SERVERS = requires(Permission.SERVE_DOCUMENTS)


def _ids(ctx: RequestContext, *names: str) -> list[uuid.UUID]:
    return [ctx.path_id(name) for name in names]


def _document_ids(ctx: RequestContext) -> list[uuid.UUID]:
    return _ids(ctx, "case_id", "person_id", "document_id")


def _file(ctx: RequestContext) -> tuple[str, bytes]:
    """The uploaded file's name and at most one byte more than the service accepts."""
    assert ctx.form is not None
    file = ctx.form.get("file")
    if isinstance(file, UploadFile):
        return file.filename or "", file.file.read(service.MAX_BYTES + 1)
    return "", b""


def _page(
    ctx: RequestContext, errors: FieldErrors, values: dict[str, str], status: int
) -> Response:
    page = pages.documents_page(ctx.unit, *_ids(ctx, "case_id", "person_id"))
    return ctx.render(
        "documents/index.html",
        {
            **model_context(page),
            "kinds": list(KINDS.items()),
            "kind_labels": KINDS,
            "disclosure_labels": DISCLOSURE_STATES,
            "errors": errors,
            "values": values,
        },
        status_code=status,
    )


def documents(ctx: RequestContext) -> Response:
    return _page(ctx, FieldErrors(), {}, 200)


def upload(ctx: RequestContext) -> Response:
    case_id, person_id = _ids(ctx, "case_id", "person_id")
    kind = ctx.field("kind")
    filename, data = _file(ctx)
    with ServiceRefusals() as refusals:
        pages.upload(ctx.unit, case_id, person_id, kind=kind, filename=filename, data=data)
    if refusals.refused:
        return _page(ctx, refusals.errors, {"kind": kind}, 400)
    ctx.flash("Document uploaded")
    return ctx.redirect("person_documents", case_id=case_id, person_id=person_id)


# --- the disclosure check of one document -----------------------------------------------------


def _check_page(
    ctx: RequestContext,
    errors: FieldErrors | None = None,
    values: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    page = pages.check_page(ctx.unit, *_document_ids(ctx))
    return ctx.render(
        "documents/check.html",
        {**model_context(page), "errors": errors or FieldErrors(), "values": values or {}},
        status_code=status,
    )


def check_page(ctx: RequestContext) -> Response:
    return _check_page(ctx)


def _decide(
    ctx: RequestContext,
    field: str,
    call: Callable[[], object],
    message: str,
    *,
    values: dict[str, str] | None = None,
) -> Response:
    """Run one step on the check page: a refusal (a guard, or a reason that will not do) goes
    against ``field`` on the page again, with 400; done, back to the page with ``message``."""
    with ServiceRefusals(onto=field, guards=True) as refusals:
        done = call()
    if refusals.refused:
        shown = {field: ctx.field(field)} if values is None else values
        return _check_page(ctx, refusals.errors, shown, 400)
    ctx.flash(message)
    case_id, person_id, document_id = _document_ids(ctx)
    return ctx.redirect(
        "person_document_check",
        case_id=case_id,
        person_id=person_id,
        document_id=done.id if isinstance(done, Document) else document_id,
    )


@step_up(passkey=True)
def override(ctx: RequestContext) -> Response:
    """The second prosecutor's decision on one match: approve, refuse or return, with a reason."""
    case_id, person_id, document_id = _document_ids(ctx)
    (match_id,) = _ids(ctx, "match_id")
    suffix = f"-{match_id}"
    decision, reason = ctx.field("decision" + suffix), ctx.field("reason" + suffix)
    with ServiceRefusals(suffix=suffix, guards="reason" + suffix) as refusals:
        pages.override(
            ctx.unit, case_id, person_id, document_id, match_id, decision=decision, comment=reason
        )
    if refusals.refused:
        shown = {"decision" + suffix: decision, "reason" + suffix: reason}
        return _check_page(ctx, refusals.errors, shown, 400)
    ctx.flash(DECIDED.get(decision, "Decision recorded"))
    return ctx.redirect(
        "person_document_check", case_id=case_id, person_id=person_id, document_id=document_id
    )


DECIDED = {
    "approve": "Match overridden",
    "refuse": "Override refused: the document must be redacted",
    "return": "Returned to the uploader with your question",
}


def answer(ctx: RequestContext) -> Response:
    """The uploader's answer to a returned match."""
    case_id, person_id, document_id = _document_ids(ctx)
    (match_id,) = _ids(ctx, "match_id")
    field = f"answer-{match_id}"
    return _decide(
        ctx,
        field,
        lambda: pages.answer(
            ctx.unit, case_id, person_id, document_id, match_id, answer=ctx.field(field)
        ),
        "Answer sent: the match waits for a second prosecutor again",
    )


def manual_check(ctx: RequestContext) -> Response:
    ids = _document_ids(ctx)
    return _decide(
        ctx,
        "manual-check",
        lambda: pages.manual_check(ctx.unit, *ids),
        "Manual check recorded",
    )


def mark_ready(ctx: RequestContext) -> Response:
    ids = _document_ids(ctx)
    return _decide(ctx, "ready", lambda: pages.mark_ready(ctx.unit, *ids), "Marked ready to serve")


def new_version(ctx: RequestContext) -> Response:
    ids = _document_ids(ctx)
    filename, data = _file(ctx)
    return _decide(
        ctx,
        "file",
        lambda: pages.new_version(ctx.unit, *ids, filename=filename, data=data),
        "New version uploaded and checked",
        values={},
    )


def download(ctx: RequestContext) -> Response:
    found = pages.download(ctx.unit, *_document_ids(ctx))
    return Response(
        found.data,
        media_type=found.content_type,
        headers={
            "Content-Disposition": f"attachment; filename*=UTF-8''{quote(found.filename)}",
            # The file is never rendered by the browser as part of the portal.
            "Content-Security-Policy": "sandbox",
            "X-Download-Options": "noopen",
        },
    )


BASE = "/cases/{case_id}/people/{person_id}/documents"
DOCUMENT = BASE + "/{document_id}"
UPLOAD = {"max_files": 1, "max_body_bytes": service.MAX_BYTES + 64 * 1024}
routes = [
    get(BASE, documents, READERS, "person_documents"),
    post(BASE, upload, EDITORS, "person_documents_upload", **UPLOAD),
    get(DOCUMENT, download, DOWNLOADERS, "person_document"),
    get(DOCUMENT + "/check", check_page, DOWNLOADERS, "person_document_check"),
    post(DOCUMENT + "/matches/{match_id}/override", override, SERVERS, "person_document_override"),
    post(DOCUMENT + "/matches/{match_id}/answer", answer, SERVERS, "person_document_answer"),
    post(DOCUMENT + "/manual-check", manual_check, SERVERS, "person_document_manual_check"),
    post(DOCUMENT + "/ready", mark_ready, SERVERS, "person_document_ready"),
    post(DOCUMENT + "/versions", new_version, EDITORS, "person_document_version", **UPLOAD),
]
