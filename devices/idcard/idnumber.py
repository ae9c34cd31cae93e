"""GB 11643-1999 citizen identity numbers: 6-digit region, 8-digit birth date, 3-digit sequence, check character."""
from __future__ import annotations

import re
from datetime import date

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_CHARS = "10X98765432"
_SHAPE = re.compile(r"[1-9]\d{16}[\dX]")


def check_char(first17: str) -> str:
    """The 18th character (ISO 7064 MOD 11-2) for the first 17 digits."""
    if len(first17) != 17 or not first17.isascii() or not first17.isdigit():
        raise ValueError("need 17 ASCII digits")
    return _CHECK_CHARS[sum(int(d) * w for d, w in zip(first17, _WEIGHTS)) % 11]


def is_valid(number: str) -> bool:
    """Shape, a real birth date and the check character (lower-case 'x' is not accepted: cards carry 'X')."""
    if not isinstance(number, str) or not _SHAPE.fullmatch(number):
        return False
    try:
        date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return False
    return check_char(number[:17]) == number[17]
