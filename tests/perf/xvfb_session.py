"""A real-window check: the app under Xvfb, a triage session typed with ``xdotool key``, and
the library's state checked afterwards. Not run in CI (it needs system packages):

    apt-get install -y xvfb xdotool libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 xclip
    python -m tests.perf.xvfb_session [--keep]

Everything lives in a temporary folder (the library, HOME, the config and data folders), so
the user's own library and settings are never touched. The session: move with j/k, archive,
star, read later, open (marks read), star and undo, a note, a second paper to read later,
the Queue sorted by title (Shift+S t) and a paper moved in it (Alt+Down: back in queue
order), a search of the Inbox only (Ctrl+Shift+F) left with Esc, an export (Ctrl+E), quit
(Ctrl+Q). It prints each step with the window title and how long it took, then every check;
the exit status is the number of failed checks.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from desktop.core.library import Library
from desktop.core.seeds import seed_if_empty

ROOT = Path(__file__).resolve().parents[2]
KEY_DELAY_MS = "40"
GRAB = (
    "import sys\n"
    "from PySide6.QtGui import QGuiApplication\n"
    "app = QGuiApplication([])\n"
    "sys.exit(0 if app.primaryScreen().grabWindow(0).save(sys.argv[1]) else 1)\n"
)


class Session:
    """Xvfb, the app on a temporary library, and the keys sent to its window."""

    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp
        self.env = dict(os.environ)
        for name, sub in (
            ("HOME", "home"),
            ("XDG_CONFIG_HOME", "config"),
            ("XDG_DATA_HOME", "data"),
            ("XDG_RUNTIME_DIR", "runtime"),
        ):
            (tmp / sub).mkdir(mode=0o700)
            self.env[name] = str(tmp / sub)
        self.env["QT_QPA_PLATFORM"] = "xcb"
        self.env.pop("WAYLAND_DISPLAY", None)
        self.env["PYTHONPATH"] = str(ROOT)
        self.xvfb: subprocess.Popen[bytes] | None = None
        self.app: subprocess.Popen[bytes] | None = None
        self.window = ""
        self.log: list[str] = []

    def start_x(self) -> None:
        """Start Xvfb on a free display (it writes the display number it took)."""
        read, write = os.pipe()
        self.xvfb = subprocess.Popen(
            ["Xvfb", "-displayfd", str(write), "-screen", "0", "1280x800x24", "-nolisten", "tcp"],
            pass_fds=(write,),
            stderr=subprocess.DEVNULL,
        )
        os.close(write)
        with os.fdopen(read) as pipe:
            display = pipe.readline().strip()
        self.env["DISPLAY"] = f":{display}"

    def start_app(self, data_dir: Path) -> float:
        """Launch ``python -m desktop --data-dir``; seconds until its window is mapped."""
        started = time.perf_counter()
        self.app = subprocess.Popen(
            [sys.executable, "-m", "desktop", "--data-dir", str(data_dir)],
            env=self.env,
            cwd=self.tmp,
            stdout=open(self.tmp / "app.out", "wb"),  # noqa: SIM115 - closed with the process
            stderr=subprocess.STDOUT,
        )
        found = self.xdotool(
            "search", "--sync", "--onlyvisible", "--name", "^Digest Desk", timeout=30
        )
        self.window = found.split()[0]
        elapsed = time.perf_counter() - started
        self.xdotool("windowfocus", "--sync", self.window)
        time.sleep(1.0)  # the first frame, then the counts
        return elapsed

    def xdotool(self, *args: str, timeout: float = 10) -> str:
        """Run xdotool on the session's display; its output."""
        done = subprocess.run(
            ["xdotool", *args],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=True,
        )
        return done.stdout.strip()

    def title(self) -> str:
        """The window's title now."""
        return self.xdotool("getwindowname", self.window)

    def keys(self, what: str, *keys: str, settle: float = 0.35) -> None:
        """Press ``keys`` (xdotool names) one after the other, then log the title."""
        started = time.perf_counter()
        self.xdotool("key", "--clearmodifiers", "--delay", KEY_DELAY_MS, *keys)
        time.sleep(settle)
        took = time.perf_counter() - started - settle
        line = f"{what:<44} {' '.join(keys):<34} {took * 1000:6.0f} ms   {self.title()}"
        self.log.append(line)
        print(line, flush=True)

    def type(self, what: str, text: str) -> None:
        """Type ``text`` into the focused widget."""
        self.xdotool("type", "--delay", KEY_DELAY_MS, text)
        time.sleep(0.5)
        line = f"{what:<44} {text!r:<34} {'':>9}   {self.title()}"
        self.log.append(line)
        print(line, flush=True)

    def shot(self, name: str) -> Path | None:
        """A screenshot of the screen, taken by a second Qt client grabbing the root window."""
        path = self.tmp / f"{name}.png"
        done = subprocess.run(
            [sys.executable, "-c", GRAB, str(path)], env=self.env, capture_output=True, timeout=20
        )
        return path if done.returncode == 0 and path.exists() else None

    def focused(self) -> str:
        """The name of the window with the keyboard."""
        try:
            return self.xdotool("getwindowfocus", "getwindowname")
        except subprocess.CalledProcessError:
            return "?"

    def quit(self) -> float:
        """Ctrl+Q; seconds until the process has exited."""
        assert self.app is not None
        started = time.perf_counter()
        self.xdotool("key", "ctrl+q")
        self.app.wait(timeout=30)
        return time.perf_counter() - started

    def stop(self) -> None:
        """Stop what is still running (ours only)."""
        for proc in (self.app, self.xvfb):
            if proc is not None and proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    proc.kill()


