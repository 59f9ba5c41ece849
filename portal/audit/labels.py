"""What each action in the access log means, in words an auditor reads (issue 16 point 8).

The one mapping of known actions to labels; an action missing from it is still shown in words
(``portal.rendering.glossary.words``: ``vlu.letter.send`` as "Vlu: letter send"), and
``tests/unit/test_audit_labels.py`` checks the labels of the actions that matter most.
"""

from __future__ import annotations

from portal.rendering.glossary import words

ACTION_LABELS: dict[str, str] = {
    # Accounts and sessions
    "account.signed_in": "Signed in",
    "account.sign_in_failed": "Failed to sign in",
    "account.sign_in_throttled": "Sign-in refused: too many attempts",
    "account.signed_out": "Signed out",
    "account.session_signed_out": "Signed out one of their sessions",
    "account.sessions_ended": "Ended an account's sessions",
    "account.created": "Created an account",
    "account.requested": "Asked for a new account",
    "account.approved": "Approved a new account",
    "account.refused": "Refused a new account",
    "account.setup_code_issued": "Issued a set-up code",
    "account.setup_code_refused": "Set-up code refused",
    "account.setup_completed": "Finished setting up their account",
    "account.password_changed": "Changed a password",
    "account.password_recheck_failed": "Entered a wrong password when asked again",
    "account.password_recheck_throttled": "Password check refused: too many attempts",
    "account.access_changed": "Changed an account's role or workplace",
    "account.deactivated": "Deactivated an account",
    "account.reactivated": "Reactivated an account",
    "account.work_handed_over": "Handed a deactivated account's open work to a colleague",
    "account.access_change_requested": "Asked to change an account's role or permissions",
    "account.access_change_approved": "Approved a change of an account's role or permissions",
    "account.access_change_refused": "Refused a change of an account's role or permissions",
    "access.refused": "Was refused a page",
    "integrity_failure": "Stored data failed its integrity check",
    # People
    "person.view": "Viewed a person's page",
    "person.view_pseudonymised": "Viewed a person's page (pseudonymised)",
    "person.view_conflict": "Viewed a person's details after an edit conflict",
    "person.view_role": "Viewed the form for a person's part in the case",
    "person.view_enhanced": "Viewed a person's enhanced-rights form",
    "person.list": "Viewed a person on a list",
    "person.work_list": "Viewed a person on My work",
    "person.search_result": "Found a person by search",
    "person.add": "Added a person",
    "person.update": "Changed a person's details",
    "person.contact_rules": "Changed how a person may be contacted",
    "person.erase": "Erased a person's data",
    "person.import": "Imported a person",
    "person.seal_identity": "Sealed a person's identity",
    "identity.removed_from_text": "Removed a sealed identity from text",
    # Cases
    "case.view": "Viewed a case",
    "case.open": "Opened a case",
    "case.close": "Closed a case",
    "case.reassigned": "Reassigned a case to a colleague",
    "case.import": "Imported a case",
    "case.search": "Searched for a case",
    # Anonymity and unmasking
    "anonymity.view": "Viewed a person's anonymity page",
    "anonymity.draft": "Drafted a witness anonymity application",
    "anonymity.approve": "Approved a witness anonymity application",
    "anonymity.return": "Returned a witness anonymity application to its author",
    "anonymity.decline": "Refused to approve a witness anonymity application",
    "restriction.add": "Added a reporting or identity restriction",
    "unmask.request": "Asked to see a sealed identity",
    "unmask.approve": "Approved seeing a sealed identity",
    "unmask.refuse": "Refused seeing a sealed identity",
    "unmask.view": "Saw a sealed identity (unmasked)",
    "unmask.grant_ended": "Permission to see a sealed identity ended",
    # Break-glass
    "breakglass.open": "Used emergency access to a case",
    "breakglass.view": "Viewed a case under emergency access",
    "breakglass.queue.view": "Viewed the emergency access reviews",
    "breakglass.review": "Reviewed a use of emergency access",
    "break_glass.ended": "Emergency access ended",
    # Letters and documents
    "document.match.override": "Approved leaving protected information in a document",
    "document.match.refuse": "Refused to leave protected information in a document",
    "document.match.return": "Returned a document's match to its uploader with a question",
    "document.match.answer": "Answered a question about a document's match",
    "vlu.letter.view": "Viewed a decision letter",
    "vlu.letter.draft": "Drafted a decision letter",
    "vlu.letter.send": "Sent a decision letter",
    "vlu.decision.view": "Viewed a decision",
    "vlu.reasons": "Wrote the prosecutor's reasons",
    "vlu.bulk_check.start": "Started the second check of a batch of letters",
    "vlu.bulk_check.open": "Opened a letter in a batch check",
    "vlu.bulk_check.read": "Read a letter in a batch check",
    "vlu.not_sent.export": "Exported the letters not sent",
    "vlu.not_sent.ask_witness_care": "Asked witness care for safe-contact details",
    "vlu.review.record_review_request": "Recorded a Right to Review request",
    "vlu.review.start_local_resolution": "Started a Right to Review local resolution",
    "vlu.review.record_outcome": "Recorded a local resolution outcome",
    "vlu.review.send_local_letter": "Sent a local resolution letter",
    "vlu.review.conclude_review": "Concluded a Right to Review",
    "vlu.review.refer_independent": "Referred a Right to Review for independent review",
    "vlu.review.record_independent_outcome": "Recorded an independent review outcome",
    "vlu.review.send_independent_letter": "Sent an independent review letter",
    "document.download": "Downloaded a document",
    "document.ready_to_serve": "Marked a document ready to serve",
    # The log and the reports
    "audit.export": "Exported the access log",
    "compliance.view": "Viewed the compliance dashboard",
    "compliance.export": "Exported a compliance report",
}

# Why a page was refused (``access.refused``'s purpose): the route's declaration, a service's
# rule (the error's class name), or a check of the request itself.
REFUSAL_REASONS: dict[str, str] = {
    "route": "not open to their role",
    "csrf": "the form's security token did not match",
    "cross-site request": "sent from another site",
    "foreign origin": "sent from another site",
    "opaque origin": "sent from an unknown origin",
}


def refusal_reason(purpose: str | None) -> str:
    """Why an ``access.refused`` entry was refused, in words."""
    if not purpose:
        return ""
    return REFUSAL_REASONS.get(purpose, "refused by the rules for this action")


def action_label(action: str | None) -> str:
    """The label of ``action``: from ``ACTION_LABELS``, else the code in words."""
    if not action:
        return ""
    return ACTION_LABELS.get(action) or words(action)


def list_label(count: int) -> str:
    """A list page's consultations, shown as one action."""
    return f"Viewed a list of {count} {'person' if count == 1 else 'people'}"
