"""Notes and highlight notes made only of control characters (or hiding them in text): saved
as written, never a crash, never raw in an export or on the terminal, and found by search."""

from __future__ import annotations

import io
import re
from pathlib import Path

from desktop.cli import main
from desktop.core.export.markdown import Selection, plan_export
from desktop.core.library import Library

CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def test_a_note_of_only_control_characters_exports_no_empty_section(seeded: Library) -> None:
    pid = seeded.views.ids("all")[0]
    seeded.notes.set(pid, "\x01\x02\x1b\x07\x00")
    seeded.highlights.add(pid, "abstract", 0, 5, "yellow", "\x1b[31m\x07")
    assert seeded.notes.get(pid) == "\x01\x02\x1b\x07\x00"  # stored as written
    for shape in ("single", "per-paper"):
        for links in ("github", "obsidian", "both"):
            plan = plan_export(seeded, Selection.of_ids([pid]), shape, links=links)
            text = plan.files[0].content
            assert not CONTROL.search(text), (shape, links)
            assert "## Note" not in text and "### Note" not in text
    assert seeded.index.search("anything").error is None


def test_control_characters_inside_a_note_never_reach_the_terminal(
    seeded: Library, seeded_dir: Path
) -> None:
    pid = seeded.views.ids("all")[1]
    seeded.notes.set(pid, "\x1b]0;title\x07 okapicontrol \x1b[31mred\x00")
    seeded.index.wait_idle()
    assert [int(i) for i in seeded.index.search("okapicontrol").ids] == [pid]
    seeded.close()
    for args in (["note", str(pid)], ["show", str(pid)], ["search", "okapicontrol"]):
        out = io.StringIO()
        assert main(["--data-dir", str(seeded_dir), *args], out=out) == 0
        assert not CONTROL.search(out.getvalue()), args
