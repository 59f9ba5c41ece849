"""Imports every model module so the metadata is complete (for Alembic and the schema test)."""

from portal.accounts import factor_models
from portal.accounts import models as accounts_models
from portal.anonymity import models as anonymity_models
from portal.audit import models as audit_models
from portal.breakglass import models as breakglass_models
from portal.cases import models as cases_models
from portal.compliance import models as compliance_models
from portal.documents import models as documents_models
from portal.keys import models as keys_models
from portal.outcomes import models as outcomes_models
from portal.people import models as people_models
from portal.safeguards import models as safeguards_models
from portal.special_measures import models as special_measures_models
from portal.victims_code import models as victims_code_models
from portal.vlu import models as vlu_models
from portal.vlu.review import models as vlu_review_models

__all__ = [
    "accounts_models",
    "factor_models",
    "anonymity_models",
    "audit_models",
    "breakglass_models",
    "cases_models",
    "compliance_models",
    "documents_models",
    "keys_models",
    "outcomes_models",
    "people_models",
    "safeguards_models",
    "special_measures_models",
    "victims_code_models",
    "vlu_models",
    "vlu_review_models",
]
