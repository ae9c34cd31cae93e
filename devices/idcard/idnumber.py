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


# --- numbers on the other card kinds -----------------------------------------------------------------------
_FOREIGN_2017 = re.compile(r"[A-Z]{3}\d{12}")
_MRZ_WEIGHTS = (7, 3, 1)
HMT_REGIONS = {"81": "香港", "82": "澳门", "83": "台湾"}   # first two digits of a residence permit number


def _mrz_value(char: str) -> int:
    return int(char) if char.isdigit() else ord(char) - ord("A") + 10


def mrz_check_digit(text: str) -> str:
    """ICAO 9303 check digit (weights 7-3-1), used by the 15-character 2017 permanent residence number."""
    return str(sum(_mrz_value(c) * _MRZ_WEIGHTS[i % 3] for i, c in enumerate(text)) % 10)


def is_valid_foreign_2017(number: str) -> bool:
    """Nationality (3 letters), 4-digit issuing region, birth YYMMDD, 1 digit, check digit: e.g. KAZ110090123105."""
    if not isinstance(number, str) or not _FOREIGN_2017.fullmatch(number):
        return False
    yymmdd = number[7:13]
    if not any(_is_date(century + yymmdd) for century in ("19", "20")):
        return False
    return mrz_check_digit(number[:14]) == number[14]


def is_valid_foreign_2023(number: str) -> bool:
    """18 characters led by 9: region 2, nationality (ISO numeric) 3, birth 8, sequence 3, GB 11643 check."""
    return isinstance(number, str) and number.startswith("9") and is_valid(number)


def is_valid_hmt(number: str) -> bool:
    """A HK/Macau/Taiwan residence permit number: a GB 11643 number under region 810000/820000/830000."""
    return isinstance(number, str) and number[:2] in HMT_REGIONS and number[2:6] == "0000" and is_valid(number)


def _is_date(yyyymmdd: str) -> bool:
    try:
        date(int(yyyymmdd[:4]), int(yyyymmdd[4:6]), int(yyyymmdd[6:8]))
    except ValueError:
        return False
    return True
