"""Screenshots of supervision: the 办不成事 report screen (empty, filled, a refused phone, thanks) and a bad rating
with 其他 after a progress query; `tour(shooter)` is called from ui/shots.py's Shooter.run.

`python -m ui.shots_supervision [DIR]` (default docs/shots) also draws the hub's 好差评 dashboard charts for the
docs: the SVGs the staff page shows, and one PNG of them, from a demo week of ratings and reports.
"""
from __future__ import annotations

import sys
import tempfile
from pathlib import Path


def tour(shooter) -> None:
    w, s = shooter.window, shooter.window.screens
    w.nav.home()
    shooter.settle(shooter.on(s.home))
    w.reports.button.click()
    shooter.settle(shooter.on(s.report))
    shooter.shot("report")
    s.report.choose("machine_fault")
    s.report.text.setText("读卡器没有反应")
    s.report.phone.setText("1395701")
    s.report.submit_button.click()
    shooter.settle(lambda: s.report.phone_error.isVisible())
    shooter.shot("report-bad-phone")
    s.report.phone.setText("13957012345")
    s.report.submit_button.click()
    shooter.settle(lambda: s.report.pages.currentIndex() == 1)
    shooter.shot("report-thanks")
    s.report.back_to_button.click()
    shooter.settle(shooter.on(s.home))
    _progress_rating(shooter)


def _progress_rating(shooter) -> None:
    """办件查询 → 评价本次服务 → a bad rating: the reason is required; 其他 with a few words."""
    w, s = shooter.window, shooter.window.screens
    receipt_no = shooter.core.store.db.execute("SELECT MAX(receipt_no) FROM applications").fetchone()[0]
    if receipt_no is None:
        return
    w.nav.open(lambda: s.progress)
    s.progress.box.setText(receipt_no)
    s.progress.ask()
    shooter.settle(lambda: s.progress.result.isVisible())
    s.progress.rate_button.click()
    shooter.settle(shooter.on(s.rating))
    s.rating.choose_level(2)
    shooter.settle()
    shooter.shot("rating-bad-needs-reason")
    s.rating.choose_reason("other", "查询结果看不太懂")
    shooter.shot("rating-bad-other")
    s.rating.submit_button.click()
    shooter.settle(lambda: s.rating.pages.currentIndex() == 1)
    s.rating.finished.emit()
    shooter.settle(shooter.on(s.home))


# --- the hub dashboard's charts for the docs ---------------------------------------------------------------------

def dashboard_docs(outdir: Path) -> list[Path]:
    from bench.dashboard_bench import DAY, Evening, fill
    from sync.hub import dashboard, staff_dashboard
    from sync.hub.store import open_store

    outdir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="zdb-dash-docs-") as tmp:
        clock = Evening()
        store = open_store(str(Path(tmp) / "hub.db"), clock)
        try:
            fill(store, clock, 3000, days=7)
            figures = dashboard.build(store, DAY)
        finally:
            store.close()
    d = staff_dashboard
    charts = {
        "dashboard-satisfaction.svg": d.line_chart([(f"{x.day:%m-%d}", x.total.satisfaction) for x in figures.week],
                                                   figures.target, "每日满意率"),
        "dashboard-bad-reasons.svg": d.bar_chart([(d.RATING_REASONS.get(c, c), n) for c, n in figures.top_bad_reasons],
                                                 "本周差评原因"),
        "dashboard-report-reasons.svg": d.bar_chart([(d.REPORT_REASONS.get(c, c), n)
                                                     for c, n in figures.top_report_reasons], "本周办不成事原因"),
    }
    files = []
    for name, svg in charts.items():
        path = outdir / name
        path.write_text(svg, encoding="utf-8")
        files.append(path)
    files.append(_png(charts, outdir / "dashboard-charts.png"))
    return files


def _png(charts: dict[str, str], path: Path) -> Path:
    """The charts one under another on white, as the staff page shows them."""
    from PySide6.QtCore import QByteArray, QRectF
    from PySide6.QtGui import QColor, QGuiApplication, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    if QGuiApplication.instance() is None:   # rendering text needs an application (fonts)
        _png.app = QGuiApplication(sys.argv[:1])
    renderers = [QSvgRenderer(QByteArray(svg.encode("utf-8"))) for svg in charts.values()]
    width = max(r.defaultSize().width() for r in renderers)
    height = sum(r.defaultSize().height() + 24 for r in renderers)
    image = QImage(width, height, QImage.Format.Format_ARGB32)
    image.fill(QColor("white"))
    painter = QPainter(image)
    top = 12
    for renderer in renderers:
        size = renderer.defaultSize()
        renderer.render(painter, QRectF(0, top, size.width(), size.height()))
        top += size.height() + 24
    painter.end()
    image.save(str(path))
    return path


def main(argv: list[str] | None = None) -> int:
    from ui.shots import quiet_offscreen_warnings, use_offscreen_without_display

    args = sys.argv[1:] if argv is None else argv
    use_offscreen_without_display()
    quiet_offscreen_warnings()
    for path in dashboard_docs(Path(args[0] if args else "docs/shots")):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
