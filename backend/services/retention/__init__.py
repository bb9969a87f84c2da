"""Retention: how long records are kept (the policy), legal holds, and the purge that applies them."""
