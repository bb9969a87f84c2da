"""Triage: what officers do with reports (actions, the queue, search, linked reports, update templates)."""
