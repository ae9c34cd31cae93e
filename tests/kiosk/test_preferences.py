import pytest

from kiosk.preferences import Prefs, SessionPrefs


def test_changes_are_told_to_listeners_and_reset_restores_defaults():
    prefs = SessionPrefs(Prefs(language="zh"))
    seen = []
    prefs.subscribe(lambda old, new: seen.append((old.language, new.language, new.elderly)))
    prefs.set_language("en")
    prefs.set_elderly(True)
    prefs.set_elderly(True)   # no change: nobody is told
    assert prefs.current == Prefs(language="en", elderly=True)
    prefs.reset()
    assert prefs.current == Prefs()
    assert seen == [("zh", "en", False), ("en", "en", True), ("en", "zh", False)]


def test_unknown_language_is_refused():
    with pytest.raises(ValueError):
        SessionPrefs().set_language("fr")
    with pytest.raises(ValueError):
        SessionPrefs(Prefs(language="fr"))


def test_a_failing_listener_does_not_stop_the_others():
    prefs = SessionPrefs()
    seen = []
    prefs.subscribe(lambda old, new: 1 / 0)
    prefs.subscribe(lambda old, new: seen.append(new.voice))
    prefs.set_voice(True)
    assert seen == [True]
