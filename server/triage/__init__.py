"""Audience-message triage (question, personal medical, emergency, spam, ...): pure text in, a label out.

It needs no database and no platform, like server/privacy/ beside it; server/questions/ingest.py runs it on
every incoming message. `triage.triage` is the entry point; the learned model's files are in `data/`.
"""
