"""The entry module `flet build` packages (`[tool.flet.app] module = "main"`): it starts the farmer app."""

from app.main import run

run()
