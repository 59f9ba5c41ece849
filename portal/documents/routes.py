"""A person's documents: list and upload, and download through an authorised, audited route."""

from __future__ import annotations

import uuid
from urllib.parse import quote

from starlette.datastructures import UploadFile
from starlette.responses import Response

from portal.accounts.roles import Role
from portal.audit import service as audit
from portal.cases import repository as cases_repo
from portal.cases.errors import CaseNotFound, ValidationFailed
from portal.documents import service
from portal.documents.models import KINDS
from portal.web.forms import FieldErrors
from portal.web.routing import PortalRoute, RequestContext, allow

READERS = allow(Role.WITNESS_CARE_OFFICER, Role.PROSECUTOR, Role.VLU_OFFICER, Role.AUDITOR)
EDITORS = allow(Role.WITNESS_CARE_OFFICER, Role.PROSECUTOR)
DOWNLOADERS = allow(Role.WITNESS_CARE_OFFICER, Role.PROSECUTOR, Role.VLU_OFFICER)


def _ids(ctx: RequestContext, *names: str) -> list[uuid.UUID]:
    try:
        return [uuid.UUID(str(ctx.request.path_params[n])) for n in names]
    except ValueError:
        raise CaseNotFound(None) from None


def _page(
    ctx: RequestContext, errors: FieldErrors, values: dict[str, str], status: int
) -> Response:
    case_id, person_id = _ids(ctx, "case_id", "person_id")
    case, _, person = cases_repo.party_in_case(ctx.db, ctx.actor, case_id, person_id)
    documents = service.list_for(ctx.db, case, person)
    audit.record(
        ctx.db,
        actor=ctx.actor,
        category="consultation",
        action="document.list",
        object_type="person",
        object_id=person.id,
        case_id=case.id,
        subject_id=person.id,
        subject_ref=person.reference,
    )
    names = {d.id: ctx.vault.open(d, "filename") for d in documents}
    return ctx.render(
        "documents/index.html",
        {
            "case": case,
            "person": person,
            "name": ctx.vault.open(person, "full_name"),
            "documents": documents,
            "filenames": names,
            "kinds": list(KINDS.items()),
            "kind_labels": KINDS,
            "errors": errors,
            "values": values,
            "may_upload": ctx.actor.role in {Role.WITNESS_CARE_OFFICER, Role.PROSECUTOR},
            "may_download": ctx.actor.role is not Role.AUDITOR,
        },
        status_code=status,
    )


def documents(ctx: RequestContext) -> Response:
    return _page(ctx, FieldErrors(), {}, 200)


def upload(ctx: RequestContext) -> Response:
    case_id, person_id = _ids(ctx, "case_id", "person_id")
    case, _, person = cases_repo.party_in_case(ctx.db, ctx.actor, case_id, person_id)
    assert ctx.form is not None
    file = ctx.form.get("file")
    kind = ctx.field("kind")
    errors = FieldErrors()
    data, filename = b"", ""
    if isinstance(file, UploadFile):
        filename = file.filename or ""
        data = file.file.read(service.MAX_BYTES + 1)
    try:
        service.upload(
            ctx.db, ctx.vault, ctx.actor, case, person, kind=kind, filename=filename, data=data
        )
    except ValidationFailed as exc:
        for name, message in exc.errors.items():
            errors.add(name, message)
        return _page(ctx, errors, {"kind": kind}, 400)
    ctx.flash("Document uploaded")
    return ctx.redirect("person_documents", case_id=case.id, person_id=person.id)


def download(ctx: RequestContext) -> Response:
    case_id, person_id, document_id = _ids(ctx, "case_id", "person_id", "document_id")
    case, _, person = cases_repo.party_in_case(ctx.db, ctx.actor, case_id, person_id)
    found = service.download(ctx.db, ctx.vault, ctx.actor, case, person, document_id)
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
routes = [
    PortalRoute(BASE, documents, access=READERS, name="person_documents"),
    PortalRoute(
        BASE,
        upload,
        access=EDITORS,
        methods=["POST"],
        name="person_documents_upload",
        max_files=1,
        max_body_bytes=service.MAX_BYTES + 64 * 1024,
    ),
    PortalRoute(BASE + "/{document_id}", download, access=DOWNLOADERS, name="person_document"),
]
