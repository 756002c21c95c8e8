"""Make the README screenshots offscreen: ``python -m desktop.gui.screenshot OUT.png``
(``--scheme dark`` for the dark one; ``--both`` writes ``resources/screenshot.png`` and
``resources/screenshot-dark.png``).

The window is built on a temporary library holding the bundled seeds, a few papers are
triaged so every kind of row shows, and the window is grabbed to a PNG.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path
from typing import Any


def annotate_example(library: Any, paper_id: int) -> None:
    """Give the shown paper two highlights (one with a note), tags and a short note."""
    paper = library.papers.get(paper_id)
    words = paper.abstract.split()
    if len(words) > 40:
        library.highlights.add_by_quote(paper_id, " ".join(words[2:8]), "green")
        library.highlights.add_by_quote(
            paper_id, " ".join(words[30:36]), "red", "Check this against our baseline"
        )
    library.tags.set_for_paper(paper_id, ["pruning", "reading group"])
    library.notes.set(paper_id, "**Try it** on the small model first; then *compare* the costs.")


def make_screenshot(
    out: Path,
    *,
    width: int = 1280,
    height: int = 800,
    search: str | None = None,
    scheme: str = "light",
) -> Path:
    """Render the main window on the seeds to ``out`` and return the path."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from desktop.core.library import Library
    from desktop.core.seeds import seed_if_empty
    from desktop.gui.app import make_application
    from desktop.gui.main_window import MainWindow

    app = make_application()
    with tempfile.TemporaryDirectory() as tmp:
        library = Library.open(Path(tmp) / "data", backups=False)
        try:
            seed_if_empty(library)
            inbox = library.views.ids("inbox")
            library.triage.set_read(inbox[:5], True)
            library.triage.set_starred([inbox[1], inbox[6], inbox[9]], True)
            library.triage.set_queued([inbox[2], inbox[7]], True)
            library.triage.set_archived([inbox[0]], True)
            library.history.clear()
            window = MainWindow(library, None)
            window.set_color_scheme(scheme, remember=False)
            window.resize(width, height)
            window.show()
            app.processEvents()
            if search:
                window.search_field.setText(search)
                window.search.run()
            else:
                window.select_row(3)
                shown = window.current_id()
                if shown is not None:
                    annotate_example(library, shown)
                    library.history.clear()
                    window.refresh_counts()  # do not wait for the timer
                    window.update_actions()  # the history was cleared
            window.detail.load_related()  # do not wait for the timer
            window.list.setFocus()
            for _ in range(3):
                app.processEvents()
            out.parent.mkdir(parents=True, exist_ok=True)
            if not window.grab().save(str(out)):
                raise OSError(f"could not write {out}")
            window.close()
            QApplication.processEvents()
        finally:
            library.close()
    return out


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, nargs="?", default=Path("resources/screenshot.png"))
    parser.add_argument("--width", type=int, default=1280)
    parser.add_argument("--height", type=int, default=800)
    parser.add_argument("--search", help="show the results of a search instead")
    parser.add_argument("--scheme", choices=("light", "dark"), default="light")
    parser.add_argument(
        "--both", action="store_true", help="write the light and the dark README screenshots"
    )
    args = parser.parse_args(argv)
    shots = [(args.out, args.scheme)]
    if args.both:
        shots = [
            (Path("resources/screenshot.png"), "light"),
            (Path("resources/screenshot-dark.png"), "dark"),
        ]
    for out, scheme in shots:
        path = make_screenshot(
            out, width=args.width, height=args.height, search=args.search, scheme=scheme
        )
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