def run(keep: bool) -> int:
    """The session and its checks; the number of failed checks."""
    for tool in ("Xvfb", "xdotool"):
        if shutil.which(tool) is None:
            print(f"{tool} is missing: apt-get install -y xvfb xdotool libxcb-cursor0 ...")
            return 1
    tmp = Path(tempfile.mkdtemp(prefix="digest-desk-xvfb-"))
    data = tmp / "library"
    with Library.open(data, backups=False) as library:  # the seeds, as a first start has
        seed_if_empty(library)
        inbox = library.views.ids("inbox")
        titles = {i: library.papers.get(i).title for i in inbox[:8]}  # type: ignore[union-attr]
    a, b, c, d, e, f, g = inbox[:7]
    session = Session(tmp)
    checks: list[tuple[str, bool, str]] = []

    def check(what: str, ok: bool, detail: object = "") -> None:
        checks.append((what, ok, str(detail)))

    try:
        session.start_x()
        shown = session.start_app(data)
        print(f"window mapped after {shown:.2f} s on {session.env['DISPLAY']}\n")
        check("the window starts on the Inbox", session.title() == "Digest Desk — Inbox")
        s = session
        s.keys("j j j k: down three, up one", "j", "j", "j", "k")
        s.keys("e: archive it (the cursor moves on)", "e")
        s.keys("s: star the next one", "s")
        s.keys("j l: read the one after later", "j", "l")
        s.keys("Enter: open the next (marks it read)", "Return")
        s.keys("s u: star it, undo", "s", "u")
        s.keys("n: a note", "n")
        s.type("  typed in the note editor", "Typed under Xvfb")
        s.keys("Ctrl+Enter: note done", "ctrl+Return")
        s.keys("j l: one more to read later", "j", "l")
        s.keys("g l: the Queue", "g", "l")
        queue_title = s.title()
        s.keys("Shift+S t: sort the Queue by title", "shift+s", "t")
        sorted_title = s.title()
        s.keys("g i: the Inbox has no sort", "g", "i")
        inbox_title = s.title()
        s.keys("g l: the Queue is still sorted", "g", "l")
        back_title = s.title()
        s.keys("k k: to the top, Alt+Down: move it", "k", "k", "alt+Down")
        moved_title = s.title()
        s.keys("g i /: search", "g", "i", "slash")
        s.type("  typed in the search field", "graph")
        library_title = s.title()
        s.keys("Ctrl+Shift+F: only this view", "ctrl+shift+f", settle=0.6)
        view_title = s.title()
        s.keys("Esc: back to the Inbox", "Escape")
        esc_title = s.title()
        shots = [s.shot("triaged")]
        s.keys("Ctrl+E: export", "ctrl+e", settle=0.8)
        print(f"  the keyboard is in: {s.focused()}")
        shots.append(s.shot("export"))
        s.keys("  Export (default button)", "Return", settle=1.5)
        s.keys("  Esc: close the dialog", "Escape")
        # Without a window manager nobody gives the keyboard back when a dialog closes.
        print(f"  the keyboard is in: {s.focused() or 'no window (no window manager)'}")
        s.xdotool("windowfocus", "--sync", s.window)
        quit_s = s.quit()
        status = s.app.returncode if s.app else "?"
        print(f"\nCtrl+Q to exit: {quit_s:.2f} s (exit status {status})")
        check("quit takes at most 2 s", quit_s <= 2.0, f"{quit_s:.2f} s")
        check("the app exits cleanly", s.app is not None and s.app.returncode == 0)
        check("the Queue view is titled", queue_title == "Digest Desk — Queue", queue_title)
        check("a sort shows in the title", "sorted by title" in sorted_title, sorted_title)
        check("the Inbox keeps its own order", "sorted" not in inbox_title, inbox_title)
        check("the Queue keeps its sort", "sorted by title" in back_title, back_title)
        check("a move in a sorted queue is in queue order", "sorted" not in moved_title)
        check(
            "a search says it looked in the whole library",
            "Search in the whole library: graph" in library_title,
            library_title,
        )
        check("Ctrl+Shift+F searches the Inbox", "Search in Inbox: graph" in view_title)
        check("Esc is back on the Inbox", esc_title == "Digest Desk — Inbox", esc_title)

        with Library.open(data, backups=False) as library:
            paper = library.papers.get
            check("c archived", paper(c).archived, titles[c])  # type: ignore[union-attr]
            check("d starred", paper(d).starred)  # type: ignore[union-attr]
            check("f read (opened)", paper(f).is_read)  # type: ignore[union-attr]
            check("f not starred (undone)", not paper(f).starred)  # type: ignore[union-attr]
            note = library.notes.get(f)
            check("f has the note", note is not None and "Typed under Xvfb" in str(note), note)
            queue = library.views.ids("queue")
            top = min((e, g), key=lambda i: titles[i].casefold())  # first by title
            expected = [g, e] if top == e else [e, g]  # moved down, or already at the bottom
            check("the queue's top by title moved down in queue order", queue == expected, queue)
            untouched = [paper(i) for i in (a, b)]
            check(
                "a and b untouched",
                all(p is not None and not (p.archived or p.starred or p.queued) for p in untouched),
            )
        exports = [p for p in (tmp / "home").rglob("*.md")]
        check("the export wrote a Markdown file", bool(exports), exports)
    finally:
        session.stop()
        print()
        failed = 0
        for what, ok, detail in checks:
            failed += not ok
            print(f"{'ok  ' if ok else 'FAIL'} {what}" + (f"   ({detail})" if detail else ""))
        output = (tmp / "app.out").read_text(errors="replace") if (tmp / "app.out").exists() else ""
        if output.strip():
            print("\nthe app printed:\n" + output[-3000:])
        if keep:
            print(f"\nkept {tmp} (screenshots: triaged.png, export.png)")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    return failed


def main(argv: list[str] | None = None) -> int:
    """Run the session and print what happened."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = parser.parse_args(argv)
    return run(args.keep)


if __name__ == "__main__":
    sys.exit(main())
