"""Work the app does on the phone without the UI: photos, grid references, locations, the server's API."""
