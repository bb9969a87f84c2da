"""The screens, one per module. Views draw state and call its methods; they never touch SQLite or httpx."""
