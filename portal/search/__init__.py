"""Finding cases and people: by URN, exact name, date of birth or reference number."""
