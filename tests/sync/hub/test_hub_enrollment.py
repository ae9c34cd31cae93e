"""Enrollment: one-time codes bound to a station, with expiry, against both databases."""
import threading

import pytest

from sync.auth import HEADER_HUB_TIME, KeyPair
from sync.hub.enrollment import normalise
from sync.hub.paths import ENROLL_PATH
from sync.hub.testing import loopback_session

from hub_helpers import OTHER_STATION, STATION

pytestmark = pytest.mark.timeout(60)


def enroll(session, hub, code, station=STATION, key=None):
    key = key or KeyPair.generate()
    return session.post(hub.url + ENROLL_PATH, json={"station_id": station, "code": code,
                                                     "public_key": key.public_b64()}, timeout=10)


def test_a_good_code_enrolls_the_terminal_and_pins_the_hub_key(session, hub):
    code = hub.store.issue_enrollment_code(STATION, 600).code
    key = KeyPair.generate()
    reply = enroll(session, hub, code, key=key)
    assert reply.status_code == 200, reply.text
    body = reply.json()
    assert body["hub_public_key"] == hub.keys.public_b64()
    stored = hub.store.terminal(body["terminal_id"])
    assert (stored.station_id, stored.public_key, stored.revoked) == (STATION, key.public_b64(), False)


def test_a_code_works_once(session, hub):
    code = hub.store.issue_enrollment_code(STATION, 600).code
    assert enroll(session, hub, code).status_code == 200
    again = enroll(session, hub, code)
    assert (again.status_code, again.json()) == (403, {"error": "code_used"})
    assert HEADER_HUB_TIME in again.headers


def test_an_expired_code_is_refused(session, hub):
    code = hub.store.issue_enrollment_code(STATION, 60).code
    hub.clock.advance(61)
    reply = enroll(session, hub, code)
    assert (reply.status_code, reply.json()) == (403, {"error": "code_expired"})


def test_a_code_for_another_station_is_refused_and_not_used_up(session, hub):
    code = hub.store.issue_enrollment_code(STATION, 600).code
    reply = enroll(session, hub, code, station=OTHER_STATION)
    assert (reply.status_code, reply.json()) == (403, {"error": "wrong_station"})
    assert enroll(session, hub, code).status_code == 200


def test_an_unknown_code_is_refused(session, hub):
    reply = enroll(session, hub, "AAAA-BBBB-CCCC")
    assert (reply.status_code, reply.json()) == (403, {"error": "unknown_code"})


def test_a_code_is_read_the_way_people_type_it(session, hub):
    code = hub.store.issue_enrollment_code(STATION, 600).code
    typed = code.replace("-", " ").lower().replace("0", "o").replace("1", "l")
    assert normalise(typed) == normalise(code)
    assert enroll(session, hub, typed).status_code == 200


@pytest.mark.parametrize("body", [
    {"station_id": STATION, "code": "x"},
    {"station_id": STATION, "code": "x", "public_key": "not-a-key"},
    {"station_id": "bad station", "code": "x", "public_key": KeyPair.generate().public_b64()},
    ["not", "an", "object"],
])
def test_malformed_enrollment_is_400(session, hub, body):
    assert session.post(hub.url + ENROLL_PATH, json=body, timeout=10).status_code == 400


def test_racing_enrollments_with_one_code_make_one_terminal(session, hub):
    code = hub.store.issue_enrollment_code(STATION, 600).code
    statuses: list[int] = []
    start = threading.Barrier(8)

    def attempt() -> None:
        start.wait(5)
        statuses.append(enroll(loopback_session(), hub, code).status_code)
    threads = [threading.Thread(target=attempt) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(statuses) == [200] + [403] * 7
    assert len(hub.store.terminals()) == 1
