"""Special measures (Youth Justice and Criminal Evidence Act 1999, Part II Chapter I).

Eligibility per witness per case, the measures sought, the application's life as an explicit
state machine, its deadline from the not-guilty plea, the printable application and the duty to
tell the witness the court's decision (domain-rules.md section 4).
"""
