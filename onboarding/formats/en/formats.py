"""How Django writes dates and times on the admin's own lists and read-only fields: the
staff pages' format ("3 Dec 2026, 18:00 UTC"), always with the zone (issue 18, point 8).
Pages of Stepwise's own use `journeys.templatetags.staff.staff_date`, which says the zone
as a place with UTC beside it; Django's formats can only say its abbreviation."""

DATETIME_FORMAT = "j M Y, H:i T"
SHORT_DATETIME_FORMAT = "j M Y, H:i T"
DATE_FORMAT = "j M Y"
