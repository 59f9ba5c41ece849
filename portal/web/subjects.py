"""Who a page is about, read from its URL: the subject of the restrictions banner.

A page whose URL names a case or a person is about them. A page whose URL names something else
that belongs to a person (an obligation) or to a case (a VLU job) says so here, so the banner
appears on it too (issue 15 point 9); ``tests/web/test_restriction_banner.py`` fails when a new
page with an id in its URL is in neither list.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping

from sqlalchemy.orm import Session

from portal.kit.ids import as_uuid
from portal.victims_code import repository as victims_code
from portal.vlu import repository as vlu

Subject = tuple[uuid.UUID | None, uuid.UUID | None]  # (case id, person id)

BY_PARAM: dict[str, Callable[[Session, uuid.UUID], Subject]] = {
    "obligation_id": victims_code.subject_of,
    "job_id": vlu.job_subject,
}
# Routes with an id in their URL that show no victim or witness: accounts and sessions, the
# auditor's review of a break-glass use (URN and staff only), and a quality score (it redirects).
ABOUT_NO_PERSON = frozenset(
    {
        "admin_request",
        "admin_request_decide",
        "admin_user_setup_code",
        "admin_user_deactivate",
        "admin_user_deactivation",
        "admin_user_access",
        "admin_user_access_request",
        "admin_access_change",
        "admin_access_change_decide",
        "admin_user_activate",
        "account_session_sign_out",
        "account_passkey_remove",
        "admin_factor_reset_request",
        "admin_factor_reset_decide",
        "breakglass_review",
        "breakglass_review_save",
        "quality_score",
    }
)


def subject_of(db: Session, params: Mapping[str, object]) -> Subject:
    """The case and person a page with these path parameters is about."""
    if "case_id" in params or "person_id" in params:
        return as_uuid(params.get("case_id")), as_uuid(params.get("person_id"))
    for name, lookup in BY_PARAM.items():
        if name in params:
            found = as_uuid(params[name])
            return lookup(db, found) if found is not None else (None, None)
    return None, None
