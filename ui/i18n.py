"""The kiosk's languages: Simplified Chinese (the source text) and English, through Qt's translation system.

`Languages` follows the window's `prefs` (kiosk/preferences.py): choosing English installs a translator built on
translations/zhoudaoban_en.qm, so every text made from then on comes out in English; a reset to the station's
default switches back. Texts already on screen are re-rendered in place, generically: `retranslate` walks the
window's widgets and maps each text through the translation pairs of the .ts (and the catalog's own English), in
the needed direction, templates with named placeholders included (`{n} 秒后…` <-> `Going back … in {n} seconds`).
So a screen needs no code of its own to switch mid-flow; switching back restores the exact Chinese it showed.

A string defined in a base class is found from a subclass (PySide6's `self.tr` tries each class of the MRO:
`MaintLoginScreen` finds `AgentLoginScreen`'s); module-level helpers call `QCoreApplication.translate("Ctx", ...)`
with literal arguments, so lupdate extracts them under the context they are asked in. Catalog text is data, not code: `data_text` gives its English when the
language is English and the catalog has it, else the Chinese. Printed receipts stay Chinese (the official record).
"""
from __future__ import annotations

import logging
import re
from functools import lru_cache
from typing import Callable, Iterable

from PySide6.QtCore import QCoreApplication, QLocale, QTranslator
from PySide6.QtWidgets import QAbstractButton, QApplication, QLabel, QLineEdit, QPushButton, QTabWidget, QWidget

from translations.ts import QM_PATH, TS_PATH, Message, read_messages
from ui.widgets import button

log = logging.getLogger(__name__)

LOCALES = {"zh": QLocale(QLocale.Language.Chinese, QLocale.Country.China),
           "en": QLocale(QLocale.Language.English, QLocale.Country.UnitedKingdom)}
# the language button names the other language in that language (i18n: as-is)
OTHER_LANGUAGE_NAME = {"zh": "English", "en": "中文"}   # i18n: as-is
NUMERIC = {"n", "p", "t", "s", "h", "m", "starts", "done", "size", "number"}   # placeholders that hold numbers
PLACEHOLDER = re.compile(r"\{(\w+)\}")

# the current language, the catalog's zh -> en texts, the installed translator (one per application)
_state: dict = {"language": "zh", "data": {}, "translator": None}


def language() -> str:
    return _state["language"]


def current_locale() -> QLocale:
    """Dates and times in the resident's language (the status bar's clock)."""
    return LOCALES[_state["language"]]


def data_text(text: str) -> str:
    """A catalog text (item name, guide step, field label...) in the current language: the catalog's English when
    the language is English and it has one, else the Chinese."""
    if _state["language"] != "en" or not text:
        return text
    return _state["data"].get(text, text)


def set_data_texts(pairs: dict[str, str]) -> None:
    """The catalog's Chinese -> English texts (kiosk.catalog.Catalog.english), replaced when a catalog is adopted."""
    _state["data"] = dict(pairs)
    _converter.cache_clear()


class Pairs:
    """The .ts as lookups: by (context, source), by source alone, and English -> Chinese for switching back."""

    def __init__(self, messages: Iterable[Message]):
        self.by_key: dict[tuple[str, str], str] = {}
        self.by_source: dict[str, str] = {}
        self.to_source: dict[str, str] = {}
        for m in messages:
            if not m.done:
                continue
            self.by_key[(m.context, m.source)] = m.translation
            self.by_source.setdefault(m.source, m.translation)
            self.to_source.setdefault(m.translation, m.source)


class Template:
    """A text with named placeholders, matched against what a widget shows: `{n}件` matches `3件` with n=3."""

    def __init__(self, pattern: str, output: str):
        self.output = output
        parts, seen, literal = [], set(), ""
        for index, piece in enumerate(PLACEHOLDER.split(pattern)):
            if index % 2 == 0:
                parts.append(re.escape(piece))
                literal += piece
            elif piece in seen:
                parts.append(f"(?P={piece})")
            else:
                seen.add(piece)
                parts.append(rf"(?P<{piece}>-?[\d.,]+)" if piece in NUMERIC else rf"(?P<{piece}>.+?)")
        self.names = seen
        self.literal = literal
        self.regex = re.compile("".join(parts), re.DOTALL)

    def render(self, values: dict[str, str]) -> str:
        return PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), self.output)


def _templates(pairs: dict[str, str]) -> list[Template]:
    found = [Template(source, output) for source, output in pairs.items()
             if PLACEHOLDER.search(source) and PLACEHOLDER.sub("", source).strip()
             and set(PLACEHOLDER.findall(source)) == set(PLACEHOLDER.findall(output))]
    return sorted(found, key=lambda t: -len(t.literal))   # the most specific first


class Converter:
    """Maps shown texts one way (Chinese -> English, or back): exact texts, templates, then line by line."""

    def __init__(self, exact: dict[str, str]):
        self.exact = exact
        self.templates = _templates(exact)

    def __call__(self, text: str) -> str:
        return self._convert(text, 0)

    def _convert(self, text: str, depth: int) -> str:
        if not text or depth > 4:
            return text
        if text in self.exact:
            return self.exact[text]
        for template in self.templates:
            match = template.regex.fullmatch(text)
            if match:   # each value is shorter than the text: the recursion ends
                return template.render({k: self._convert(v, depth + 1) for k, v in match.groupdict().items()})
        if "\n" in text:
            return "\n".join(self._convert(line, depth + 1) for line in text.split("\n"))
        return text


