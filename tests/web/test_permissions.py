"""Named permissions reproduce today's access exactly, route by route.

``ROUTE_PERMISSIONS`` is the conversion guide for the domain restructure: each route's
``allow(...)`` becomes ``requires(...)`` (or ``requires_any``) of the permissions listed here. The
test proves that the roles holding them are exactly the roles the route lets in today, so a
conversion cannot widen or narrow access; a new route must be added here to pass.
"""

from __future__ import annotations

import pytest
from jinja2 import UndefinedError
from starlette.applications import Starlette

from portal.accounts.actor import Actor
from portal.accounts.permissions import GRANTS, PERMISSIONS_OF, Permission, role_can, roles_with
from portal.accounts.roles import Role
from portal.web.routing import PortalRoute, allow, requires, requires_any
from portal.web.templating import make_templates

P = Permission

ROUTE_PERMISSIONS: dict[str, tuple[Permission, ...]] = {
    "person_rights_record": (P.RECORD_OBLIGATION_OUTCOME,),
    "home": (P.VIEW_HOME,),
    "logout": (P.MANAGE_OWN_SESSION,),
    "extend": (P.MANAGE_OWN_SESSION,),
    "account_sessions": (P.MANAGE_OWN_SESSION,),
    "account_session_sign_out": (P.MANAGE_OWN_SESSION,),
    "account_sessions_sign_out_others": (P.MANAGE_OWN_SESSION,),
    "account_passkeys": (P.MANAGE_OWN_SESSION,),
    "account_passkey_register": (P.MANAGE_OWN_SESSION,),
    "account_passkey_remove": (P.MANAGE_OWN_SESSION,),
    "second_factor": (P.MANAGE_OWN_SESSION,),
    "second_factor_submit": (P.MANAGE_OWN_SESSION,),
    "recovery_code": (P.MANAGE_OWN_SESSION,),
    "recovery_code_submit": (P.MANAGE_OWN_SESSION,),
    "second_factor_passkey": (P.MANAGE_OWN_SESSION,),
    "second_factor_passkey_submit": (P.MANAGE_OWN_SESSION,),
    "factor_enrol_start": (P.MANAGE_OWN_SESSION,),
    "factor_enrol": (P.MANAGE_OWN_SESSION,),
    "factor_enrol_submit": (P.MANAGE_OWN_SESSION,),
    "step_up": (P.MANAGE_OWN_SESSION,),
    "step_up_submit": (P.MANAGE_OWN_SESSION,),
    "admin_factors": (P.ADMINISTER_ACCOUNTS,),
    "admin_factor_reset_request": (P.ADMINISTER_ACCOUNTS,),
    "admin_factor_reset_decide": (P.ADMINISTER_ACCOUNTS,),
    "admin_users": (P.ADMINISTER_ACCOUNTS,),
    "admin_user_new": (P.ADMINISTER_ACCOUNTS,),
    "admin_request": (P.ADMINISTER_ACCOUNTS,),
    "admin_request_decide": (P.ADMINISTER_ACCOUNTS,),
    "admin_user_setup_code": (P.ADMINISTER_ACCOUNTS,),
    "admin_user_create": (P.ADMINISTER_ACCOUNTS,),
    "admin_user_activate": (P.ADMINISTER_ACCOUNTS,),
    "admin_user_deactivate": (P.ADMINISTER_ACCOUNTS,),
    "admin_user_deactivation": (P.ADMINISTER_ACCOUNTS,),
    "admin_user_access": (P.ADMINISTER_ACCOUNTS,),
    "admin_user_access_request": (P.ADMINISTER_ACCOUNTS,),
    "admin_access_change": (P.ADMINISTER_ACCOUNTS,),
    "admin_access_change_decide": (P.ADMINISTER_ACCOUNTS,),
    "case_list": (P.VIEW_CASES,),
    "case_detail": (P.VIEW_CASES,),
    "person_page": (P.VIEW_CASES,),
    "person_rights": (P.VIEW_CASES,),
    "person_documents": (P.VIEW_CASES,),
    "obligation_detail": (P.VIEW_CASES,),
    "anonymity_person": (P.VIEW_CASES,),
    "anonymity_application": (P.VIEW_CASES,),
    "case_restrictions": (P.VIEW_CASES,),
    "search": (P.SEARCH,),
    "search_submit": (P.SEARCH,),
    "outcomes_case": (P.VIEW_OUTCOMES,),
    "outcomes_victims": (P.VIEW_OUTCOMES,),
    "outcomes_person": (P.VIEW_OUTCOMES,),
    "outcomes_person_save": (P.RECORD_LOSSES,),
    "outcomes_order": (P.VIEW_OUTCOMES,),
    "outcomes_order_save": (P.RECORD_COURT_ORDERS,),
    "outcomes_compensation": (P.RECORD_COURT_ORDERS,),
    "outcomes_compensation_save": (P.RECORD_COURT_ORDERS,),
    "outcomes_confiscation": (P.RECORD_COURT_ORDERS,),
    "outcomes_confiscation_save": (P.RECORD_COURT_ORDERS,),
    "outcomes_ancillary": (P.RECORD_COURT_ORDERS,),
    "outcomes_ancillary_save": (P.RECORD_COURT_ORDERS,),
    "outcomes_finalise": (P.RECORD_COURT_ORDERS,),
    "outcomes_finalise_save": (P.RECORD_COURT_ORDERS,),
    "outcomes_import": (P.RECORD_LOSSES,),
    "outcomes_import_save": (P.RECORD_LOSSES,),
    "outcomes_review": (P.VIEW_PERFORMANCE_REVIEW,),
    "outcomes_review_csv": (P.VIEW_PERFORMANCE_REVIEW,),
    "outcomes_review_cases": (P.VIEW_PERFORMANCE_REVIEW,),
    "case_new": (P.OPEN_CASE,),
    "case_create": (P.OPEN_CASE,),
    "event_new": (P.RECORD_CASE_EVENT,),
    "event_create": (P.RECORD_CASE_EVENT,),
    "case_import": (P.IMPORT_PEOPLE,),
    "case_import_submit": (P.IMPORT_PEOPLE,),
    "person_new": (P.EDIT_PERSON,),
    "person_create": (P.EDIT_PERSON,),
    "person_edit": (P.EDIT_PERSON,),
    "person_update": (P.EDIT_PERSON,),
    "person_contact": (P.EDIT_SAFEGUARDS,),
    "person_contact_update": (P.EDIT_SAFEGUARDS,),
    "person_nrm_add": (P.EDIT_SAFEGUARDS,),
    "person_reference_add": (P.EDIT_SAFEGUARDS,),
    "person_referral_add": (P.EDIT_SAFEGUARDS,),
    "person_linked_add": (P.EDIT_SAFEGUARDS,),
    "person_linked_remove": (P.EDIT_SAFEGUARDS,),
    "person_role": (P.EDIT_PERSON,),
    "person_role_update": (P.EDIT_PERSON,),
    "person_enhanced": (P.EDIT_PERSON,),
    "person_enhanced_update": (P.EDIT_PERSON,),
    "person_needs": (P.VIEW_NEEDS_ASSESSMENTS,),
    "person_needs_record": (P.RECORD_NEEDS_ASSESSMENT,),
    "person_action_add": (P.MANAGE_SAFEGUARDING_ACTIONS,),
    "person_action_done": (P.MANAGE_SAFEGUARDING_ACTIONS,),
    "person_documents_upload": (P.UPLOAD_DOCUMENTS,),
    "person_document": (P.DOWNLOAD_DOCUMENTS,),
    "person_document_check": (P.DOWNLOAD_DOCUMENTS,),
    "person_document_override": (P.SERVE_DOCUMENTS,),
    "person_document_answer": (P.SERVE_DOCUMENTS,),
    "person_document_manual_check": (P.SERVE_DOCUMENTS,),
    "person_document_ready": (P.SERVE_DOCUMENTS,),
    "person_document_version": (P.UPLOAD_DOCUMENTS,),
    "my_work": (P.VIEW_MY_WORK,),
    "obligation_met": (P.RECORD_OBLIGATION_OUTCOME,),
    "obligation_close": (P.RECORD_OBLIGATION_OUTCOME,),
    "obligation_reopen": (P.RECORD_OBLIGATION_OUTCOME,),
    "sm_case": (P.VIEW_SPECIAL_MEASURES,),
    "sm_witness": (P.VIEW_SPECIAL_MEASURES,),
    "sm_application": (P.VIEW_SPECIAL_MEASURES,),
    "sm_work": (P.VIEW_SPECIAL_MEASURES_WORK,),
    "sm_assessment": (P.ASSESS_SPECIAL_MEASURES,),
    "sm_assessment_save": (P.ASSESS_SPECIAL_MEASURES,),
    "sm_document": (P.PRINT_SPECIAL_MEASURES,),
    "sm_document_pdf": (P.PRINT_SPECIAL_MEASURES,),
    "sm_identify": (P.IDENTIFY_SPECIAL_MEASURES_NEED,),
    "sm_identify_save": (P.IDENTIFY_SPECIAL_MEASURES_NEED,),
    "sm_request": (P.REQUEST_SPECIAL_MEASURES,),
    "sm_draft": (P.DRAFT_SPECIAL_MEASURES,),
    "sm_draft_save": (P.DRAFT_SPECIAL_MEASURES,),
    "sm_serve": (P.SERVE_SPECIAL_MEASURES,),
    "sm_serve_save": (P.SERVE_SPECIAL_MEASURES,),
    "sm_decision": (P.RECORD_SPECIAL_MEASURES_DECISION,),
    "sm_decision_save": (P.RECORD_SPECIAL_MEASURES_DECISION,),
    "sm_variation": (P.RECORD_SPECIAL_MEASURES_DECISION,),
    "sm_variation_save": (P.RECORD_SPECIAL_MEASURES_DECISION,),
    "anonymity_restriction": (P.RECORD_RESTRICTION,),
    "anonymity_apply": (P.APPLY_FOR_ANONYMITY,),
    "anonymity_served": (P.APPLY_FOR_ANONYMITY,),
    "anonymity_court": (P.APPLY_FOR_ANONYMITY,),
    "anonymity_action": (P.APPLY_FOR_ANONYMITY, P.APPROVE_ANONYMITY_APPLICATION),
    "anonymity_unmask": (P.REQUEST_UNMASK,),
    "anonymity_unmask_request": (P.REQUEST_UNMASK, P.APPROVE_UNMASK),
    "anonymity_unmask_decide": (P.APPROVE_UNMASK,),
    "vlu_queue": (P.VIEW_LETTER_REQUESTS,),
    "vlu_decision": (P.VIEW_LETTER_REQUESTS,),
    "vlu_request": (P.VIEW_LETTER_REQUESTS,),
    "vlu_message": (P.MESSAGE_ON_REQUEST,),
    "vlu_letter": (P.READ_LETTER,),
    "vlu_letter_pdf": (P.READ_LETTER,),
    "vlu_reasons": (P.SUPPLY_REASONS,),
    "vlu_work": (P.SUPPLY_REASONS,),
    "vlu_draft": (P.DRAFT_LETTER,),
    "vlu_readability": (P.DRAFT_LETTER,),
    "vlu_check": (P.CHECK_LETTER,),
    "vlu_send": (P.SEND_LETTER,),
    "vlu_bulk": (P.RUN_BULK_LETTERS,),
    "vlu_job": (P.RUN_BULK_LETTERS,),
    "vlu_not_sent": (P.RUN_BULK_LETTERS,),
    "vlu_not_sent_csv": (P.RUN_BULK_LETTERS,),
    "vlu_ask_witness_care": (P.RUN_BULK_LETTERS,),
    "vlu_bulk_check": (P.RUN_BULK_LETTERS,),
    "vlu_bulk_check_start": (P.RUN_BULK_LETTERS,),
    "vlu_bulk_check_approve": (P.RUN_BULK_LETTERS,),
    "vlu_bulk_check_letter": (P.RUN_BULK_LETTERS,),
    "vlu_bulk_check_read": (P.RUN_BULK_LETTERS,),
    "vlu_review": (P.RECORD_REVIEW_REQUEST, P.HANDLE_REVIEW),
    "audit_log": (P.VIEW_AUDIT_LOG,),
    "audit_export": (P.EXPORT_AUDIT_LOG,),
    "compliance": (P.VIEW_COMPLIANCE,),
    "compliance_drill": (P.VIEW_COMPLIANCE,),
    "told_check": (P.VIEW_COMPLIANCE,),
    "compliance_export": (P.EXPORT_COMPLIANCE,),
    "quality": (P.SAMPLE_QUALITY,),
    "quality_draw": (P.SAMPLE_QUALITY,),
    "quality_score": (P.SAMPLE_QUALITY,),
    "breakglass_request": (P.SEE_PERSONAL_DETAILS,),
    "breakglass_request_save": (P.SEE_PERSONAL_DETAILS,),
    "breakglass_queue": (P.REVIEW_BREAK_GLASS,),
    "breakglass_review": (P.REVIEW_BREAK_GLASS,),
    "breakglass_review_save": (P.REVIEW_BREAK_GLASS,),
}
# Asked by services and templates, not by a route of their own (what a role may see or which
# button a page shows); each replaces a hand-written role check listed in docs/kit.md.
NOT_A_ROUTE = {P.SEE_PERSONAL_DETAILS}


