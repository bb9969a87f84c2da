"""Sending the outbox to the server and bringing the police's answers back (issue 4)."""
