"""Wire models shared by the farmer app and the backend.

Nothing here may import FastAPI or Flet: the phone bundle and the server both load this package.
"""
