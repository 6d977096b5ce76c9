"""English date formats on top of Django's: the same order as the Dutch short date ("1 Dec 2026")."""

SHORT_DATE_FORMAT = "j M Y"
# As the pages write dates elsewhere ("1 December 2026"), not Django's "Dec. 1, 2026".
DATE_FORMAT = "j F Y"
