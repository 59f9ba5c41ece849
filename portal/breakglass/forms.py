"""What the break-glass pages send: the request (URN, reason, the user's words) and an
auditor's review (outcome, note). The service checks and words every message."""

from __future__ import annotations

from portal.breakglass.models import Outcome, Reason
from portal.web.fields import Typed
from portal.web.forms import Choice, Form


class RequestForm(Form):
    urn = Typed("Case URN")
    reason = Choice("Why you need emergency access", Reason, required=False)
    detail = Typed("Explain the emergency", strip=False)


class ReviewForm(Form):
    outcome = Choice("Was the emergency access justified?", Outcome, required=False)
    note = Typed("Note", strip=False)
