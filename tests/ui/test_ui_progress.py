"""办件查询 on the kiosk: a resident's receipt number shows the state the hub last sent back."""
from datetime import datetime, timezone

from ui_helpers import WAIT_MS, joined_texts, tap

from kiosk.records import Identity


def test_progress_by_receipt_number_then_by_receipt_qr(qtbot, window, core):
    app = core.store.submit("sb.cert_print", "个人社会保险参保证明查询打印",
                            Identity("idcard", "王海生", "330902196803121232"), {})
    screen = window.screens.progress
    window.nav.open(lambda: screen)
    screen.box.setText(app.receipt_no.lower())
    with qtbot.waitSignal(screen.answered, timeout=WAIT_MS):
        screen.ask()
    assert "已保存在本机" in screen.headline.text()

    now = datetime.now(timezone.utc).isoformat()
    with core.store.db.conn:
        core.store.db.conn.execute("INSERT INTO record_status (record_id, status, note, at, received_at)"
                                   " VALUES (?, 'done', '', ?, ?)", (app.id, now, now))
    from kiosk.receipt import progress_code

    core.devices.sims.qr.show(progress_code(app))
    with qtbot.waitSignal(screen.answered, timeout=WAIT_MS):
        tap(qtbot, screen.scan_button)
    assert screen.headline.text() == "已办结"
    assert "王" not in joined_texts(screen)


def test_unknown_or_garbage_receipt_numbers_are_explained(qtbot, window):
    screen = window.screens.progress
    window.nav.open(lambda: screen)
    screen.box.setText("not a receipt")
    screen.ask()
    assert "不是本机的回执号" in screen.error.text.text()
    screen.box.setText("DH001-20990101-0001")
    with qtbot.waitSignal(screen.answered, timeout=WAIT_MS):
        screen.ask()
    qtbot.waitUntil(lambda: "没有这个回执号" in screen.error.text.text(), timeout=WAIT_MS)


def test_an_issued_certificate_can_be_printed_from_the_progress_screen(qtbot, window, core):
    app = core.store.submit("zm.hj_proof", "户籍证明开具", Identity("idcard", "王海生", "330902196803121232"), {})
    screen = window.screens.progress
    window.nav.open(lambda: screen)
    screen.box.setText(app.receipt_no)
    with qtbot.waitSignal(screen.answered, timeout=WAIT_MS):
        screen.ask()
    assert screen.print_button.isHidden()                 # nothing issued yet: no button

    now = datetime.now(timezone.utc).isoformat()
    with core.store.db.conn:
        core.store.db.conn.execute("INSERT INTO record_status (record_id, status, note, at, received_at)"
                                   " VALUES (?, 'certificate_issued', '', ?, ?)", (app.id, now, now))
        core.store.db.conn.execute("INSERT INTO certificates (record_id, number, title, text, issuer, holder_masked,"
                                   " issued_at) VALUES (?, 'DH-ZM-7', '户籍证明', '兹证明。', '定海分局', '王**', ?)",
                                   (app.id, now))
    with qtbot.waitSignal(screen.answered, timeout=WAIT_MS):
        screen.ask()
    assert screen.headline.text() == "证明已出具" and not screen.print_button.isHidden()

    core.devices.sims.printer.set_fault("paper_out")
    with qtbot.waitSignal(screen.print_finished, timeout=WAIT_MS) as blocker:
        tap(qtbot, screen.print_button)
    assert not blocker.args[0].printed and screen.error.isVisible() and "可以再打印" in screen.print_note.text()
    core.devices.sims.printer.set_fault(None)
    with qtbot.waitSignal(screen.print_finished, timeout=WAIT_MS) as blocker:
        tap(qtbot, screen.print_button)
    assert blocker.args[0].printed and "证明已打印" in screen.print_note.text() and not screen.error.isVisible()
