"""Reading a request's form within limits (200 fields, 256 KiB a part, the route's file count),
on the event loop; anything PostgreSQL cannot store (NUL, lone surrogates) is a 400."""

from __future__ import annotations

from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request

from portal.settings import Settings
from portal.web import params


async def read_form(request: Request, settings: Settings, max_files: int) -> FormData:
    content_type = request.headers.get("content-type", "")
    if not content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        if params.int_param(
            request.headers.get("content-length"), 0, low=0, high=params.MAX_SEQUENCE
        ):
            raise HTTPException(status_code=400)
        return FormData()
    form = await request.form(
        max_files=max_files, max_fields=settings.max_form_fields, max_part_size=256 * 1024
    )
    params.refuse_unstorable(form.multi_items())
    return form
