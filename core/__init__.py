"""Rules both the farmer's phone and the server follow, written once.

Pure Python over the standard library and the base dependencies (sqlite-utils, Pillow): nothing here
imports backend, app, FastAPI, Flet or shapely, because the phone bundle ships this package and not those.
"""
