"""Intake: reports and photos from the phones, the event log, and what the farmer reads back."""