@lru_cache(maxsize=1)
def load_pairs() -> Pairs:
    return Pairs(read_messages(TS_PATH))


@lru_cache(maxsize=2)
def _converter(direction: str) -> Converter:
    pairs, data = load_pairs(), _state["data"]
    if direction == "en":
        return Converter({**data, **pairs.by_source})
    back = {v: k for k, v in data.items()}
    return Converter({**back, **pairs.to_source})


def convert(text: str, to: str) -> str:
    """A text shown in one language, as it reads in the other (`to`: "en" or "zh"); unknown texts unchanged."""
    return _converter(to)(text)


class KioskTranslator(QTranslator):
    """The compiled .qm. No Python override of translate(): PySide6 6.12 mis-counts the None it passes for an
    empty disambiguation and the interpreter crashes later. None is needed: PySide6's `self.tr` walks the class's
    MRO, so a subclass finds its base class's strings, and every module-level helper names its context."""

    def __init__(self, parent=None):
        super().__init__(parent)
        if not self.load(str(QM_PATH)):
            log.warning("English translation %s not loaded", QM_PATH.name)


# --- re-rendering what is on screen --------------------------------------------------------------------------
MEMO = "zdb_i18n_"   # a dynamic property per attribute: [what we showed, what was there before]


def _texts(widget: QWidget) -> list[tuple[str, Callable[[], str], Callable[[str], None]]]:
    found = [("accessibleName", widget.accessibleName, widget.setAccessibleName),
             ("accessibleDescription", widget.accessibleDescription, widget.setAccessibleDescription),
             ("toolTip", widget.toolTip, widget.setToolTip)]
    if isinstance(widget, (QLabel, QAbstractButton)):
        found.append(("text", widget.text, widget.setText))
    if isinstance(widget, QLineEdit):
        found.append(("placeholderText", widget.placeholderText, widget.setPlaceholderText))
    if widget.isWindow():
        found.append(("windowTitle", widget.windowTitle, widget.setWindowTitle))
    if isinstance(widget, QTabWidget):
        for index in range(widget.count()):
            found.append((f"tab{index}", lambda i=index: widget.tabText(i),
                          lambda text, i=index: widget.setTabText(i, text)))
    return found


def retranslate(root: QWidget, to: str) -> int:
    """Re-render every text under `root` in language `to`; returns how many texts changed. Going back to Chinese
    restores exactly what the widget showed before (a memo), or maps the English made since back to its source."""
    changed = 0
    for widget in [root, *root.findChildren(QWidget)]:
        for name, get, put in _texts(widget):   # a QLineEdit's text is what someone typed: never touched
            current = get()
            if not current:
                continue
            memo = widget.property(MEMO + name)
            if to == "zh" and isinstance(memo, (list, tuple)) and len(memo) == 2 and memo[0] == current:
                new = memo[1]
            else:
                new = convert(current, to)
            if new == current:
                continue
            widget.setProperty(MEMO + name, [new, current] if to == "en" else None)
            put(new)
            changed += 1
    return changed


def install(language: str) -> None:
    """Make texts created from now on come out in `language` (the translator is the application's, shared)."""
    app = QCoreApplication.instance()
    if language == "en" and _state["translator"] is None:
        _state["translator"] = KioskTranslator(app)
        app.installTranslator(_state["translator"])
    elif language != "en" and _state["translator"] is not None:
        app.removeTranslator(_state["translator"])
        _state["translator"] = None
    _state["language"] = language


class Languages:
    """Installs the translator for the session's language and switches the window in place when it changes."""

    def __init__(self, window, catalog_getter: Callable[[], object]):
        self.window = window
        self.catalog_getter = catalog_getter
        self.button = self._make_button()
        self._label_button()
        window.help_bar.add(self.button, left=True)
        self.refresh_catalog()
        window.prefs.subscribe(lambda old, new: self.apply(new.language) if old.language != new.language else None)
        if window.prefs.current.language != "zh" or _state["language"] != "zh":   # e.g. a window before it was
            self.apply(window.prefs.current.language)                          # closed in English

    def refresh_catalog(self) -> None:
        english = getattr(self.catalog_getter(), "english", None)
        set_data_texts(english() if callable(english) else {})

    def apply(self, language: str) -> None:
        app = QCoreApplication.instance()
        install(language)
        changed = retranslate(self.window, language)
        self._label_button()
        log.info("language switched to %s (%d texts re-rendered)", language, changed)
        if isinstance(app, QApplication):
            app.setApplicationDisplayName(QCoreApplication.translate("App", "舟到办"))
        status_bar = getattr(self.window, "status_bar", None)
        if status_bar is not None:
            status_bar.tick()   # the clock's format follows the language now, not within the next second

    def _make_button(self) -> QPushButton:
        widget = button("", "nav")
        widget.setObjectName("languageButton")
        widget.clicked.connect(self.toggle)
        return widget

    def toggle(self) -> None:
        prefs = self.window.prefs
        prefs.set_language("zh" if prefs.current.language == "en" else "en")

    def _label_button(self) -> None:
        """The other language's name, in that language, so a resident who cannot read this one finds it."""
        now = _state["language"]
        self.button.setText(OTHER_LANGUAGE_NAME[now])
        self.button.setAccessibleName(QCoreApplication.translate("Languages", "改用中文显示") if now == "en"
                                      else QCoreApplication.translate("Languages", "改用英文显示 English"))
        for name in ("text", "accessibleName"):
            self.button.setProperty(MEMO + name, None)
