"""Child process for the kill test: open the app on a library, type a note, keep running.

Run as ``python -m tests.gui.note_kill_child DATA_DIR TEXT``; prints ``typed ID`` once the
text is in the note editor, then runs the event loop until it is killed.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path


def main() -> int:
    """Type the note and wait to be killed."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    from desktop.core.library import Library
    from desktop.gui.main_window import MainWindow

    data_dir, text = Path(sys.argv[1]), sys.argv[2]
    app = QApplication([])
    library = Library.open(data_dir, backups=False)
    win = MainWindow(library, None)
    win.show()
    app.processEvents()
    win.annotations.open_note_editor()
    QTest.keyClicks(win.annotations.note_editor, text)
    print(f"typed {win.current_id()}", flush=True)
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
