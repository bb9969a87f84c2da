"""Staff accounts, sessions and tokens, and supervisors' management of their force's users."""
