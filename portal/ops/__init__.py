"""Operations: schema downgrades, backups and restores (the commands an operator runs)."""
