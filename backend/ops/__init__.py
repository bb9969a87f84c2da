"""Operations: the process supervisor and backups."""
