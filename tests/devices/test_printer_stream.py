"""The simulator's stream reader: what a printer makes of the bytes, however they are split on the wire."""
import pytest
from escpos.printer import Dummy
from PIL import Image

from devices.base import ReceiptDoc
from devices.printer.escpos_doc import PAPERS, Align, Feed, QrBlock, TextLine, encode, layout
from devices.printer.status import asb_enable, query
from devices.printer.stream import AsbRequest, JobAbandoned, JobCut, StatusRequest, StreamReader

DOCS = [
    ReceiptDoc(title="舟山市普陀区便民服务受理回执", lines=(("回执号", "PT001-20261125-0001"), ("费用", "¥12.50")),
               qr_payload="https://zlb.example/q?r=PT001-20261125-0001", qr_caption="扫码查询", footer=("谢谢。",)),
    ReceiptDoc(title="：，。", lines=(("", "：，。、“”"), ("备注", "😀𠮷")), footer=("￥",)),
    ReceiptDoc(title="", lines=()),
]


@pytest.mark.parametrize("width", [58, 80])
@pytest.mark.parametrize("doc", DOCS)
def test_received_blocks_equal_the_laid_out_blocks(doc, width):
    blocks = layout(doc, PAPERS[width])
    data = encode(blocks)
    whole = StreamReader().feed(data)
    reader, split = StreamReader(), []
    for i in range(len(data)):                   # one byte at a time, as a slow serial line delivers it
        split += reader.feed(data[i:i + 1])
    for events in (whole, split):
        (cut,) = events
        assert isinstance(cut, JobCut) and cut.blocks == blocks and cut.data == data
    assert reader.pending == 0 and reader.unknown_commands == 0


def test_realtime_requests_are_answered_and_kept_out_of_the_job():
    data = encode(layout(DOCS[0], PAPERS[58]))
    at = data.index(b"\n") + 1                   # between two commands, where a host sends its queries
    reader = StreamReader()
    events = reader.feed(query(1) + query(4) + data[:at] + query(2) + asb_enable(0x0F) + data[at:] + query(3))
    assert [e for e in events if not isinstance(e, JobCut)] == [StatusRequest(1), StatusRequest(4),
                                                               StatusRequest(2), AsbRequest(15), StatusRequest(3)]
    (cut,) = [e for e in events if isinstance(e, JobCut)]
    assert cut.data == data[:at] + asb_enable(0x0F) + data[at:]     # GS a is a normal command, DLE EOT is not


def test_pending_job_and_reset_before_the_cut():
    data = encode(layout(DOCS[0], PAPERS[80]))
    reader = StreamReader()
    assert reader.feed(data[:100]) == [] and reader.pending == 100
    (abandoned,) = reader.feed(b"\x1b@")
    assert abandoned == JobAbandoned(100) and reader.pending == 0
    assert reader.feed(b"\x1b@\x1b@") == []            # initialising with nothing printed loses nothing


def test_what_python_escpos_sends_otherwise_is_skipped_cleanly():
    out = Dummy()
    out.hw("INIT")
    out.textln("TOP")
    out.image(Image.new("1", (64, 16), 1))       # raster GS v 0
    out.barcode("12345670", "EAN8")
    out.set(align="right", double_width=True)
    out.textln("R")
    out.cut(mode="PART")
    (cut,) = StreamReader().feed(out.output)
    texts = [b for b in cut.blocks if isinstance(b, TextLine)]
    assert [t.text for t in texts] == ["TOP", "R"]
    assert texts[1].align is Align.RIGHT and texts[1].scale == 2


def test_lenient_on_unknown_commands_and_stray_high_bytes():
    reader = StreamReader()
    (cut,) = reader.feed(b"\x1b@\x1b\x7fA\x80\xff\n\x1bd\x02\x1dV\x41\x03")
    assert reader.unknown_commands == 1
    assert cut.blocks == (TextLine("A??"),)        # outside Chinese mode a byte >= 0x80 is not GBK; the feed
                                                   # right before the cut belongs to the cutter


def test_qr_and_feed_blocks():
    (cut,) = StreamReader().feed(encode((Feed(2), QrBlock("码 payload", 5), TextLine("x", Align.CENTER))))
    assert cut.blocks == (Feed(2), QrBlock("码 payload", 5), TextLine("x", Align.CENTER))