def routes_of(app: Starlette) -> dict[str, PortalRoute]:
    return {r.name: r for r in app.routes if isinstance(r, PortalRoute) and not r.access.public}


def test_every_signed_in_route_is_mapped_to_its_permissions(app: Starlette) -> None:
    assert set(routes_of(app)) == set(ROUTE_PERMISSIONS)


@pytest.mark.parametrize("name", sorted(ROUTE_PERMISSIONS))
def test_the_permissions_let_in_exactly_the_roles_the_route_lets_in(
    app: Starlette, name: str
) -> None:
    route = routes_of(app)[name]
    wanted = ROUTE_PERMISSIONS[name]
    holders = frozenset(role for p in wanted for role in roles_with(p))
    assert holders == route.access.roles, name
    for role in Role:
        assert route.access.allows(role) == any(role_can(role, p) for p in wanted), (name, role)
    if route.access.permissions:  # converted: it must declare what the guide says
        assert route.access.permissions == frozenset(wanted), name


def test_home_is_declared_by_permission() -> None:
    from portal.home.routes import routes

    home = next(r for r in routes if r.name == "home")
    assert home.access.permissions == {P.VIEW_HOME}
    assert home.access.roles == frozenset(Role)


def test_every_permission_is_granted_and_used() -> None:
    assert set(GRANTS) == set(Permission)
    assert all(GRANTS[p] for p in Permission), "a permission nobody holds"
    used = {p for wanted in ROUTE_PERMISSIONS.values() for p in wanted} | NOT_A_ROUTE
    assert used == set(Permission)
    assert all(p.label and p.label != p.value for p in Permission)


