"""Conversion of cell values to plan values.

Each function takes the raw value openpyxl returns (str, int, float, bool,
datetime or None) and returns the converted value, or raises CellValueError
with the message shown to the participant.
"""

import re
from datetime import date, datetime, time, timedelta

from plans.choices import (
    CODE_BODY_ORDER,
    PARTICIPANT_ROLES,
    DefectStatus,
    Rating,
    ReportingInterval,
    Severity,
)

# Excel's limit on the characters in one cell; longer text cannot have come
# from Excel and would not survive being exported back into a workbook.
MAX_CELL_CHARACTERS = 32_767

# Years accepted in a date; far outside the plan's life means a typing error.
MIN_YEAR = 1990
MAX_YEAR = 2100


class CellValueError(ValueError):
    pass


# Zero-width characters that Unicode does not class as whitespace but that
# arrive with pasted text (zero-width space and joiners, word joiner, byte
# order mark). They are trimmed from the ends like spaces, never removed
# from inside the text.
ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff"
_EDGE_SPACE = re.compile(rf"^[\s{ZERO_WIDTH}]+|[\s{ZERO_WIDTH}]+$")

# Excel stores a character XML cannot carry (a control character, or a
# literal "_xHHHH_") as the escape _xHHHH_, with HHHH the UTF-16 code unit
# in hexadecimal. A literal "_x0041_" is stored as "_x005F_x0041_".
_OOXML_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")
# Characters the writer must escape: XML 1.0 forbids these control characters.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_LITERAL_ESCAPE = re.compile(r"_(?=x[0-9A-Fa-f]{4}_)")


def _unescape_unit(match: re.Match) -> str:
    code = int(match.group(1), 16)
    # NUL cannot be stored in a PostgreSQL text column, so it is dropped.
    return "" if code == 0 else chr(code)


def decode_ooxml_escapes(text: str) -> str:
    """Decode Excel's _xHHHH_ escapes as Excel does when it opens a workbook."""
    if "_x" not in text:
        return text
    decoded = _OOXML_ESCAPE.sub(_unescape_unit, text)
    if any("\ud800" <= char <= "\udfff" for char in decoded):
        # A character beyond U+FFFF arrives as two escaped surrogates, which
        # are joined here. A surrogate without its pair becomes U+FFFD.
        decoded = decoded.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
    return decoded


def encode_ooxml_escapes(text: str) -> str:
    """Escape text for a workbook cell so that Excel reads back exactly this text.

    openpyxl 3.1 writes text as it is: it rejects control characters and
    leaves a literal "_x0041_", which Excel would then read as "A".
    """
    if "_x" in text:
        text = _LITERAL_ESCAPE.sub("_x005F_", text)
    return _CONTROL.sub(lambda match: f"_x{ord(match.group(0)):04X}_", text)


def normalise_text(value: str) -> str:
    """Trim whitespace and zero-width characters, and use \\n for every line break."""
    return _EDGE_SPACE.sub("", value.replace("\r\n", "\n").replace("\r", "\n"))


def number_text(value: int | float) -> str:
    """Return a number as Excel's General format shows it (1.1, not 1.1000000000000001)."""
    if isinstance(value, float):
        # Excel shows 15 significant digits; larger whole numbers stay in
        # exponent form (1e+300) rather than as hundreds of digits.
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    return str(value)


def to_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, datetime):
        if value.time() == time(0, 0):
            return value.strftime("%d/%m/%Y")
        return value.strftime("%d/%m/%Y %H:%M")
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, (int, float)):
        return number_text(value)
    text = normalise_text(str(value))
    if len(text) > MAX_CELL_CHARACTERS:
        raise CellValueError(
            f"The text is {len(text):,} characters long, more than the {MAX_CELL_CHARACTERS:,} "
            "an Excel cell holds. Shorten it."
        )
    return text


def display(value) -> str | None:
    """Return a cell value as text for an error message, shortened to 200 characters."""
    if value is None:
        return None
    if isinstance(value, str):
        text = value
    else:
        text = to_text(value)
    if len(text) > 200:
        return text[:200] + "…"
    return text


def _key(value: str) -> str:
    return " ".join(normalise_text(value).split()).casefold()


def _choice_map(choices) -> dict[str, str]:
    mapping = {}
    for member in choices:
        mapping[_key(member.value)] = member.value
        mapping[_key(member.label)] = member.value
    return mapping


