"""The generic state machine (portal.kit.states), shown on small machines shaped like the ones the
domains will move onto: anonymity applications, unmask grants, obligations and jobs."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import pytest

from portal.accounts.actor import Actor
from portal.accounts.permissions import Permission, roles_with
from portal.accounts.roles import Role
from portal.kit.enums import LabelledStrEnum
from portal.kit.errors import (
    ActionNotPermitted,
    Conflict,
    GuardRefused,
    NotPermitted,
    TransitionRefused,
)
from portal.kit.states import Guard, Machine, Step, Transition


def actor(role: Role) -> Actor:
    return Actor(uuid.uuid4(), role)


def can(who: Actor, permission: Permission) -> bool:
    return who.can(permission)


# --- unmask grants: requested by one person, decided by another ----------------------------


class Grant(LabelledStrEnum):
    PENDING = "pending", "Waiting for a second person"
    APPROVED = "approved", "Approved"
    REFUSED = "refused", "Refused"
    EXPIRED = "expired", "Expired"


class GrantAction(LabelledStrEnum):
    REQUEST = "request"
    APPROVE = "approve"
    REFUSE = "refuse"
    EXPIRE = "expire"


@dataclass(frozen=True)
class GrantFacts:
    requested_by: uuid.UUID | None = None
    may_unmask: bool = False  # the user's own flag, set by an administrator


GrantStep = Step[Grant, GrantAction, Actor, GrantFacts]
SECOND_PERSON = Guard[Grant, GrantAction, Actor, GrantFacts](
    "A second person must approve", lambda s: s.actor.user_id != s.facts.requested_by
)
AUTHORISED = Guard[Grant, GrantAction, Actor, GrantFacts](
    "You do not have the permission to see sealed identities", lambda s: s.facts.may_unmask
)
GRANTS = Machine[Grant, GrantAction, Permission, Actor, GrantFacts](
    "an unmask request",
    [
        Transition(
            GrantAction.REQUEST, {None}, Grant.PENDING, Permission.REQUEST_UNMASK, (AUTHORISED,)
        ),
        Transition(
            GrantAction.APPROVE,
            {Grant.PENDING},
            Grant.APPROVED,
            Permission.APPROVE_UNMASK,
            (AUTHORISED, SECOND_PERSON),
        ),
        Transition(
            GrantAction.REFUSE,
            {Grant.PENDING},
            Grant.REFUSED,
            Permission.APPROVE_UNMASK,
            (AUTHORISED, SECOND_PERSON),
        ),
        Transition(
            GrantAction.EXPIRE,
            {Grant.APPROVED},
            Grant.EXPIRED,
            Permission.APPROVE_UNMASK,
            offered=False,
        ),
    ],
    authorise=can,
    facts=GrantFacts(),
    holders=roles_with,
)


def test_the_requester_cannot_approve_their_own_unmask_request() -> None:
    requester, colleague = actor(Role.PROSECUTOR), actor(Role.VLU_OFFICER)
    facts = GrantFacts(requested_by=requester.user_id, may_unmask=True)
    with pytest.raises(GuardRefused, match="second person") as caught:
        GRANTS.check(GrantAction.APPROVE, Grant.PENDING, requester, facts)
    assert caught.value.action is GrantAction.APPROVE
    assert isinstance(caught.value, Conflict) and not isinstance(caught.value, TransitionRefused)
    assert GRANTS.check(GrantAction.APPROVE, Grant.PENDING, colleague, facts) is Grant.APPROVED
    assert GRANTS.allowed(Grant.PENDING, requester, facts) == []
    assert GRANTS.allowed(Grant.PENDING, colleague, facts) == [
        GrantAction.APPROVE,
        GrantAction.REFUSE,
    ]


def test_guards_run_in_order_and_the_first_refusal_is_reported() -> None:
    someone = actor(Role.WITNESS_CARE_OFFICER)
    facts = GrantFacts(requested_by=someone.user_id, may_unmask=False)
    with pytest.raises(GuardRefused, match="permission to see sealed identities"):
        GRANTS.check(GrantAction.APPROVE, Grant.PENDING, someone, facts)


def test_a_role_without_the_permission_is_refused_before_the_state_is_looked_at() -> None:
    with pytest.raises(ActionNotPermitted) as caught:
        GRANTS.check(GrantAction.APPROVE, Grant.EXPIRED, actor(Role.AUDITOR))
    assert isinstance(caught.value, NotPermitted)
    assert "may not approve an unmask request" in str(caught.value)


def test_a_step_from_the_wrong_state_is_a_refused_transition() -> None:
    colleague = actor(Role.PROSECUTOR)
    with pytest.raises(TransitionRefused) as caught:
        GRANTS.check(GrantAction.APPROVE, Grant.REFUSED, colleague, GrantFacts(may_unmask=True))
    assert caught.value.state is Grant.REFUSED
    assert str(caught.value) == "cannot approve an unmask request that is refused"


def test_system_steps_are_checked_but_never_offered() -> None:
    colleague = actor(Role.PROSECUTOR)
    assert GRANTS.check(GrantAction.EXPIRE, Grant.APPROVED, colleague) is Grant.EXPIRED
    assert GRANTS.allowed(Grant.APPROVED, colleague) == []


# --- anonymity applications: the approving role is a setting ---------------------------------


class App(LabelledStrEnum):
    DRAFTED = "drafted"
    APPROVED = "approved"
    SERVED = "served"
    GRANTED = "granted"


class AppAction(LabelledStrEnum):
    DRAFT = "draft"
    APPROVE = "approve"
    SERVE = "serve"
    GRANT = "grant"


@dataclass(frozen=True)
class AppFacts:
    drafted_by: uuid.UUID | None = None
    approver_role: Role = Role.PROSECUTOR  # settings.anonymity_approver_role


def anonymity_machine() -> Machine[App, AppAction, Permission, Actor, AppFacts]:
    def approver(step: Step[App, AppAction, Actor, AppFacts]) -> bool:
        return step.actor.role is step.facts.approver_role

    def not_the_author(step: Step[App, AppAction, Actor, AppFacts]) -> bool:
        return step.actor.user_id != step.facts.drafted_by

    return Machine(
        "an anonymity application",
        [
            Transition(AppAction.DRAFT, {None}, App.DRAFTED, Permission.APPLY_FOR_ANONYMITY),
            Transition(
                AppAction.APPROVE,
                {App.DRAFTED},
                App.APPROVED,
                Permission.APPROVE_ANONYMITY_APPLICATION,
                (
                    Guard("Only the approving role can approve", approver),
                    Guard("The approver must be someone other than the author", not_the_author),
                ),
            ),
            Transition(AppAction.SERVE, {App.APPROVED}, App.SERVED, Permission.APPLY_FOR_ANONYMITY),
            Transition(AppAction.GRANT, {App.SERVED}, App.GRANTED, Permission.APPLY_FOR_ANONYMITY),
        ],
        authorise=can,
        facts=AppFacts(),
    )


def test_anonymity_approval_follows_the_configured_role_and_needs_a_second_person() -> None:
    machine = anonymity_machine()
    author, other, vlu = actor(Role.PROSECUTOR), actor(Role.PROSECUTOR), actor(Role.VLU_OFFICER)
    by_prosecutors = AppFacts(drafted_by=author.user_id)
    by_vlu = AppFacts(drafted_by=author.user_id, approver_role=Role.VLU_OFFICER)
    with pytest.raises(GuardRefused, match="someone other than the author"):
        machine.check(AppAction.APPROVE, App.DRAFTED, author, by_prosecutors)
    assert machine.check(AppAction.APPROVE, App.DRAFTED, other, by_prosecutors) is App.APPROVED
    with pytest.raises(GuardRefused, match="approving role"):
        machine.check(AppAction.APPROVE, App.DRAFTED, vlu, by_prosecutors)
    assert machine.check(AppAction.APPROVE, App.DRAFTED, vlu, by_vlu) is App.APPROVED
    with pytest.raises(ActionNotPermitted):  # a VLU officer never serves
        machine.check(AppAction.SERVE, App.APPROVED, vlu, by_vlu)
    assert machine.allowed(App.APPROVED, author) == [AppAction.SERVE]


# --- obligations: who may record an outcome is rules data, so a guard on the actor ------------


class Obligation(LabelledStrEnum):
    OPEN = "open"
    MET = "met"
    NOT_APPLICABLE = "not_applicable"


class ObligationAction(LabelledStrEnum):
    MEET = "meet"
    CLOSE = "close"
    REOPEN = "reopen"


@dataclass(frozen=True)
class Owed:
    responsible_role: Role | None = None  # from the rules file's responsible body


def test_an_obligation_is_recorded_only_by_the_body_it_is_owed_by() -> None:
    def responsible(step: Step[Obligation, ObligationAction, Actor, Owed]) -> bool:
        return step.actor.role is step.facts.responsible_role

    owner = Guard[Obligation, ObligationAction, Actor, Owed](
        "Only the body responsible for this entitlement can change it", responsible
    )
    perm = Permission.RECORD_OBLIGATION_OUTCOME
    machine = Machine[Obligation, ObligationAction, Permission, Actor, Owed](
        "an obligation",
        [
            Transition(ObligationAction.MEET, {Obligation.OPEN}, Obligation.MET, perm, (owner,)),
            Transition(
                ObligationAction.CLOSE,
                {Obligation.OPEN},
                Obligation.NOT_APPLICABLE,
                perm,
                (owner,),
            ),
            Transition(
                ObligationAction.REOPEN,
                {Obligation.MET, Obligation.NOT_APPLICABLE},
                Obligation.OPEN,
                perm,
                (owner,),
            ),
        ],
        authorise=can,
        facts=Owed(),
    )
    wcu = Owed(responsible_role=Role.WITNESS_CARE_OFFICER)
    officer, prosecutor = actor(Role.WITNESS_CARE_OFFICER), actor(Role.PROSECUTOR)
    assert machine.allowed(Obligation.OPEN, officer, wcu) == [
        ObligationAction.MEET,
        ObligationAction.CLOSE,
    ]
    assert machine.allowed(Obligation.OPEN, prosecutor, wcu) == []
    assert machine.check(ObligationAction.REOPEN, Obligation.MET, officer, wcu) is Obligation.OPEN
    with pytest.raises(ActionNotPermitted):
        machine.check(ObligationAction.MEET, Obligation.OPEN, actor(Role.AUDITOR), wcu)


# --- jobs: the actor is the system, authorised by a plain predicate ---------------------------


class Job(LabelledStrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class JobAction(LabelledStrEnum):
    QUEUE = "queue"
    START = "start"
    FINISH = "finish"
    FAIL = "fail"
    RETRY = "retry"


@dataclass(frozen=True)
class Attempts:
    tries: int = 0


WORKER, OFFICER = "worker", "officer"


def test_a_job_machine_with_a_system_actor_and_a_retry_limit() -> None:
    def under_limit(step: Step[Job, JobAction, str, Attempts]) -> bool:
        return step.facts.tries < 3

    jobs = Machine[Job, JobAction, str, str, Attempts](
        "a job",
        [
            Transition(JobAction.QUEUE, {None}, Job.QUEUED, OFFICER),
            Transition(JobAction.START, {Job.QUEUED}, Job.RUNNING, WORKER),
            Transition(JobAction.FINISH, {Job.RUNNING}, Job.DONE, WORKER),
            Transition(JobAction.FAIL, {Job.RUNNING}, Job.FAILED, WORKER),
            Transition(
                JobAction.RETRY,
                {Job.FAILED},
                Job.QUEUED,
                WORKER,
                (Guard("Tried three times: ask for help", under_limit),),
            ),
        ],
        authorise=lambda who, needed: who == needed,
        facts=Attempts(),
    )
    assert jobs.check(JobAction.QUEUE, None, OFFICER) is Job.QUEUED
    assert jobs.allowed(Job.RUNNING, WORKER) == [JobAction.FINISH, JobAction.FAIL]
    assert jobs.check(JobAction.RETRY, Job.FAILED, WORKER, Attempts(tries=2)) is Job.QUEUED
    with pytest.raises(GuardRefused, match="three times"):
        jobs.check(JobAction.RETRY, Job.FAILED, WORKER, Attempts(tries=3))
    with pytest.raises(ActionNotPermitted, match="officer may not start a job"):
        jobs.check(JobAction.START, Job.QUEUED, OFFICER)
    assert jobs.states() == [Job.QUEUED, Job.RUNNING, Job.DONE, Job.FAILED]


# --- the machine itself --------------------------------------------------------------------


def test_an_action_is_declared_once() -> None:
    with pytest.raises(ValueError, match="declared twice"):
        Machine[Job, JobAction, str, str, None](
            "a job",
            [
                Transition(JobAction.START, {Job.QUEUED}, Job.RUNNING, WORKER),
                Transition(JobAction.START, {Job.FAILED}, Job.RUNNING, WORKER),
            ],
            authorise=lambda who, needed: True,
            facts=None,
        )
    with pytest.raises(ValueError, match="no transitions"):
        Machine[Job, JobAction, str, str, None](
            "a job", [], authorise=lambda who, needed: True, facts=None
        )


def test_describe_and_mermaid_draw_the_machine() -> None:
    table = GRANTS.describe()
    assert "| Action | From | To | Who | Conditions |" in table
    assert (
        "| Approve | Waiting for a second person | Approved | Prosecutor, Victim Liaison Unit "
        "officer, Witness care officer | You do not have the permission to see sealed "
        "identities; A second person must approve |"
    ) in table
    assert "| Request | (new) | Waiting for a second person |" in table
    assert "taken by the system" in table
    diagram = GRANTS.mermaid()
    assert diagram.startswith("stateDiagram-v2\n")
    assert "    [*] --> pending: request\n" in diagram
    assert "    approved --> expired: expire\n" in diagram


def test_the_machine_fills_in_who_holds_each_permission() -> None:
    assert GRANTS.transitions[GrantAction.APPROVE].roles == roles_with(Permission.APPROVE_UNMASK)
    assert anonymity_machine().transitions[AppAction.DRAFT].roles == frozenset()
