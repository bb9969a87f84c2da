"""A farmer's contact details erased at their request (`POST /api/v1/me/erasure`): when it was done. The name,
phone, email, farm name and postcode themselves are blanked in the same write; the reports stay, and the
phone's token keeps working so the police's answers still reach it (backend/services/farmer_data/erasure.py)."""

SQL = """
ALTER TABLE devices ADD COLUMN contact_erased_at TEXT;
"""
