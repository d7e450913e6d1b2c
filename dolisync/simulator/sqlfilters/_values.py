"""How PHP and MariaDB read the text of a sqlfilters value.

What this module knows: PHP 8's string-to-number rules (``(float)``, ``is_numeric``,
``ctype_digit``, and printing a float with ``precision=14``), Dolibarr's ``DoliDB::sanitize``
of ``in`` elements for 20.0.2 and 22.0.4, and how MariaDB turns a string or a number into a
DATETIME when it compares it with a DATETIME column (``str_to_datetime`` /
``number_to_datetime``). An unreadable date becomes the zero date, which sorts before every
real date: that is what the captures show (``'15/06/2025 10:00:00'``, ``1749981600`` and
``'1749981600'`` with ``>`` match every row, v22.0.4/218-220). No SQL is built here.
"""

from __future__ import annotations

import math
import re
import string

ZERO_DATETIME = "0000-00-00 00:00:00"
PHP_INT_MAX = 2**63 - 1
_PHP_SPACE = " \t\n\r\x0b\x0c"  # what PHP skips before a number
_PHP_TRIM = " \t\n\r\x00\x0b"  # what PHP's trim() removes
_NUMBER_PREFIX = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?", re.ASCII)
_SQL_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?\Z", re.ASCII)
_DIGITS = re.compile(r"\d+", re.ASCII)
_V20_KEPT = frozenset(string.ascii_letters + string.digits + "_-.,=' ")
_V22_KEPT = frozenset(string.digits + "_-.,=' ")
_DELIMITERS = frozenset(string.punctuation + " \t\n\r\x0b\x0c")


def php_float(text: str) -> float:
    """PHP's ``(float) $text``: the leading number after blanks, else 0.0 (may be inf)."""
    match = _NUMBER_PREFIX.match(text.lstrip(_PHP_SPACE))
    return float(match.group()) if match else 0.0


def php_is_numeric(text: str) -> bool:
    """PHP 8's ``is_numeric`` for a string (blanks allowed before and after)."""
    stripped = text.lstrip(_PHP_SPACE).rstrip(_PHP_SPACE)
    return _NUMBER_PREFIX.fullmatch(stripped) is not None


def php_ctype_digit(text: str) -> bool:
    """PHP's ``ctype_digit``: non-empty and only ASCII digits."""
    return text.isascii() and text.isdigit()


def php_int(text: str) -> int:
    """PHP's ``(int)`` of a digit string, saturated at PHP_INT_MAX."""
    return min(int(text), PHP_INT_MAX)


def php_trim(text: str) -> str:
    return text.strip(_PHP_TRIM)


def printed_float(value: float) -> float | int | None:
    """What MariaDB reads after PHP printed ``value`` with 14 significant digits.

    None when PHP prints ``INF``/``NAN`` (MariaDB then sees a column name).
    """
    if not math.isfinite(value):
        return None
    rounded = float(f"{value:.14g}")
    return int(rounded) if rounded.is_integer() and abs(rounded) < 1e14 else rounded


def sql_number(token: str) -> float | int | None:
    """The value of a MariaDB numeric literal, None when ``token`` is not one."""
    if not _SQL_NUMBER.match(token):
        return None
    if token.lstrip("+-").isdigit():
        number = int(token)
        return number if abs(number) <= PHP_INT_MAX else float(number)
    return float(token)


def mariadb_double(text: str) -> float:
    """MariaDB's string-to-DOUBLE (number columns compared with a quoted string)."""
    return php_float(text)  # same rule: leading number after blanks, else 0


def sanitize_v20(text: str) -> str:
    """``DoliDB::sanitize($text, 1, 1, 1)`` of 20.0.2: ASCII letters, digits, ``_-.,=' ``."""
    return "".join(char for char in text if char in _V20_KEPT)


def sanitize_v22(text: str) -> str:
    """``DoliDB::sanitize($text, 2, 1, 1, 1)`` of 22.0.4: any letter, digits, ``_-.,=' ``."""
    return "".join(char for char in text if char in _V22_KEPT or char.isalpha())


