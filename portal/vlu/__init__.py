"""Victim Liaison Unit coordination: decision letters that are on time and good (issue 8).

A decision not to charge, to discontinue, to offer no evidence or to substantially alter a charge
creates one communication request per victim, tied to the Victims' Code obligation it delivers.
The request moves through an explicit workflow (``states``): the prosecutor gives reasons, a VLU
officer drafts the letter from a plain-English template (``letters``, ``readability``), a second
officer checks it, and it is sent by a channel the victim's safe-contact rules allow. Bulk work
for mass-victim cases runs in a database-backed job queue (``portal.jobs``).
"""
