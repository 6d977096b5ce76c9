"""Dutch date formats on top of Django's: a short month is written in lower case ("1 dec 2026")."""

SHORT_DATE_FORMAT = "j b Y"
