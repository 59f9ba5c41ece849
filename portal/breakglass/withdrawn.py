"""When an account's access is withdrawn (its role changed, or it was deactivated: the
``AccessWithdrawn`` event of portal.accounts.events), its live break-glass uses end at once, so
the emergency scope given under the old access does not outlive it (issue 18 point 5). Each
ended use is in the audit log; the auditor's review of it is unchanged."""

from __future__ import annotations

from sqlalchemy.orm import Session

from portal.accounts.events import AccessWithdrawn
from portal.audit.ended import end_now
from portal.breakglass import repository
from portal.clock import utc_now


def end_uses(db: Session, event: AccessWithdrawn) -> None:
    now = utc_now()
    live = repository.live_uses(db, event.user_id, now)
    end_now(db, event, live, now, action="break_glass.ended", object_type="break_glass")
