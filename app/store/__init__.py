"""The phone's local storage: SQLite via sqlite-utils and the photo folder, under FLET_APP_STORAGE_DATA.

Only the state layer calls this package; views never touch SQLite.
"""

from pathlib import Path

from app.store.db import Store
from app.store.photos import sweep_orphans


def open_store(data_dir: Path) -> Store:
    """Open the phone's storage when the app starts: migrate, then clear what a crash left half-done.

    Only at process start, when no photo can be in the middle of being written: a sweep while another
    screen session writes a photo would delete its files before their row commits.
    """
    store = Store(data_dir)
    sweep_orphans(store)
    return store


__all__ = ["Store", "open_store"]
