"""Listing dates as sortable keys and ISO dates.

A listing's date line is free text as the Daily Papers page shows it, matched by
:data:`generator.inputs.listings.DATE_RE`: ``Aug 12``, ``August 12``, ``Sept 3``, ``Aug. 12``,
``Aug 12, 2024``. Most saved pages carry no year, so a date is only partly known: the key keeps
the year as ``0`` rather than guessing one (guessing "this year" would make a build depend on the
day it ran). Structured records carry ISO dates (``2024-08-12``, or only the month: ``2024-08``,
keyed with day 0); both spellings are read here so that callers can compare any date a paper has.

Pure and locale-independent: month names are matched against a fixed English table, never
through :func:`time.strptime`, whose ``%b`` follows the process locale.
"""

from __future__ import annotations

import datetime
import re

DateKey = tuple[int, int, int]
"""``(year, month, day)``; year ``0`` when the text names none; ``(0, 0, 0)`` when unknown."""

UNKNOWN: DateKey = (0, 0, 0)

_MONTHS = (
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
)

#: A month word, an optional dot, a day, an optional ``, year``; extra spaces are forgiven.
_LISTING_RE = re.compile(r"([A-Za-z]+)\.? +([0-9]{1,2})(?: *, *([0-9]{4}))?")
#: ASCII digits only: ``\d`` would also take other scripts' digits, which ``int`` accepts. The day
#: may be absent: a record may know only the month (``2024-06``, the month an arXiv id encodes).
_ISO_RE = re.compile(r"([0-9]{4})-([0-9]{2})(?:-([0-9]{2}))?")

#: Any year is valid for a day of the month when the year is unknown; 2000 is a leap year, so
#: ``Feb 29`` without a year is accepted.
_LEAP_YEAR = 2000


def _month(word: str) -> int:
    """1-12 for an English month name or an abbreviation of at least three letters, else 0.

    ``Aug``, ``Sept`` and ``August`` all count; :data:`~generator.inputs.listings.DATE_RE` also lets
    through words like ``Mayday``, which are no month and give 0.
    """
    lowered = word.lower()
    if len(lowered) < 3:
        return 0
    for number, name in enumerate(_MONTHS, start=1):
        if name.startswith(lowered):
            return number
    return 0


def _valid(year: int, month: int, day: int) -> bool:
    try:
        datetime.date(year or _LEAP_YEAR, month, day)
    except ValueError:
        return False
    return True


def listing_date_key(text: str | None) -> DateKey:
    """``(year or 0, month, day)`` of a listing date or ISO date, for sorting.

    ``(0, 0, 0)`` for ``None`` and for text that is no valid date (``Feb 30``, ``Mayday 3``).
    A date without a year sorts before every date with one: it can be compared with other
    year-less dates, but not placed in time.
    """
    if text is None:
        return UNKNOWN
    value = text.strip()
    if match := _ISO_RE.fullmatch(value):
        year, month, day = (int(group or 0) for group in match.groups())
        if year == 0:
            return UNKNOWN
        if match.group(3) is None:  # a month: day 0, before the month's first day
            return (year, month, 0) if 1 <= month <= 12 else UNKNOWN
    elif match := _LISTING_RE.fullmatch(value):
        month = _month(match.group(1))
        day = int(match.group(2))
        year = int(match.group(3)) if match.group(3) else 0
        if match.group(3) and year == 0:
            return UNKNOWN
    else:
        return UNKNOWN
    return (year, month, day) if month and _valid(year, month, day) else UNKNOWN


def day_key(text: str | None) -> DateKey | None:
    """The key of ``text`` when it is a valid date whose year and day are known, else ``None``
    (a month alone, ``2024-06``, is no day)."""
    key = listing_date_key(text)
    return key if key[0] and key[2] else None


def iso_date(text: str | None) -> str | None:
    """``YYYY-MM-DD`` when ``text`` is a day with its year (:func:`day_key`), else ``None``."""
    key = day_key(text)
    return None if key is None else key_iso(key)


def key_iso(key: DateKey) -> str:
    """A key as ``YYYY-MM-DD`` (its year and day must be known)."""
    year, month, day = key
    return f"{year:04d}-{month:02d}-{day:02d}"


_SHORT_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def date_label(key: DateKey) -> str:
    """A date key as a page shows it, ``Aug 12, 2024``, or a month, ``Jun 2024`` (day 0: a
    record that knows only the month); ``""`` when its year is unknown.

    The one date label of the site: a date is never shown without its year (``Aug 12`` alone
    cannot be placed in time, and next to ``Dec 3, 2024`` it reads as that year's).
    """
    year, month, day = key
    if not (year and month):
        return ""
    if not day:
        return f"{_SHORT_MONTHS[month - 1]} {year}"
    return f"{_SHORT_MONTHS[month - 1]} {day}, {year}"


def _date(key: DateKey) -> datetime.date:
    """The calendar date of a key whose year is known (:class:`ValueError` otherwise)."""
    if not key[0]:
        raise ValueError(f"{key} has no year")
    return datetime.date(*key)


def day_label(key: DateKey) -> str:
    """A day with its weekday, ``Monday, Aug 12, 2024`` (the year must be known)."""
    return f"{_WEEKDAYS[_date(key).weekday()]}, {date_label(key)}"


def iso_week(key: DateKey) -> tuple[int, int]:
    """The ISO 8601 week of a day: ``(ISO year, week 1-53)``; weeks run Monday to Sunday, and
    week 1 is the one with the year's first Thursday (Dec 30, 2024 is in week 1 of 2025)."""
    iso = _date(key).isocalendar()
    return iso.year, iso.week


def week_days(year: int, week: int) -> tuple[DateKey, DateKey]:
    """The Monday and the Sunday of ISO week ``week`` of ``year``."""
    monday = datetime.date.fromisocalendar(year, week, 1)
    sunday = monday + datetime.timedelta(days=6)
    return (monday.year, monday.month, monday.day), (sunday.year, sunday.month, sunday.day)


def week_label(year: int, week: int) -> str:
    """``Week 33 of 2024`` (ISO weeks)."""
    return f"Week {week} of {year}"


def week_span(year: int, week: int) -> str:
    """The days of an ISO week: ``Aug 12 – Aug 18, 2024``, ``Dec 30, 2024 – Jan 5, 2025``."""
    first, last = week_days(year, week)
    if first[0] == last[0]:
        return f"{_SHORT_MONTHS[first[1] - 1]} {first[2]} – {date_label(last)}"
    return f"{date_label(first)} – {date_label(last)}"


def month_label(year: int, month: int) -> str:
    """``August 2024``."""
    return f"{_MONTHS[month - 1].capitalize()} {year}"
