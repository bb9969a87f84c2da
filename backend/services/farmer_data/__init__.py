"""A farmer's own data: the export of everything about them as one ZIP (`GET /api/v1/me/export`, and with the
staff's reads of it, `hedgerow sar`), and the erasure of their contact details at their request
(`POST /api/v1/me/erasure`). docs/data-protection.md says what each gives and keeps."""
