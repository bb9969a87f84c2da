"""Hedgerow's farmer app: capture a report with no signal, keep it safe on the phone, send it later.

Nothing here may import FastAPI or the backend: this package and `wire` are what the phone carries.
"""
