"""Voice guidance on screen: each step read aloud when voice is on, ▶ 再听一遍 and a 语音 on/off switch in the
help strip. What a screen says comes from its `spoken_text()` (ui/widgets.Screen); error panels say their message
and next step. Speech runs on the guide's own thread (kiosk/voice_guide.py): the screen never waits for it, and a
failure (espeak-ng missing, no sound) is only logged: the resident reads the same guidance on screen.
"""
from __future__ import annotations

import logging

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QApplication, QWidget

from kiosk.preferences import Prefs
from kiosk.voice_guide import DEFAULT_RATE_WPM, VoiceGuide
from ui.widgets import ErrorPanel, Screen, button

log = logging.getLogger(__name__)

# Staff and technicians' own screens: a resident's voice setting is not theirs.
SILENT_SCREENS = ("agent_login", "agent_home", "work_queue", "need_form", "booking", "doc_capture", "review",
                  "maint_login", "maintenance")
ELDERLY_RATE = 0.8          # elderly mode speaks 20 % slower
ANNOUNCE_DEBOUNCE_MS = 400  # a screen's state changing quickly (search results while typing) speaks once


def rate_for(base_wpm: int, elderly: bool) -> int:
    rate = max(80, min(300, int(base_wpm or DEFAULT_RATE_WPM)))
    return int(rate * ELDERLY_RATE) if elderly else rate