_STATUS = _choice_map(DefectStatus)
_RATING = _choice_map(Rating)
_INTERVAL = _choice_map(ReportingInterval)
_SEVERITY_WORDS = {member.value: member.label.split(" ", 1)[1].casefold() for member in Severity}
_SEVERITY = re.compile(r"^s\s*([1-5])(?:\s*[-:]?\s*([a-z]+))?$")


def _choice(value, mapping: dict[str, str], allowed: str):
    if value is None:
        return None
    text = to_text(value)
    if not text:
        return None
    found = mapping.get(_key(text))
    if found is None:
        raise CellValueError(f"'{display(text)}' is not an allowed value. Use one of: {allowed}.")
    return found


def to_status(value) -> str:
    return _choice(value, _STATUS, ", ".join(member.label for member in DefectStatus)) or ""


def to_rating(value) -> str | None:
    return _choice(value, _RATING, "High, Medium, Low")


def to_interval(value) -> str | None:
    return _choice(value, _INTERVAL, "Weekly, Fortnightly, Monthly")


def to_choice(value, choices) -> str | None:
    return _choice(value, _choice_map(choices), ", ".join(member.label for member in choices))


def to_severity(value) -> str | None:
    """Return the level ("S3") of "S3 Moderate", " s3 moderate" or "S3"."""
    if value is None:
        return None
    text = to_text(value)
    if not text:
        return None
    match = _SEVERITY.match(_key(text))
    if match:
        level = f"S{match.group(1)}"
        word = match.group(2)
        if word is None or word == _SEVERITY_WORDS[level]:
            return level
    raise CellValueError(
        f"'{display(text)}' is not a severity. Use one of: "
        + ", ".join(member.label for member in Severity)
        + "."
    )


_YES = {"yes", "y", "true"}
_NO = {"no", "n", "false"}


def to_yes_no(value) -> bool | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    text = to_text(value)
    if not text:
        return None
    key = _key(text)
    if key in _YES:
        return True
    if key in _NO:
        return False
    raise CellValueError(f"'{display(text)}' is not Yes or No.")


_CODE_BODY_SPLIT = re.compile(r"[/,;&+\s]+|\band\b", re.IGNORECASE)


def to_code_bodies(value) -> list[str]:
    """Return the code bodies of "BSC/REC" (or "bsc, rec") in canonical order."""
    text = to_text(value)
    if not text:
        return []
    found = set()
    for token in _CODE_BODY_SPLIT.split(text):
        if not token:
            continue
        body = token.upper()
        if body not in CODE_BODY_ORDER:
            raise CellValueError(
                f"'{display(text)}' names a code body other than BSC, REC or DIP "
                "(combine them with /, as in BSC/REC)."
            )
        found.add(body)
    return [body.value for body in CODE_BODY_ORDER if body in found]


def to_role(value) -> str:
    """Return the role as typed, in the drop-down's spelling when it is one of its values."""
    text = to_text(value)
    for role in PARTICIPANT_ROLES:
        if _key(role) == _key(text):
            return role
    return text


_MONTHS = {
    "jan": 1, "january": 1, "feb": 2, "february": 2, "mar": 3, "march": 3, "apr": 4,
    "april": 4, "may": 5, "jun": 6, "june": 6, "jul": 7, "july": 7, "aug": 8, "august": 8,
    "sep": 9, "sept": 9, "september": 9, "oct": 10, "october": 10, "nov": 11,
    "november": 11, "dec": 12, "december": 12,
}  # fmt: skip
# Text is matched after _key(), so it is lower case with single spaces. A time
# after the date ("17:30", "9:30 am", ISO "t09:30:00z") is allowed and dropped.
_TIME_SUFFIX = (
    r"(?:(?:\s|t)\s*\d{1,2}[:.]\d{2}(?:[:.]\d{2}(?:\.\d+)?)?\s*(?:[ap]\.?m\.?)?"
    r"(?:z|[+-]\d{2}:?\d{2})?)?"
)
_SEPARATOR = r"\s*[/.\-]\s*"
# 2027-03-04, 2027/03/04, 2027.03.04: year first, then month and day.
_YEAR_FIRST = re.compile(
    r"^(\d{4})" + _SEPARATOR + r"(\d{1,2})" + _SEPARATOR + r"(\d{1,2})" + _TIME_SUFFIX + r"$"
)
# 04/03/2027, 4.3.27, 04 / 03 / 2027: all-numeric dates are read day first,
# as in the UK, so 02/01/2027 is 2 January.
_DAY_FIRST = re.compile(
    r"^(\d{1,2})" + _SEPARATOR + r"(\d{1,2})" + _SEPARATOR + r"(\d{4}|\d{2})" + _TIME_SUFFIX + r"$"
)
_WEEKDAY = r"(?:[a-z]+,?\s+)?"
_ORDINAL = r"(?:st|nd|rd|th)?"
# 4 March 2027, 4-Mar-27, Thursday 4th March 2027, 1st of February 2027.
_DAY_MONTH = re.compile(
    r"^" + _WEEKDAY + r"(\d{1,2})" + _ORDINAL + r"(?:\s+of)?[\s\-]+([a-z]+)\.?,?[\s\-]+"
    r"(\d{4}|\d{2})" + _TIME_SUFFIX + r"$"
)
# March 4, 2027 and Feb 1st, 2027: a month name makes the order unambiguous.
_MONTH_DAY = re.compile(
    r"^"
    + _WEEKDAY
    + r"([a-z]+)\.?\s+(\d{1,2})"
    + _ORDINAL
    + r",?\s+(\d{4}|\d{2})"
    + _TIME_SUFFIX
    + r"$"
)