def datetime_from_text(text: str) -> str:
    """The DATETIME MariaDB makes of a string literal, as ``YYYY-MM-DD HH:MM:SS[.ffffff]``.

    ``'2025-06-15 10:00'``, ``'2025/06/15T10:00:00Z'``, ``'20250615100000'``, ``'250615'`` all
    read; anything after the seconds (zone, offset) is ignored; unreadable -> zero date.
    """
    body = text.lstrip(_PHP_SPACE)
    run = _DIGITS.match(body)
    if run is None:
        return ZERO_DATETIME
    rest = body[run.end() :]
    if not rest or rest.startswith("."):
        fields = _packed_fields(run.group())
        fraction = _fraction(rest)
    else:
        fields, fraction = _delimited_fields(body)
    return _formatted(fields, fraction)


def datetime_from_number(value: float) -> str:
    """The DATETIME MariaDB makes of a number (``20250615100000``; ``1749981600`` is invalid)."""
    if not math.isfinite(value) or value < 0:
        return ZERO_DATETIME
    whole = int(value)
    packed = _expand_packed_number(whole)
    if packed is None:
        return ZERO_DATETIME
    digits = f"{packed:014d}"
    fields = [int(digits[0:4])] + [int(digits[i : i + 2]) for i in range(4, 14, 2)]
    fraction = f"{value - whole:.6f}"[2:] if value != whole else ""
    return _formatted(fields, fraction)


def _expand_packed_number(number: int) -> int | None:
    """MariaDB's number_to_datetime: YYMMDD, YYYYMMDD, YYMMDDhhmmss -> YYYYMMDDhhmmss."""
    expanded: int | None
    if number == 0:
        expanded = 0
    elif number <= 691231:
        expanded = (number + 20000000) * 1000000
    elif number < 700101:
        expanded = None
    elif number <= 991231:
        expanded = (number + 19000000) * 1000000
    elif number < 10000101:
        expanded = None
    elif number <= 99991231:
        expanded = number * 1000000
    elif number < 101000000:
        expanded = None
    elif number <= 691231235959:
        expanded = number + 20000000000000
    elif number < 700101000000:
        expanded = None
    elif number <= 991231235959:
        expanded = number + 19000000000000
    else:
        expanded = number
    return expanded if expanded is not None and expanded <= 99991231235959 else None


def _packed_fields(run: str) -> list[int] | None:
    """Fields of a digits-only date: 4-digit year for 4, 8 or >= 14 digits, else 2."""
    year_length = 4 if len(run) in (4, 8) or len(run) >= 14 else 2
    parts = [run[:year_length]]
    parts += [run[i : i + 2] for i in range(year_length, min(len(run), year_length + 10), 2)]
    if len(parts) < 3:
        return None
    fields = [int(part) for part in parts]
    if year_length == 2:
        fields[0] += 2000 if fields[0] < 70 else 1900
    return fields


def _delimited_fields(body: str) -> tuple[list[int] | None, str]:
    """Fields separated by punctuation or blanks ('T' between date and time)."""
    fields: list[int] = []
    year_length = 0
    position = 0
    while True:
        digits = _DIGITS.match(body, position)
        if digits is None:
            break
        fields.append(int(digits.group()))
        year_length = year_length or len(digits.group())
        position = digits.end()
        if len(fields) == 6:
            break
        if len(fields) == 3 and body[position : position + 1] == "T":
            position += 1
            continue
        start = position
        while position < len(body) and body[position] in _DELIMITERS:
            position += 1
        if position == start:
            break
    if len(fields) < 3:
        return None, ""
    if year_length <= 2:
        fields[0] += 2000 if fields[0] < 70 else 1900
    return fields, _fraction(body[position:]) if len(fields) == 6 else ""


def _fraction(rest: str) -> str:
    digits = _DIGITS.match(rest, 1) if rest.startswith(".") else None
    return digits.group() if digits else ""


def _formatted(fields: list[int] | None, fraction: str) -> str:
    if fields is None:
        return ZERO_DATETIME
    year, month, day, hour, minute, second = [*fields, 0, 0, 0][:6]
    limits_ok = year <= 9999 and month <= 12 and day <= 31 and hour <= 23
    if not (limits_ok and minute <= 59 and second <= 59):
        return ZERO_DATETIME
    if month and day and day > _days_in_month(year, month):
        return ZERO_DATETIME
    text = f"{year:04d}-{month:02d}-{day:02d} {hour:02d}:{minute:02d}:{second:02d}"
    micro = fraction[:6].rstrip("0")
    return f"{text}.{micro}" if micro else text


def _days_in_month(year: int, month: int) -> int:
    if month == 2:
        leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
        return 29 if leap else 28
    return 30 if month in (4, 6, 9, 11) else 31