class VoiceController(QObject):
    spoken = Signal(object)    # kiosk.voice_guide.Spoken, from the guide's thread (tests, the bench)
    failed = Signal(str)       # a failure code: logged only, never shown to the resident

    def __init__(self, window, speaker, rate_wpm: int = DEFAULT_RATE_WPM, parent: QObject | None = None):
        super().__init__(parent or window)
        self.window = window
        self.rate_wpm = rate_wpm
        self.guide = VoiceGuide(speaker, on_failure=self.failed.emit, on_spoken=self.spoken.emit) \
            if speaker is not None else None
        self._declined = False   # the resident turned voice off: elderly mode must not turn it back on
        self._announce = QTimer(self, singleShot=True, interval=ANNOUNCE_DEBOUNCE_MS, timeout=self.speak_screen)
        self.replay_button = button(self.tr("▶ 再听一遍"), "nav")   # ▶: the kiosk font has no loudspeaker emoji
        self.replay_button.setAccessibleName(self.tr("再听一遍语音提示"))
        self.replay_button.clicked.connect(self.replay)
        self.toggle = button("", "nav", checkable=True)
        self.toggle.setAccessibleName(self.tr("语音播报开关"))
        self.toggle.clicked.connect(self._toggled)
        self._show_state(window.prefs.current)
        if self.guide is not None:   # no loudspeaker at this station: no controls that would do nothing
            window.help_bar.add(self.replay_button)
            window.help_bar.add(self.toggle)
        self._hook_screens()
        window.nav.changed.connect(self._screen_changed)
        window.prefs.subscribe(self._prefs_changed)
        # a reset to prefs equal to the current ones tells no listener: hear about the session's end directly
        window.resident.service_finished.connect(self.session_ended)
        window.idle.expired.connect(self.session_ended)
        window.agent.logged_out.connect(lambda _reason: self.session_ended())
        QApplication.instance().focusChanged.connect(self._focus_changed)

    # --- what is said ----------------------------------------------------------------------------------------
    @property
    def on(self) -> bool:
        return self.guide is not None and self.window.prefs.current.voice

    def say(self, text: str) -> None:
        if self.guide is None or not text.strip():
            return
        prefs = self.window.prefs.current
        self.guide.say(text, prefs.language, rate_for(self.rate_wpm, prefs.elderly))

    def speak_screen(self) -> None:
        """Read the current screen's guidance (when voice is on and the screen is a resident's)."""
        screen = self.window.nav.current
        if self.on and isinstance(screen, Screen) and not self._silent(screen):
            self.say(screen.spoken_text())

    def replay(self) -> None:
        """再听一遍: the last prompt again (cached: instant); the current screen when nothing was said yet."""
        if self.guide is None:
            return
        if not self.guide.replay():
            screen = self.window.nav.current
            if isinstance(screen, Screen):
                self.say(screen.spoken_text())

    def _silent(self, screen: QWidget) -> bool:
        screens = self.window.screens
        return any(getattr(screens, name, None) is screen for name in SILENT_SCREENS)

    # --- when it is said --------------------------------------------------------------------------------------
    def _hook_screens(self) -> None:
        s = self.window.screens
        for screen in s.all():
            if isinstance(screen, Screen):
                screen.spoken_changed.connect(lambda sc=screen: self._changed(sc))
        s.identify.pages.currentChanged.connect(lambda _index: self._changed(s.identify))
        s.rating.pages.currentChanged.connect(lambda _index: self._changed(s.rating))
        s.search.results_shown.connect(lambda _n: self._changed(s.search))
        self._hook_error_panels()

    def _hook_error_panels(self) -> None:
        """Panels made since the last look (screens may build theirs late) are hooked once each."""
        for panel in self.window.findChildren(ErrorPanel):
            if not panel.property("voice_hooked"):
                panel.setProperty("voice_hooked", True)
                panel.shown.connect(lambda text, p=panel: self._error_shown(p, text))

    def _changed(self, screen: QWidget) -> None:
        """A state change within the screen; an error on it was just read out and keeps the word."""
        if screen is self.window.nav.current and self.on and not self._error_showing(screen):
            self._announce.start()

    @staticmethod
    def _error_showing(screen: QWidget) -> bool:
        return any(panel.isVisibleTo(screen) for panel in screen.findChildren(ErrorPanel))

    def _screen_changed(self, _screen: QWidget) -> None:
        self._announce.stop()
        self._hook_error_panels()
        if self.on:
            QTimer.singleShot(0, self.speak_screen)   # after whatever the route filled in has settled
        elif self.guide is not None:
            self.guide.stop()   # nothing from the page the resident left goes on talking

    def _error_shown(self, panel: ErrorPanel, text: str) -> None:
        current = self.window.nav.current
        if self.on and current is not None and current.isAncestorOf(panel) and not self._silent(current):
            self._announce.stop()
            self.say(text)

    def _focus_changed(self, _old: QWidget | None, new: QWidget | None) -> None:
        current = self.window.nav.current
        if new is None or not self.on or not isinstance(current, Screen) or not current.isAncestorOf(new):
            return
        text = current.spoken_focus(new)
        if text:
            self._announce.stop()
            self.say(text)

    # --- the resident's choices -------------------------------------------------------------------------------
    def _toggled(self, checked: bool) -> None:
        self._declined = not checked
        self.window.prefs.set_voice(checked)

    def session_ended(self) -> None:
        """The resident left (service finished, idle wipe, agent logout): their choice and last prompt go too."""
        self._declined = False
        if self.guide is not None:
            self.guide.forget()

    def _prefs_changed(self, old: Prefs, new: Prefs) -> None:
        if new is self.window.prefs.defaults:   # reset() hands over the defaults themselves: a new session
            self.session_ended()
        self._show_state(new)
        if new.elderly and not old.elderly and not new.voice and not self._declined:
            # after the other listeners have seen this change: set_voice from inside would interleave theirs
            QTimer.singleShot(0, lambda: self.window.prefs.set_voice(True))
        if new.voice and (not old.voice or new.language != old.language):
            QTimer.singleShot(0, self.speak_screen)   # after the language switch has re-rendered the texts
        elif not new.voice and old.voice and self.guide is not None:
            self.guide.forget()

    def _show_state(self, prefs: Prefs) -> None:
        self.toggle.setChecked(prefs.voice)
        self.toggle.setText(self.tr("语音：开") if prefs.voice else self.tr("语音：关"))

    def close(self) -> None:
        try:
            QApplication.instance().focusChanged.disconnect(self._focus_changed)
        except (RuntimeError, TypeError):
            pass
        if self.guide is not None:
            self.guide.close()
