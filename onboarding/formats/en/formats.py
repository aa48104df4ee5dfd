"""How Django writes dates and times where Stepwise does not write them itself. The admin's
lists and read-only fields do not get here: `journeys/admin/times.py` writes their times
through the staff pages' one wording ("3 Dec 2026, 10:00 in Los Angeles (18:00 UTC)").
What is left (a library's page, say) at least keeps the day-month-year and the zone."""

DATETIME_FORMAT = "j M Y, H:i T"
SHORT_DATETIME_FORMAT = "j M Y, H:i T"
DATE_FORMAT = "j M Y"
