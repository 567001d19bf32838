"""Dates as the site states them, to ISO-8601 with seconds and the right offset.

A date that states its offset keeps it. A date without one is Beirut wall time, which around the
daylight-saving switches can be non-existent (spring: 00:00–00:59 is skipped) or ambiguous
(autumn: 23:00–23:59 happens twice). Neither crashes or shifts silently: a non-existent time is
read with the offset from before the switch (the instant a clock that had not yet changed meant)
and written in real Beirut time; an ambiguous one takes its first occurrence; both are reported
through ``notes``.
"""

import re
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from mayadeen.site.urls import TIMEZONE as BEIRUT

_ISO = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,]\d+)?)?"
    r"\s*(Z|[+-]\d{2}(?::?\d{2})?)?",
    re.IGNORECASE,
)
# The visible form ``24 Feb 2022 14:05`` (day not zero-padded), tolerating a full month name,
# a comma, or a dot after the month.
_VISIBLE = re.compile(r"(\d{1,2})\s+([A-Za-z]{3,9})\.?,?\s+(\d{4}),?\s+(?:at\s+)?(\d{1,2}):(\d{2})")
_MONTH_NAMES = (
    "january february march april may june july august september october november december"
)
_MONTHS = {
    **{name: number for number, name in enumerate(_MONTH_NAMES.split(), start=1)},
    **{name[:3]: number for number, name in enumerate(_MONTH_NAMES.split(), start=1)},
    "sept": 9,
}


def iso_seconds(moment: datetime) -> str:
    """The contract's form: ISO-8601, seconds precision, numeric offset.

    >>> iso_seconds(datetime(2022, 2, 24, 12, 5, 30, 999, tzinfo=UTC))
    '2022-02-24T12:05:30+00:00'
    """
    return moment.replace(microsecond=0).isoformat()


def beirut_wall_time(naive: datetime, notes: list[str] | None = None) -> datetime:
    """A Beirut wall-clock time as an aware datetime, gap and fold handled as the module says.

    >>> beirut_wall_time(datetime(2024, 3, 31, 0, 30)).isoformat()
    '2024-03-31T01:30:00+03:00'
    >>> beirut_wall_time(datetime(2023, 10, 28, 23, 30)).isoformat()
    '2023-10-28T23:30:00+03:00'
    >>> notes = []
    >>> _ = beirut_wall_time(datetime(2023, 10, 28, 23, 30), notes)
    >>> notes
    ['ambiguous Beirut wall time 2023-10-28T23:30:00: read as its first occurrence (+03:00)']
    """
    first = naive.replace(tzinfo=BEIRUT, fold=0)
    second = naive.replace(tzinfo=BEIRUT, fold=1)
    moment = first.astimezone(UTC).astimezone(BEIRUT)
    if notes is not None and first.utcoffset() != second.utcoffset():
        if moment.replace(tzinfo=None) != naive:
            notes.append(
                f"non-existent Beirut wall time {naive.isoformat()} (spring gap): "
                f"read as {first.isoformat()[-6:]}, written {moment.isoformat()}"
            )
        else:
            notes.append(
                f"ambiguous Beirut wall time {naive.isoformat()}: read as its first "
                f"occurrence ({moment.isoformat()[-6:]})"
            )
    return moment


def _offset(text: str) -> timezone:
    if text.upper() == "Z":
        return UTC
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:4] or 0)
    return timezone(sign * timedelta(hours=hours, minutes=minutes))


def _iso(match: re.Match[str], notes: list[str] | None) -> datetime:
    year, month, day, hour, minute, second = (int(g or 0) for g in match.groups()[:6])
    naive = datetime(year, month, day, hour, minute, second)
    zone = match.group(7)
    if zone:
        return naive.replace(tzinfo=_offset(zone))
    return beirut_wall_time(naive, notes)


def _visible(match: re.Match[str], notes: list[str] | None) -> datetime:
    day, month_name, year, hour, minute = match.groups()
    month = _MONTHS.get(month_name.lower())
    if month is None:
        raise ValueError(f"unknown month {month_name!r}")
    naive = datetime(int(year), month, int(day), int(hour), int(minute))
    return beirut_wall_time(naive, notes)


def parse_datetime(value: Any, notes: list[str] | None = None) -> str | None:
    """Any of the site's date forms to the contract's; None when there is no full date and time.

    >>> parse_datetime("2024-05-30T23:49:00+03:00")  # tawsiyat, JSON-LD: the offset is kept
    '2024-05-30T23:49:00+03:00'
    >>> parse_datetime("2023-12-30T21:59:00.0000000")  # meta tags: Beirut wall time
    '2023-12-30T21:59:00+02:00'
    >>> parse_datetime("24 Feb 2022 14:05")  # the visible date
    '2022-02-24T14:05:00+02:00'
    >>> parse_datetime("2022-02-24T12:05:00Z")
    '2022-02-24T12:05:00+00:00'
    >>> parse_datetime("30 Sep 2025") is None, parse_datetime("2024-13-01T00:00") is None
    (True, True)
    """
    if not isinstance(value, str) or len(value) > 200:
        return None
    text = value.strip()
    try:
        if match := _ISO.fullmatch(text):
            return iso_seconds(_iso(match, notes))
        if match := _VISIBLE.fullmatch(text):
            return iso_seconds(_visible(match, notes))
    except ValueError:  # out-of-range fields: month 13, hour 25, offset beyond a day
        return None
    return None
