"""A resident's choices for one session: language, elderly mode (适老化) and voice guidance. Qt-free.

The window holds one `SessionPrefs`; screens, voice and the keyboard listen to it. `reset()` runs when the session
ends or idles out, so the next resident starts from the station's defaults, never from a stranger's choices.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from typing import Callable

log = logging.getLogger(__name__)

LANGUAGES = ("zh", "en")   # Simplified Chinese (the source language) and English


@dataclass(frozen=True)
class Prefs:
    language: str = "zh"
    elderly: bool = False
    voice: bool = False


Listener = Callable[[Prefs, Prefs], None]   # (old, new)


class SessionPrefs:
    def __init__(self, defaults: Prefs = Prefs()):
        if defaults.language not in LANGUAGES:
            raise ValueError(f"language must be one of {', '.join(LANGUAGES)}")
        self.defaults = defaults
        self._current = defaults
        self._listeners: list[Listener] = []

    @property
    def current(self) -> Prefs:
        return self._current

    def subscribe(self, listener: Listener) -> None:
        self._listeners.append(listener)

    def set_language(self, language: str) -> None:
        if language not in LANGUAGES:
            raise ValueError(f"language must be one of {', '.join(LANGUAGES)}")
        self._change(replace(self._current, language=language))

    def set_elderly(self, on: bool) -> None:
        self._change(replace(self._current, elderly=bool(on)))

    def set_voice(self, on: bool) -> None:
        self._change(replace(self._current, voice=bool(on)))

    def reset(self) -> None:
        """The session ended: back to the station's defaults."""
        self._change(self.defaults)

    def _change(self, new: Prefs) -> None:
        old, self._current = self._current, new
        if new == old:
            return
        for listener in list(self._listeners):
            try:
                listener(old, new)
            except Exception:   # one broken listener must not keep the others (or the wipe) from running
                log.exception("a preferences listener failed")