def test_the_two_views_of_the_table_agree() -> None:
    for permission, roles in GRANTS.items():
        for role in Role:
            assert (permission in PERMISSIONS_OF[role]) == (role in roles)


def test_administrators_see_no_case_data_and_auditors_change_nothing() -> None:
    case_data = {P.VIEW_CASES, P.SEARCH, P.SEE_PERSONAL_DETAILS, P.VIEW_SPECIAL_MEASURES}
    assert not PERMISSIONS_OF[Role.ADMIN] & case_data
    assert PERMISSIONS_OF[Role.AUDITOR] == {
        P.VIEW_HOME,
        P.MANAGE_OWN_SESSION,
        P.VIEW_CASES,
        P.SEARCH,
        P.VIEW_SPECIAL_MEASURES,
        P.VIEW_AUDIT_LOG,
        P.EXPORT_AUDIT_LOG,
        P.VIEW_COMPLIANCE,
        P.EXPORT_COMPLIANCE,
        P.SAMPLE_QUALITY,
        P.REVIEW_BREAK_GLASS,
        P.VIEW_OUTCOMES,
        P.VIEW_PERFORMANCE_REVIEW,
    }


def test_actor_can_asks_the_table() -> None:
    import uuid

    officer = Actor(uuid.uuid4(), Role.VLU_OFFICER)
    assert officer.can(P.SEND_LETTER)
    assert not officer.can(P.SUPPLY_REASONS)
    assert not role_can(None, P.VIEW_HOME)


