"""Named permissions: what each role may do, said once.

Routes declare ``requires(Permission.X)`` (portal.web.routing), services ask ``actor.can(...)``,
templates ask ``principal | can("x")`` and state machines name the permission of each step, all
against the one table below. It reproduces, capability by capability, the role sets that routes,
services and templates wrote out by hand before it existed (tests/web/test_permissions.py holds
the route-by-route proof). Which rows of data a role sees (its cases, its unit) is scoping, not a
permission: that stays in each domain's repository (portal.cases.access).

A permission is a business action ("send a letter"), not a page: two pages that do the same
thing share one, and one page that does two things declares both (``requires_any``).
"""

from __future__ import annotations

from collections.abc import Mapping

from portal.accounts.roles import CASEWORK_ROLES, Role
from portal.keys.vault import Disclosure
from portal.kit.enums import LabelledStrEnum


class Permission(LabelledStrEnum):
    VIEW_HOME = "view_home", "See their home page"
    MANAGE_OWN_SESSION = "manage_own_session", "Extend or end their own session"
    ADMINISTER_ACCOUNTS = "administer_accounts", "Add, activate and deactivate staff accounts"

    VIEW_CASES = "view_cases", "See cases, victims and witnesses, and their entitlements"
    SEARCH = "search", "Search for cases and people"
    SEE_PERSONAL_DETAILS = "see_personal_details", "See names and personal details in full"
    OPEN_CASE = "open_case", "Open a case"
    RECORD_CASE_EVENT = "record_case_event", "Record a case event or decision"
    IMPORT_PEOPLE = "import_people", "Import victims and witnesses from a spreadsheet"
    EDIT_PERSON = "edit_person", "Add a victim or witness and change their details"
    EDIT_SAFEGUARDS = "edit_safeguards", "Change safe-contact rules, referrals and references"
    VIEW_NEEDS_ASSESSMENTS = "view_needs_assessments", "See needs assessments"
    RECORD_NEEDS_ASSESSMENT = "record_needs_assessment", "Record a needs assessment"
    MANAGE_SAFEGUARDING_ACTIONS = "manage_safeguarding_actions", "Add and complete actions"
    UPLOAD_DOCUMENTS = "upload_documents", "Upload documents"
    DOWNLOAD_DOCUMENTS = "download_documents", "Open documents"
    SERVE_DOCUMENTS = (
        "serve_documents",
        "Clear a document's disclosure check and mark it ready to serve",
    )

    VIEW_MY_WORK = "view_my_work", "See their Victims' Code work"
    RECORD_OBLIGATION_OUTCOME = "record_obligation_outcome", "Record how an entitlement was met"

    VIEW_SPECIAL_MEASURES = "view_special_measures", "See special measures"
    VIEW_SPECIAL_MEASURES_WORK = "view_special_measures_work", "See their special measures work"
    ASSESS_SPECIAL_MEASURES = "assess_special_measures", "Assess eligibility for special measures"
    IDENTIFY_SPECIAL_MEASURES_NEED = "identify_special_measures_need", "Flag a witness's need"
    REQUEST_SPECIAL_MEASURES = "request_special_measures", "Ask the prosecutor to apply"
    DRAFT_SPECIAL_MEASURES = "draft_special_measures", "Draft a special measures application"
    SERVE_SPECIAL_MEASURES = "serve_special_measures", "Record that an application was served"
    RECORD_SPECIAL_MEASURES_DECISION = (
        "record_special_measures_decision",
        "Record the court's decision, a variation or a discharge",
    )
    PRINT_SPECIAL_MEASURES = "print_special_measures", "Print the application document"

    RECORD_RESTRICTION = "record_restriction", "Record a reporting restriction"
    APPLY_FOR_ANONYMITY = "apply_for_anonymity", "Apply for a witness anonymity order"
    APPROVE_ANONYMITY_APPLICATION = (
        "approve_anonymity_application",
        "Approve an anonymity application (the approving role is a setting)",
    )
    REQUEST_UNMASK = "request_unmask", "Ask to see a sealed identity"
    APPROVE_UNMASK = "approve_unmask", "Approve or refuse a request to see a sealed identity"

    VIEW_LETTER_REQUESTS = "view_letter_requests", "See decision letter requests"
    MESSAGE_ON_REQUEST = "message_on_request", "Post in a request's conversation"
    READ_LETTER = "read_letter", "Read a decision letter"
    SUPPLY_REASONS = "supply_reasons", "Give the reasons for a decision"
    DRAFT_LETTER = "draft_letter", "Draft a decision letter"
    CHECK_LETTER = "check_letter", "Check another officer's letter"
    SEND_LETTER = "send_letter", "Send a decision letter"
    RUN_BULK_LETTERS = "run_bulk_letters", "Run bulk letter actions"
    RECORD_REVIEW_REQUEST = "record_review_request", "Record a Right to Review request"
    HANDLE_REVIEW = "handle_review", "Take a review through local resolution"

    VIEW_AUDIT_LOG = "view_audit_log", "See the access and change log"
    EXPORT_AUDIT_LOG = "export_audit_log", "Export the access and change log"
    VIEW_COMPLIANCE = "view_compliance", "See Victims' Code compliance"
    EXPORT_COMPLIANCE = "export_compliance", "Export Victims' Code compliance"
    SAMPLE_QUALITY = "sample_quality", "Draw and score quality samples"
    REVIEW_BREAK_GLASS = "review_break_glass", "Review each emergency (break-glass) access"

    VIEW_OUTCOMES = "view_outcomes", "See losses, compensation, confiscation and ancillary orders"
    RECORD_LOSSES = "record_losses", "Record a victim's loss"
    RECORD_COURT_ORDERS = "record_court_orders", "Record orders sought and made, and outcomes"
    VIEW_PERFORMANCE_REVIEW = "view_performance_review", "See the quarterly performance review"


