"""A person's documents: list and upload, and download through an authorised, audited route."""

from __future__ import annotations

import uuid
from typing import Any
from urllib.parse import quote

from starlette.datastructures import UploadFile
from starlette.responses import Response

from portal.accounts.permissions import Permission
from portal.accounts.roles import Role
from portal.audit import service as audit
from portal.cases import repository as cases_repo
from portal.cases.errors import CaseNotFound, ValidationFailed
from portal.documents import repository, service
from portal.documents.models import DISCLOSURE_STATES, KINDS, MATCH_KINDS
from portal.keys.vault import pseudonym
from portal.kit.errors import GuardRefused
from portal.web.forms import FieldErrors
from portal.web.routing import PortalRoute, RequestContext, allow, requires

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
    counts: dict[uuid.UUID, int] = {}  # open matches: a document marked ready with any was
    # marked before they were found (portal.documents.sealing)
    for match, _ in repository.matches_of(ctx.db, [d.id for d in documents]):
        if match.overridden_at is None:
            counts[match.document_id] = counts.get(match.document_id, 0) + 1
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
            "open_matches": counts,
            "disclosure_labels": DISCLOSURE_STATES,
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


# --- the disclosure check of one document -----------------------------------------------------


def _check_page(
    ctx: RequestContext,
    errors: FieldErrors | None = None,
    values: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    case_id, person_id, document_id = _ids(ctx, "case_id", "person_id", "document_id")
    case, _, person = cases_repo.party_in_case(ctx.db, ctx.actor, case_id, person_id)
    document = repository.document_in(ctx.db, case.id, person.id, document_id)
    if document is None:
        raise CaseNotFound(document_id)
    audit.record(
        ctx.db,
        actor=ctx.actor,
        category="consultation",
        action="document.check.view",
        object_type="document",
        object_id=document.id,
        case_id=case.id,
        subject_id=person.id,
        subject_ref=person.reference,
    )
    found = repository.matches_of(ctx.db, [document.id])
    # Who overrode a match, when and why: for prosecutors, who decide on service.
    may_serve = ctx.actor.can(Permission.SERVE_DOCUMENTS)
    deciders = (
        repository.staff_names(ctx.db, {match.overridden_by_id for match, _ in found})
        if may_serve
        else {}
    )
    matches = [
        {
            "match": match,
            # Whose: the pseudonym for a protected identity, the reference for a victim's
            # address. Never the matched value.
            "whose": pseudonym(reference) if match.sealed_identity else f"victim {reference}",
            "what": MATCH_KINDS[match.kind],
            "by": deciders.get(match.overridden_by_id) if match.overridden_by_id else None,
            "reason": (
                ctx.vault.open(match, "override_reason")
                if may_serve and match.overridden_at is not None
                else None
            ),
        }
        for match, reference in found
    ]
    return ctx.render(
        "documents/check.html",
        {
            "case": case,
            "person": person,
            "document": document,
            "filename": ctx.vault.open(document, "filename"),
            "kind_label": KINDS[document.kind],
            "matches": matches,
            "blockers": service.blockers(ctx.db, document),
            "ready": service.is_ready(ctx.db, document),
            "found_after_ready": service.found_after_ready(ctx.db, document),
            "may_serve": may_serve,
            "may_upload": ctx.actor.can(Permission.UPLOAD_DOCUMENTS),
            "uploaded_by_me": document.uploaded_by_id == ctx.actor.user_id,
            "errors": errors or FieldErrors(),
            "values": values or {},
        },
        status_code=status,
    )


def check_page(ctx: RequestContext) -> Response:
    return _check_page(ctx)


def _refused(ctx: RequestContext, field: str, exc: GuardRefused | ValidationFailed) -> Response:
    errors = FieldErrors()
    if isinstance(exc, ValidationFailed):
        for message in exc.errors.values():
            errors.add(field, message)
    else:
        errors.add(field, exc.reason)
    return _check_page(ctx, errors, {field: ctx.field(field)}, 400)


def _people(ctx: RequestContext) -> tuple[Any, Any, uuid.UUID]:
    case_id, person_id, document_id = _ids(ctx, "case_id", "person_id", "document_id")
    case, _, person = cases_repo.party_in_case(ctx.db, ctx.actor, case_id, person_id)
    return case, person, document_id


def _back(ctx: RequestContext, case: Any, person: Any, document_id: uuid.UUID) -> Response:
    return ctx.redirect(
        "person_document_check", case_id=case.id, person_id=person.id, document_id=document_id
    )


def override(ctx: RequestContext) -> Response:
    case, person, document_id = _people(ctx)
    (match_id,) = _ids(ctx, "match_id")
    field = f"reason-{match_id}"
    try:
        service.override(
            ctx.db,
            ctx.vault,
            ctx.actor,
            case,
            person,
            document_id,
            match_id,
            reason=ctx.field(field),
        )
    except (GuardRefused, ValidationFailed) as exc:
        return _refused(ctx, field, exc)
    ctx.flash("Match overridden")
    return _back(ctx, case, person, document_id)


def manual_check(ctx: RequestContext) -> Response:
    case, person, document_id = _people(ctx)
    try:
        service.record_manual_check(ctx.db, ctx.actor, case, person, document_id)
    except GuardRefused as exc:
        return _refused(ctx, "manual-check", exc)
    ctx.flash("Manual check recorded")
    return _back(ctx, case, person, document_id)


def mark_ready(ctx: RequestContext) -> Response:
    case, person, document_id = _people(ctx)
    try:
        service.mark_ready(ctx.db, ctx.actor, case, person, document_id)
    except GuardRefused as exc:
        return _refused(ctx, "ready", exc)
    ctx.flash("Marked ready to serve")
    return _back(ctx, case, person, document_id)


def new_version(ctx: RequestContext) -> Response:
    case, person, document_id = _people(ctx)
    assert ctx.form is not None
    file = ctx.form.get("file")
    data, filename = b"", ""
    if isinstance(file, UploadFile):
        filename = file.filename or ""
        data = file.file.read(service.MAX_BYTES + 1)
    try:
        document = service.upload_version(
            ctx.db, ctx.vault, ctx.actor, case, person, document_id, filename=filename, data=data
        )
    except ValidationFailed as exc:
        errors = FieldErrors()
        for message in exc.errors.values():
            errors.add("file", message)
        return _check_page(ctx, errors, {}, 400)
    except GuardRefused as exc:
        return _refused(ctx, "file", exc)
    ctx.flash("New version uploaded and checked")
    return _back(ctx, case, person, document.id)


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
    PortalRoute(
        BASE + "/{document_id}/check",
        check_page,
        access=requires(Permission.DOWNLOAD_DOCUMENTS),
        name="person_document_check",
    ),
    PortalRoute(
        BASE + "/{document_id}/matches/{match_id}/override",
        override,
        access=requires(Permission.SERVE_DOCUMENTS),
        methods=["POST"],
        name="person_document_override",
    ),
    PortalRoute(
        BASE + "/{document_id}/manual-check",
        manual_check,
        access=requires(Permission.SERVE_DOCUMENTS),
        methods=["POST"],
        name="person_document_manual_check",
    ),
    PortalRoute(
        BASE + "/{document_id}/ready",
        mark_ready,
        access=requires(Permission.SERVE_DOCUMENTS),
        methods=["POST"],
        name="person_document_ready",
    ),
    PortalRoute(
        BASE + "/{document_id}/versions",
        new_version,
        access=requires(Permission.UPLOAD_DOCUMENTS),
        methods=["POST"],
        name="person_document_version",
        max_files=1,
        max_body_bytes=service.MAX_BYTES + 64 * 1024,
    ),
]