def test_requires_derives_the_roles_and_keeps_the_permission() -> None:
    access = requires(P.CHECK_LETTER)
    assert access.roles == {Role.VLU_OFFICER}
    assert access.permissions == {P.CHECK_LETTER}
    assert access.allows(Role.VLU_OFFICER) and not access.allows(Role.PROSECUTOR)
    assert not access.allows(None)
    both = requires_any(P.SUPPLY_REASONS, P.SEND_LETTER)
    assert both.roles == {Role.PROSECUTOR, Role.VLU_OFFICER}
    with pytest.raises(ValueError, match="at least one"):
        requires_any()
    assert allow(Role.AUDITOR).permissions == frozenset()


class _Principal:
    def __init__(self, role: Role) -> None:
        self.role = role

    def can(self, permission: Permission) -> bool:
        return role_can(self.role, permission)


def test_templates_ask_the_same_table() -> None:
    env = make_templates().env
    page = env.from_string(
        "{{ 'yes' if principal | can('send_letter') else 'no' }}"
        "{{ 'yes' if principal | can(Permission.SUPPLY_REASONS) else 'no' }}"
    )
    assert page.render(principal=_Principal(Role.VLU_OFFICER)) == "yesno"
    assert page.render(principal=_Principal(Role.PROSECUTOR)) == "noyes"
    assert page.render(principal=None) == "nono"
    with pytest.raises(ValueError, match="sendletter"):
        env.from_string("{{ principal | can('sendletter') }}").render(principal=None)
    with pytest.raises(UndefinedError):
        env.from_string("{{ principal | can(Permission.NO_SUCH) }}").render(principal=None)
