"""Fictitious demo cards for the simulator, one of each kind; valid check digits, never real people."""
from __future__ import annotations

import hashlib
from datetime import date

from devices.idcard.fields import CardType
from devices.idcard.foreign import ForeignerCardData
from devices.idcard.hmt import HmtPermitData
from devices.idcard.protocol import PHOTO_LEN
from devices.idcard.text import IdCardData


def fake_wlt(seed: bytes) -> bytes:
    """1024 bytes standing in for a vendor-encrypted WLT photo."""
    return hashlib.shake_256(seed).digest(PHOTO_LEN)


DEMO_CARD = IdCardData(
    name="王海生", gender_code="1", nation_code=1, birth_date=date(1968, 3, 12),
    address="浙江省舟山市定海区长岛乡长岛村渔港路18号", id_number="330902196803121232",
    authority="舟山市公安局定海区分局", valid_from=date(2018, 6, 1), valid_to=None,
    photo_wlt=fake_wlt(b"zdb demo wlt"),
)

DEMO_FOREIGNER_2017 = ForeignerCardData(
    english_name="MACLEAN, ROBERT JAMES", chinese_name="马克林", gender_code="1", number="CAN330985041219",
    nationality_code="CAN", birth_date=date(1985, 4, 12), valid_from=date(2019, 9, 1), valid_to=date(2029, 9, 1),
    card_type=CardType.FOREIGNER, version="01", authority_code="3309",
    photo_wlt=fake_wlt(b"zdb demo wlt foreigner 2017"),
)

# 45 characters: the 2023 layout splits it 35 + 10, right before a space
DEMO_FOREIGNER_2023 = ForeignerCardData(
    english_name="MACLEAN-FITZGERALD, ROBERT WILLIAMS ALEXANDER", chinese_name="马克林", gender_code="1",
    number="933124198504120019", nationality_code="CAN", birth_date=date(1985, 4, 12),
    valid_from=date(2024, 3, 1), valid_to=date(2034, 3, 1), card_type=CardType.FOREIGNER_2023, renewal_count=0,
    photo_wlt=fake_wlt(b"zdb demo wlt foreigner 2023"),
)

DEMO_HMT_PERMIT = HmtPermitData(
    name="陈美玲", gender_code="2", birth_date=date(1990, 2, 15), address="浙江省舟山市普陀区沈家门街道海滨路66号",
    id_number="810000199002150021", authority="舟山市公安局普陀区分局", valid_from=date(2021, 5, 10),
    valid_to=date(2026, 5, 10), pass_number="H60218237", issue_count=1,
    photo_wlt=fake_wlt(b"zdb demo wlt hmt"),
)
