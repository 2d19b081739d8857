"""Publication dates as ISO 'YYYY-MM-DD', from the many ways pages write them.

>>> [iso_date(s) for s in ("2018-03-20T09:15:00+00:00", "2017年8月5日 15:53", "March 20, 2018")]
['2018-03-20', '2017-08-05', '2018-03-20']
>>> date_in_url("https://mohitjain.me/2018/03/20/faster-r-cnn/")
'2018-03-20'
"""

from __future__ import annotations

import datetime as dt
import re

_MONTHS = {m: i for i, names in enumerate((
    ("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"), ("may",),
    ("jun", "june"), ("jul", "july"), ("aug", "august"), ("sep", "sept", "september"),
    ("oct", "october"), ("nov", "november"), ("dec", "december")), start=1) for m in names}
_MONTH = r"(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|" \
         r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
_YMD = re.compile(r"(?<!\d)((?:19|20)\d\d)\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})(?!\d)")
_COMPACT = re.compile(r"(?<!\d)((?:19|20)\d\d)(\d\d)(\d\d)(?:t|\d{4,6}|$)", re.I)
_MDY = re.compile(_MONTH + r"\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+((?:19|20)\d\d)", re.I)
_DMY = re.compile(r"(?<!\d)(\d{1,2})(?:st|nd|rd|th)?\s+" + _MONTH + r",?\s+((?:19|20)\d\d)", re.I)
_URL_DATE = re.compile(r"/((?:19|20)\d\d)[/-](\d{1,2})[/-](\d{1,2})(?:/|[-_]|\.html?|$)")


def _valid(year: str, month: str | int, day: str | int) -> str | None:
    try:
        date = dt.date(int(year), int(month), int(day))
    except ValueError:
        return None
    # A date in the future is a parsing accident, not a publication date.
    return date.isoformat() if date <= dt.date.today() + dt.timedelta(days=1) else None


def iso_date(value: str | None) -> str | None:
    """The first plausible calendar date in ``value``, or None."""
    if not value:
        return None
    value = value.strip()[:200]
    for found in (_YMD.search(value), _COMPACT.match(value)):
        if found and (date := _valid(*found.groups())):
            return date
    found = _MDY.search(value)
    if found and (date := _valid(found[3], _MONTHS[found[1].lower()], found[2])):
        return date
    found = _DMY.search(value)
    if found and (date := _valid(found[3], _MONTHS[found[2].lower()], found[1])):
        return date
    return None


def date_in_url(url: str) -> str | None:
    """A /YYYY/MM/DD/ date in a URL path (blogs put the publication date there)."""
    found = _URL_DATE.search(url or "")
    return _valid(*found.groups()) if found else None
