"""Quality sampling: a random sample of met obligations, each scored against a checklist, so
quality is reported beside timeliness (inspectors found letters on time but poor)."""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass

from sqlalchemy.orm import Session

from portal.accounts.actor import Actor
from portal.accounts.unit import Unit
from portal.audit import service as audit
from portal.cases.errors import CaseNotFound, StaleEdit, ValidationFailed
from portal.clock import utc_now
from portal.compliance import repository
from portal.compliance.models import CHECKS, QualitySample

MAX_SAMPLE = 200


def draw(db: Session, actor: Actor, *, size: int) -> str:
    """Draw ``size`` met obligations not sampled before, uniformly at random."""
    if not 1 <= size <= MAX_SAMPLE:
        raise ValidationFailed({"size": f"Enter a sample size between 1 and {MAX_SAMPLE}"})
    candidates = repository.unsampled_met_ids(db)
    if not candidates:
        raise ValidationFailed({"size": "There are no met entitlements left to sample"})
    chosen = secrets.SystemRandom().sample(candidates, min(size, len(candidates)))
    batch = utc_now().strftime("%Y%m%d-%H%M%S") + "-" + secrets.token_hex(2)
    for obligation_id in chosen:
        db.add(
            QualitySample(
                batch=batch,
                obligation_id=obligation_id,
                drawn_by_id=actor.user_id,
                drawn_at=utc_now(),
                state="drawn",
            )
        )
    db.flush()
    drawn = f"size={len(chosen)}"
    audit.record_in_case(
        db, actor, "combination", "quality.draw", ("quality_sample", batch, None), drawn
    )
    return batch


def score(db: Session, actor: Actor, sample_id: uuid.UUID, answers: dict[str, bool]) -> None:
    sample = repository.get_sample(db, sample_id)
    if sample is None:
        raise CaseNotFound(sample_id)
    if sample.state != "drawn":
        # A sample is scored once: a second reviewer's form, shown before the first saved,
        # must not overwrite the first review (issue 19: no lost update).
        current = {name: getattr(sample, name) for name in CHECKS}
        raise StaleEdit(current, 0)
    missing = [name for name in CHECKS if name not in answers]
    if missing:
        raise ValidationFailed(
            {name: f"Choose yes or no for {CHECKS[name].lower()}" for name in missing}
        )
    for name, value in answers.items():
        setattr(sample, name, value)
    sample.score = sum(1 for v in answers.values() if v)
    sample.state = "reviewed"
    sample.reviewed_by_id = actor.user_id
    sample.reviewed_at = utc_now()
    db.flush()
    audit.record_in_case(
        db, actor, "collection", "quality.score", ("quality_sample", sample.id, None), *CHECKS
    )


@dataclass(frozen=True, slots=True)
class QualitySummary:
    reviewed: int
    drawn: int
    rates: dict[str, float | None]


def summary(db: Session) -> QualitySummary:
    reviewed = repository.count_samples(db, state="reviewed")
    drawn = repository.count_samples(db)
    rates: dict[str, float | None] = {}
    for name in CHECKS:
        yes = repository.count_passed(db, name)
        rates[name] = None if reviewed == 0 else yes / reviewed
    return QualitySummary(reviewed, drawn, rates)


def samples(db: Session) -> list[QualitySample]:
    return repository.recent_samples(db, limit=200)


# --- the page's use cases (one call per request) --------------------------------------------


@dataclass(frozen=True, slots=True)
class QualityPage:
    summary: QualitySummary
    samples: list[QualitySample]


def page(unit: Unit) -> QualityPage:
    return QualityPage(summary(unit.db), samples(unit.db))


def draw_sample(unit: Unit, *, size: int) -> str:
    return draw(unit.db, unit.actor, size=size)


def score_sample(unit: Unit, sample_id: uuid.UUID, answers: dict[str, bool]) -> None:
    score(unit.db, unit.actor, sample_id, answers)
