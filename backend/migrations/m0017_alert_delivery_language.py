"""The language of each queued alert SMS and email: the farmer's phone's language when the alert was queued, so a
Welsh-speaking farmer's text message and email are in Welsh (issue 18: everything a farmer receives). Rows queued
before this were written in English, and stay so."""

SQL = """
ALTER TABLE alert_deliveries ADD COLUMN language TEXT NOT NULL DEFAULT 'en' CHECK (language IN ('en', 'cy'));
"""
