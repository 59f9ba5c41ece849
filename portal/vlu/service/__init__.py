"""Decision letters: requests created by decisions, the workflow's steps, letters and bulk work.

Every step goes through the state machine (``portal.vlu.states``), is attributed (a transition
row) and audited (ids and field names only), in the caller's transaction. Nothing here commits.
The due date of a request is always its Victims' Code obligation's: this module never computes
one, and sending the letter marks that obligation met (so compliance shows on time or late).

One module a use case: ``requests`` (created by decisions), ``reasons``, ``drafting``,
``checking``, ``sending``, ``review``, ``conversation`` and ``bulk``; ``common`` holds what they
share. The pages call the use cases that take a ``Unit`` (``give_reasons``, ``start_bulk``,
``draft_letter``, ``check_letter``, ``send_letter``, ``review_step``, ``message_on_request``)
and read the read models of ``pages`` and ``request_page``.
"""

from portal.vlu.service.bulk import NOTHING_TO_DO, bulk_batch, eligible_count, enqueue_bulk
from portal.vlu.service.checking import approve, return_for_changes
from portal.vlu.service.common import (
    BULK_ACTIONS,
    CHECKLIST,
    DECISION_KINDS,
    MAX_LETTER,
    MAX_MESSAGE,
    MAX_NOTES,
    MAX_REASONS,
    VCL_ENTITLEMENTS,
    VRR_KINDS,
    SendRefused,
    facts_for,
    london_today,
    recipient_for,
)
from portal.vlu.service.conversation import MESSAGE_ROLES, post_message
from portal.vlu.service.drafting import first_draft, greeting_name, save_draft, vrr_window
from portal.vlu.service.reasons import supply_reasons, validate_reasons
from portal.vlu.service.requests import (
    CaseFlags,
    case_flags,
    meeting_required,
    requests_for_event,
    vrr_applies,
)
from portal.vlu.service.review import REVIEW_ACTIONS, record_review_step
from portal.vlu.service.sending import (
    ADDRESS_REPLACED,
    address_replaced_since_drafting,
    letter_names_sealed,
    refusal_for,
    refusals_for,
    send,
)

__all__ = [
    "ADDRESS_REPLACED",
    "BULK_ACTIONS",
    "CHECKLIST",
    "DECISION_KINDS",
    "MAX_LETTER",
    "MAX_MESSAGE",
    "MAX_NOTES",
    "MAX_REASONS",
    "MESSAGE_ROLES",
    "NOTHING_TO_DO",
    "REVIEW_ACTIONS",
    "VCL_ENTITLEMENTS",
    "VRR_KINDS",
    "CaseFlags",
    "SendRefused",
    "address_replaced_since_drafting",
    "approve",
    "bulk_batch",
    "case_flags",
    "eligible_count",
    "enqueue_bulk",
    "facts_for",
    "first_draft",
    "greeting_name",
    "letter_names_sealed",
    "london_today",
    "meeting_required",
    "post_message",
    "recipient_for",
    "record_review_step",
    "refusal_for",
    "refusals_for",
    "requests_for_event",
    "return_for_changes",
    "save_draft",
    "send",
    "supply_reasons",
    "validate_reasons",
    "vrr_applies",
    "vrr_window",
]