Perm = Permission

# The actions that can do the most harm (issue 18 point 2): unmasking an identity (asking and
# deciding), approving an anonymity application, overriding a disclosure match, administering
# accounts. Their step-up asks for a passkey; a code from the authenticator app is not enough
# (``@step_up(passkey=True)``, PORTAL_REQUIRE_PASSKEY; tests/web/test_passkeys.py checks that
# every step-up route needing one of these says so).
PASSKEY_ACTIONS: frozenset[Permission] = frozenset(
    {
        Permission.REQUEST_UNMASK,
        Permission.APPROVE_UNMASK,
        Permission.APPROVE_ANONYMITY_APPLICATION,
        Permission.SERVE_DOCUMENTS,
        Permission.ADMINISTER_ACCOUNTS,
    }
)

# Who holds what, one row per set of roles: W witness care officer, P prosecutor, V VLU officer,
# A auditor, D administrator. Every permission stands in exactly one row.
_HELD_BY: Mapping[str, tuple[Permission, ...]] = {
    "WPVAD": (Perm.VIEW_HOME, Perm.MANAGE_OWN_SESSION),
    "D": (Perm.ADMINISTER_ACCOUNTS,),
    "WPVA": (Perm.VIEW_CASES, Perm.SEARCH, Perm.VIEW_OUTCOMES),
    "WPV": (
        Perm.SEE_PERSONAL_DETAILS,
        Perm.DOWNLOAD_DOCUMENTS,
        Perm.VIEW_MY_WORK,
        Perm.RECORD_OBLIGATION_OUTCOME,
        Perm.REQUEST_UNMASK,
        Perm.APPROVE_UNMASK,
        Perm.VIEW_LETTER_REQUESTS,
        Perm.MESSAGE_ON_REQUEST,
    ),
    "WP": (
        Perm.OPEN_CASE,
        Perm.RECORD_CASE_EVENT,
        Perm.IMPORT_PEOPLE,
        Perm.EDIT_PERSON,
        Perm.EDIT_SAFEGUARDS,
        Perm.VIEW_NEEDS_ASSESSMENTS,
        Perm.UPLOAD_DOCUMENTS,
        Perm.VIEW_SPECIAL_MEASURES_WORK,
        Perm.ASSESS_SPECIAL_MEASURES,
        Perm.PRINT_SPECIAL_MEASURES,
        Perm.RECORD_RESTRICTION,
        Perm.RECORD_LOSSES,
    ),
    "W": (
        Perm.RECORD_NEEDS_ASSESSMENT,
        Perm.MANAGE_SAFEGUARDING_ACTIONS,
        Perm.IDENTIFY_SPECIAL_MEASURES_NEED,
        Perm.REQUEST_SPECIAL_MEASURES,
    ),
    "P": (
        Perm.SERVE_DOCUMENTS,
        Perm.DRAFT_SPECIAL_MEASURES,
        Perm.SERVE_SPECIAL_MEASURES,
        Perm.RECORD_SPECIAL_MEASURES_DECISION,
        Perm.APPLY_FOR_ANONYMITY,
        Perm.SUPPLY_REASONS,
        Perm.RECORD_COURT_ORDERS,
    ),
    "WPA": (Perm.VIEW_SPECIAL_MEASURES,),
    "PV": (Perm.APPROVE_ANONYMITY_APPLICATION, Perm.READ_LETTER, Perm.HANDLE_REVIEW),
    "V": (
        Perm.DRAFT_LETTER,
        Perm.CHECK_LETTER,
        Perm.SEND_LETTER,
        Perm.RUN_BULK_LETTERS,
        Perm.RECORD_REVIEW_REQUEST,
    ),
    "A": (
        Perm.VIEW_AUDIT_LOG,
        Perm.EXPORT_AUDIT_LOG,
        Perm.VIEW_COMPLIANCE,
        Perm.EXPORT_COMPLIANCE,
        Perm.SAMPLE_QUALITY,
        Perm.REVIEW_BREAK_GLASS,
    ),
    "PA": (Perm.VIEW_PERFORMANCE_REVIEW,),
}
_ROLE_LETTERS = {
    "W": Role.WITNESS_CARE_OFFICER,
    "P": Role.PROSECUTOR,
    "V": Role.VLU_OFFICER,
    "A": Role.AUDITOR,
    "D": Role.ADMIN,
}
_GRANTED = {
    permission: frozenset(_ROLE_LETTERS[letter] for letter in letters)
    for letters, permissions in _HELD_BY.items()
    for permission in permissions
}
if len(_GRANTED) != sum(len(permissions) for permissions in _HELD_BY.values()):
    raise RuntimeError("a permission stands in two rows of _HELD_BY")
GRANTS: Mapping[Permission, frozenset[Role]] = {p: _GRANTED[p] for p in Permission}

PERMISSIONS_OF: Mapping[Role, frozenset[Permission]] = {
    role: frozenset(p for p, roles in GRANTS.items() if role in roles) for role in Role
}


def role_can(role: Role | None, permission: Permission) -> bool:
    """Whether ``role`` holds ``permission`` (no role: signed out, holds nothing)."""
    return role is not None and permission in PERMISSIONS_OF[role]


def roles_with(permission: Permission) -> frozenset[Role]:
    return GRANTS[permission]


def disclosure_for(role: Role | None) -> Disclosure:
    """How much a vault opens for ``role``. Deny by default: only the case-work roles see true
    identities; every other role (auditors, administrators, nobody) sees pseudonyms."""
    return Disclosure.CASEWORK if role in CASEWORK_ROLES else Disclosure.PSEUDONYMISED
