"""The witness care officer's safeguards: needs assessments, actions and their timeline.

People absorbed safeguards (issue 13): the tables are declared in ``portal.people.models``; this
module keeps the old import path working.
"""

from portal.people.models import NeedsAssessment, SafeguardEvent, SafeguardingAction

__all__ = ["NeedsAssessment", "SafeguardEvent", "SafeguardingAction"]
