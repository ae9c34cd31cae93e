// The on-screen keyboard docked in the kiosk window (hosted by a QQuickWidget, see ui/osk.py).
// Qt Virtual Keyboard is the application's input method, so its keys type straight into whichever QLineEdit has
// the focus: the widget stays the one place the screens read. Python drives the settings and, in tests, the keys.
import QtQuick
import QtQuick.VirtualKeyboard
import QtQuick.VirtualKeyboard.Settings

Item {
    id: root
    // set from Python: as wide as the window's room for keys allows (wider in elderly mode: bigger keys)
    property real keyboardWidth: width * 0.7
    readonly property real keyboardHeight: panel.height
    readonly property real keysWidth: panel.width
    readonly property string preedit: InputContext.preeditText
    readonly property string locale: InputContext.locale

    InputPanel {
        id: panel
        width: Math.min(root.width, root.keyboardWidth)
        anchors.bottom: parent.bottom
        anchors.horizontalCenter: parent.horizontalCenter
    }

    Component.onCompleted: {
        VirtualKeyboardSettings.activeLocales = ["zh_CN", "en_US"]
        // the window's own 中/英 and 完成 keys replace these two, so there is one way to do each
        VirtualKeyboardSettings.visibleFunctionKeys = QtVirtualKeyboard.KeyboardFunctionKeys.None
        // a fixed height: the row of candidates does not make the screen above jump
        VirtualKeyboardSettings.wordCandidateList.alwaysVisible = true
        VirtualKeyboardSettings.handwritingModeDisabled = true
    }

    function setLocale(name) {
        VirtualKeyboardSettings.locale = name
        return InputContext.locale
    }

    // what a tap on a key does (tests drive the keys this way: no physical key events)
    function click(key, text) {
        return InputContext.inputEngine.virtualKeyClick(key, text, 0)
    }

    function candidates() {
        var model = InputContext.inputEngine.wordCandidateListModel
        var words = []
        for (var i = 0; i < model.count; i++)
            words.push(model.dataAt(i))
        return words
    }

    function choose(index) {
        InputContext.inputEngine.wordCandidateListModel.selectItem(index)
        return true
    }

    function inputMethodName() {
        return String(InputContext.inputEngine.inputMethod)
    }
}
