"""Realistic ~1 KB application records for the sync benchmarks (fictitious people, plausible answers).

`fill_terminal_db` makes them the way the kiosk does (ApplicationStore.submit: application row, outbox row and
owed receipt in one transaction); `wire_payloads` builds the same payload shape without a terminal database,
for the hub benchmark's simulated terminals. The padding is varied text, not a repeated character, so gzip
compresses it about as well as it compresses real answers (a repeated pad would flatter the link figures).
"""
from __future__ import annotations

import json
import random
from pathlib import Path

from kiosk.ids import utc_now, uuid7
from kiosk.records import Application, Identity
from local_db.db import open_db
from local_db.store import ApplicationStore, application_payload

TARGET_BYTES = 1024   # the outbox payload's JSON size (UTF-8), as the terminal stores and sends it

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢"
GIVEN = "海波涛舟岛渔帆明华丽芳军伟静敏强磊洋勇艳杰娟涛超秀英霞平刚桂兰玉珍凤晨阳建国文"
ISLANDS = ["定海区", "普陀区", "岱山县", "嵊泗县"]
TOWNS = ["长峙岛", "桃花镇", "东极镇", "六横镇", "虾峙镇", "秀山乡", "衢山镇", "洋山镇", "花鸟乡", "白沙乡",
         "金塘镇", "册子乡", "岑港街道", "沈家门街道", "高亭镇", "菜园镇"]
ITEMS = [("hk-move", "户口迁移"), ("yb-reimburse", "医保零星报销"), ("fisher-subsidy", "渔业油价补贴申领"),
         ("old-age", "高龄津贴申领"), ("boat-cert", "渔船证书换发"), ("house-fix", "农房翻建审批"),
         ("birth-reg", "生育登记"), ("disab-aid", "残疾人两项补贴")]
PHRASES = ["本人常年在外海作业", "家中老人行动不便", "已按要求准备材料原件", "申请人与户主关系为父子",
           "渔船编号见随附照片", "因台风影响未能按期办理", "请邮寄至村委会代收", "联系电话白天可接通",
           "房屋结构为砖混两层", "子女在沈家门读书", "医保卡已于上月挂失补办", "补贴发放至本人社保卡",
           "船舶主机功率二百二十千瓦", "宅基地面积约一百二十平方米", "曾于去年提交过类似申请",
           "现居住地与户籍地不一致", "所附发票共计七张", "需要上门核实请提前电话联系"]
# Common characters (GB2312 level 1) for free text, so compressed sizes are not flattered by a short phrase list.
COMMON_CHARS = "".join(bytes([hi, lo]).decode("gb2312") for hi in range(0xB0, 0xD8) for lo in range(0xA1, 0xFF)
                       if not (hi == 0xD7 and lo > 0xF9))
FREE_TEXT_SHARE = 0.7


def fake_identity(rng: random.Random, i: int) -> Identity:
    """A fictitious resident: valid-looking but invented 18-digit number (region 3309xx, Zhoushan)."""
    birth = f"{rng.randint(1940, 2004)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"
    id_number = f"3309{rng.randint(0, 99):02d}{birth}{i % 1000:03d}{rng.choice('0123456789X')}"
    island, town = rng.choice(ISLANDS), rng.choice(TOWNS)
    return Identity(source="idcard", name=rng.choice(SURNAMES) + "".join(rng.sample(GIVEN, rng.randint(1, 2))),
                    id_number=id_number, gender=rng.choice("男女"), birth_date=birth,
                    address=f"浙江省舟山市{island}{town}{rng.randint(1, 300)}号", phone=f"1{rng.randint(3, 9)}"
                    f"{rng.randint(0, 999999999):09d}")


def padded_answers(rng: random.Random, applicant: Identity, base_size: int, target: int = TARGET_BYTES) -> dict:
    """Form answers; the free-text `remarks` grows with varied phrases and numbers until the payload is ~target."""
    answers = {"contact_phone": applicant.phone, "household_size": str(rng.randint(1, 7)),
               "bank_account": f"6228{rng.randint(0, 10**15 - 1):015d}", "boat_no": f"浙岱渔{rng.randint(10000, 99999)}",
               "amount_yuan": f"{rng.randint(100, 90000)}.{rng.randint(0, 99):02d}", "remarks": ""}
    size = base_size + len(json.dumps(answers, ensure_ascii=False).encode("utf-8"))
    parts: list[str] = []
    while size < target - 8:
        if rng.random() < FREE_TEXT_SHARE:   # a resident's own words: not drawn from a short list
            part = "".join(rng.choice(COMMON_CHARS) for _ in range(rng.randint(4, 12))) + "，"
        else:
            part = rng.choice(PHRASES) + (f"，编号{rng.randint(100, 99999)}" if rng.random() < 0.5 else "") + "；"
        parts.append(part)
        size += len(part.encode("utf-8"))
    answers["remarks"] = "".join(parts)
    return answers


def _base_size(rng: random.Random, applicant: Identity, item: tuple[str, str], station_id: str) -> int:
    probe = Application(id=uuid7(), receipt_no="DH001-20260101-0001", item_id=item[0], item_name=item[1],
                        applicant=applicant, answers={}, created_at=utc_now().isoformat(timespec="seconds"),
                        station_id=station_id)
    return len(json.dumps(application_payload(probe), ensure_ascii=False).encode("utf-8"))


def fill_terminal_db(path: Path | str, count: int, station_id: str, station_code: str = "DH001",
                     seed: int = 7) -> dict:
    """Submit `count` applications through ApplicationStore.submit; returns the outbox payload sizes.

    Setup only, not measured: synchronous=OFF while filling (the kiosk runs FULL; one fsync per submission
    would make preparing 10,000 records take minutes and says nothing about sync)."""
    rng = random.Random(seed)
    db = open_db(path)
    db.conn.execute("PRAGMA synchronous=OFF")
    store = ApplicationStore(db, station_id, station_code)
    for i in range(count):
        applicant, item = fake_identity(rng, i), rng.choice(ITEMS)
        store.submit(item[0], item[1], applicant, padded_answers(rng, applicant, _base_size(rng, applicant, item,
                                                                                              station_id)))
    sizes = [len(p.encode("utf-8")) for (p,) in db.execute("SELECT payload FROM outbox").fetchall()]
    db.conn.close()
    return {"records": len(sizes), "payload_bytes_mean": round(sum(sizes) / max(len(sizes), 1), 1),
            "payload_bytes_min": min(sizes, default=0), "payload_bytes_max": max(sizes, default=0)}


def wire_payloads(count: int, station_id: str, seed: int) -> list[dict]:
    """The payloads `application_payload` makes, without a terminal database (ids are fresh UUIDv7s)."""
    rng = random.Random(seed)
    out = []
    for i in range(count):
        applicant, item = fake_identity(rng, i), rng.choice(ITEMS)
        now = utc_now()
        app = Application(id=uuid7(now), receipt_no=f"DH001-{now:%Y%m%d}-{i + 1:04d}", item_id=item[0],
                          item_name=item[1], applicant=applicant, answers={},
                          created_at=now.isoformat(timespec="seconds"), station_id=station_id)
        base = len(json.dumps(application_payload(app), ensure_ascii=False).encode("utf-8"))
        answers = padded_answers(rng, applicant, base)
        out.append(application_payload(Application(**{**app.__dict__, "answers": answers})))
    return out
