"""The wire format: the kiosk's strict reading of replies and the hub's reading of requests."""
import json

import pytest

from sync.protocol import (SERVICE_NAME, ItemResult, ProtocolError, PushRequest, RequestError, Status, WireRecord,
                           parse_health, parse_push_reply, parse_push_request, validate_record)

pytestmark = pytest.mark.timeout(10)

SENT = ["r1", "r2"]


def reply(*results: dict) -> bytes:
    return json.dumps({"results": list(results)}).encode()


def test_reply_with_one_result_per_id_is_parsed():
    parsed = parse_push_reply(reply({"id": "r1", "status": "accepted"},
                                    {"id": "r2", "status": "rejected", "reason": "unknown kind"}), SENT)
    assert parsed.results == (ItemResult("r1", Status.ACCEPTED), ItemResult("r2", Status.REJECTED, "unknown kind"))
    assert parsed.ids_with(Status.ACCEPTED) == ["r1"]


def test_reply_may_carry_unknown_fields_for_later_versions():
    body = json.dumps({"results": [{"id": "r1", "status": "duplicate", "hub_seq": 7}], "cursor": "x"}).encode()
    assert parse_push_reply(body, ["r1"]).ids_with(Status.DUPLICATE) == ["r1"]


GARBAGE = {
    "not json": b"<html>502 Bad Gateway</html>",
    "empty": b"",
    "truncated json": reply({"id": "r1", "status": "accepted"}, {"id": "r2", "status": "accepted"})[:30],
    "not utf-8": b"\xff\xfe{}",
    "a list": b"[]",
    "no results": b'{"ok": true}',
    "results not a list": b'{"results": {"r1": "accepted"}}',
    "result not an object": b'{"results": ["r1", "r2"]}',
    "id not sent": reply({"id": "r1", "status": "accepted"}, {"id": "zz", "status": "accepted"}),
    "id missing": reply({"id": "r1", "status": "accepted"}, {"status": "accepted"}),
    "id not a string": reply({"id": "r1", "status": "accepted"}, {"id": 2, "status": "accepted"}),
    "id twice": reply({"id": "r1", "status": "accepted"}, {"id": "r1", "status": "accepted"},
                      {"id": "r2", "status": "accepted"}),
    "an id left out": reply({"id": "r1", "status": "accepted"}),
    "unknown status": reply({"id": "r1", "status": "ok"}, {"id": "r2", "status": "accepted"}),
    "reason not text": reply({"id": "r1", "status": "rejected", "reason": 5}, {"id": "r2", "status": "accepted"}),
}


@pytest.mark.parametrize("body", GARBAGE.values(), ids=GARBAGE.keys())
def test_garbage_reply_is_a_protocol_error(body):
    with pytest.raises(ProtocolError):
        parse_push_reply(body, SENT)


def test_protocol_error_does_not_quote_the_body():
    with pytest.raises(ProtocolError) as info:
        parse_push_reply(b"330902199001011234 not json", SENT)
    assert "3309" not in str(info.value)


def test_health_reply():
    health = parse_health(json.dumps({"ok": True, "service": SERVICE_NAME, "version": "1.2", "api": 1}).encode())
    assert (health.ok, health.version, health.extra) == (True, "1.2", {"api": 1})


@pytest.mark.parametrize("body", [b"{}", b'{"ok": false, "service": "zhoudaoban-hub", "version": "1"}',
                                  b'{"ok": true, "service": "other", "version": "1"}',
                                  b'{"ok": true, "service": "zhoudaoban-hub"}', b"nope"])
def test_bad_health_reply_is_a_protocol_error(body):
    with pytest.raises(ProtocolError):
        parse_health(body)


def test_request_round_trips_through_the_hub_parser():
    request = PushRequest("zs-1", (WireRecord("r1", "application", {"id": "r1", "item_name": "户籍证明"}),))
    body = request.encode()
    assert "户籍证明".encode() in body   # UTF-8 on the wire, not \u escapes
    station, items = parse_push_request(json.loads(body))
    assert station == "zs-1" and items == list(request.records)


@pytest.mark.parametrize("data", [[], {"records": []}, {"station_id": "", "records": []},
                                  {"station_id": "a b", "records": []}, {"station_id": "zs-1"},
                                  {"station_id": "zs-1", "records": {}},
                                  {"station_id": "zs-1", "records": [{}] * 1001}])
def test_malformed_request_is_refused_whole(data):
    with pytest.raises(RequestError):
        parse_push_request(data)


@pytest.mark.parametrize("raw, reason", [
    ({"kind": "application", "payload": {}}, "missing id"),
    ({"id": "", "kind": "application", "payload": {}}, "missing id"),
    ({"id": "a/b", "kind": "application", "payload": {}}, "invalid id"),
    ({"id": 7, "kind": "application", "payload": {}}, "invalid id"),
    ({"id": "r1", "payload": {}}, "missing kind"),
    ({"id": "r1", "kind": "photo", "payload": {}}, "unknown kind"),
    ({"id": "r1", "kind": "rating", "payload": "x"}, "payload must be an object"),
    ({"id": "r1", "kind": "rating", "payload": {"id": "r2"}}, "payload id does not match record id"),
    ("r1", "record must be an object"),
])
def test_invalid_record_is_rejected_with_a_reason(raw, reason):
    result = validate_record(raw)
    assert isinstance(result, ItemResult)
    assert (result.status, result.reason) == (Status.REJECTED, reason)


def test_the_terminal_picks_the_best_encoding_the_hub_offers():
    from sync.encodings import choose

    assert choose("1.2.0", ["gzip", "bzip2"]) == "bzip2"
    assert choose("1.2.0", ["gzip", "zstd"]) == "gzip"
    assert choose("1.1.0", None) == "gzip"           # a 1.1 hub lists nothing but inflates gzip
    assert choose("1.0.0", None) == "identity"
    assert choose("garbage", "bzip2") == "identity"  # a hostile /health changes nothing it cannot back up


def test_encodings_round_trip_and_refuse_what_does_not_decode():
    import pytest

    from sync import encodings

    raw = b'{"records": []}' * 50
    for name in (encodings.BZIP2, encodings.GZIP, encodings.IDENTITY):
        assert encodings.decode(encodings.encode(raw, name), name, 10_000) == raw
    with pytest.raises(encodings.InflatesTooFar):
        encodings.decode(encodings.encode(raw, encodings.BZIP2), "bzip2", 100)
    with pytest.raises(encodings.BadBody):
        encodings.decode(encodings.encode(raw, encodings.BZIP2)[:-3], "bzip2", 10_000)
    with pytest.raises(encodings.UnsupportedEncoding):
        encodings.decode(raw, "br", 10_000)


def test_ids_with_a_trailing_newline_are_refused():
    from sync.protocol import _ID_RE

    assert _ID_RE.fullmatch("st-1") and not _ID_RE.fullmatch("st-1\n")