DATE_HINT = "Enter a date as dd/mm/yyyy (for example 04/03/2027)."


def _make_date(year: int, month: int, day: int, text: str) -> date:
    if year < 100:
        year += 2000
    try:
        result = date(year, month, day)
    except ValueError:
        raise CellValueError(
            f"'{display(text)}' is not a real calendar date. {DATE_HINT}"
        ) from None
    if not MIN_YEAR <= result.year <= MAX_YEAR:
        raise CellValueError(f"'{display(text)}' is outside {MIN_YEAR}-{MAX_YEAR}. {DATE_HINT}")
    return result


def to_date(value, *, epoch: datetime) -> date | None:
    """Return the calendar date of a date cell, a serial number or UK day-first text.

    A date-time keeps the date as written: its time is dropped, never converted
    between time zones.
    """
    if value is None:
        return None
    if isinstance(value, datetime):
        return _make_date(value.year, value.month, value.day, to_text(value))
    if isinstance(value, date):
        return value
    if isinstance(value, bool):
        raise CellValueError(f"'{to_text(value)}' is not a date. {DATE_HINT}")
    if isinstance(value, (int, float)):
        return _from_serial(value, epoch=epoch)
    if isinstance(value, time):
        raise CellValueError(f"'{value}' is a time, not a date. {DATE_HINT}")

    text = to_text(value)
    if not text:
        return None
    key = _key(text)
    match = _YEAR_FIRST.match(key)
    if match:
        return _make_date(int(match.group(1)), int(match.group(2)), int(match.group(3)), text)
    match = _DAY_FIRST.match(key)
    if match:
        return _make_date(int(match.group(3)), int(match.group(2)), int(match.group(1)), text)
    match = _DAY_MONTH.match(key)
    if match and match.group(2) in _MONTHS:
        return _make_date(int(match.group(3)), _MONTHS[match.group(2)], int(match.group(1)), text)
    match = _MONTH_DAY.match(key)
    if match and match.group(1) in _MONTHS:
        return _make_date(int(match.group(3)), _MONTHS[match.group(1)], int(match.group(2)), text)
    if re.fullmatch(r"\d+(\.\d+)?", key):
        return _from_serial(float(key), epoch=epoch)
    raise CellValueError(f"'{display(text)}' is not a date. {DATE_HINT}")


def _from_serial(serial: float, *, epoch: datetime) -> date:
    """Convert an Excel serial number with the workbook's date system."""
    not_a_date = CellValueError(f"'{number_text(serial)}' is not a date. {DATE_HINT}")
    try:
        whole = int(serial)
        if whole <= 0:
            raise not_a_date
        if epoch.year == 1899 and whole < 61:
            # The 1900 system counts a 29 February 1900 that never existed, so
            # serials 1-60 sit one day later than the 1899-12-30 origin gives.
            result = epoch + timedelta(days=whole + 1)
        else:
            result = epoch + timedelta(days=whole)
    except (OverflowError, ValueError) as error:
        # A serial past 31/12/9999 (such as 20270301, a date typed without
        # separators), infinity or NaN is no date at all.
        if error is not_a_date:
            raise
        raise not_a_date from None
    return _make_date(result.year, result.month, result.day, number_text(serial))
