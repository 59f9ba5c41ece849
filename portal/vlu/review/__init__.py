"""The Victims' Right to Review carried to its end (domain-rules.md 1.9): the request checked
against the windows in the rules data, local resolution by a prosecutor who did not make the
decision, the independent review by the Appeals and Review Unit when the victim is still
dissatisfied, each with its reviewer, due date, outcome and outcome letter.

``timescales`` (the windows and due dates, pure), ``models`` (one review per request),
``letters`` (the outcome letters' first drafts), ``timeline`` (what the request page shows);
the steps are ``portal.vlu.service.review`` and the state machine ``portal.vlu.states``.
"""
