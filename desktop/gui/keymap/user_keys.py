"""Your own keys: a TOML keymap file (``keys.toml`` in the config folder) over a preset.

The file names a preset and changes its keys, one line per key::

    preset = "vim"            # default, vim or gmail (default when left out)

    [keys]
    "Ctrl+J" = "next-paper"   # a new key for a command
    "m" = "archive"           # a key given another command
    "b" = ""                  # a key that does nothing

Every problem is a ``KeyProblem`` naming its line, and only the broken part falls back: a
malformed file gives the default keys, an unknown command or a key that is not one leaves
that key as the preset has it, and a key written twice (``Ctrl+k`` and ``ctrl+K`` are one
key) keeps the preset's binding. A key that starts another (``g`` beside ``g then i``) is
refused too, since neither could be pressed. Plain Python, no Qt: ``digest-desk keys``
checks files with it.
"""

from __future__ import annotations

import difflib
import re
import tomllib
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from desktop.core.data_dir import platform_dirs
from desktop.gui.keymap import DEFAULT_KEYMAP, display_key
from desktop.gui.keymap.presets import PRESETS

KEYMAP_FILE = "keys.toml"
MODIFIERS = ("Ctrl", "Alt", "Shift", "Meta")
_MODIFIER_NAMES = {m.lower(): m for m in MODIFIERS} | {"control": "Ctrl", "option": "Alt"}
_NAMED = (
    "Up Down Left Right Return Enter Esc Space Tab Backspace Delete Insert Home End PgUp PgDown "
    "Menu"
)
_KEY_NAMES = {name.lower(): name for name in _NAMED.split()} | {
    "escape": "Esc",
    "del": "Delete",
    "ins": "Insert",
    "pageup": "PgUp",
    "pagedown": "PgDown",
}
_FUNCTION_KEY = re.compile(r"f([1-9]|[12][0-9]|3[0-5])")
_TOML_LINE = re.compile(r"at line (\d+)")
_TABLE_HEADER = re.compile(r"^\s*\[\s*([A-Za-z0-9_-]+)\s*\]\s*(#.*)?$")
MAX_STEPS = 4  # Qt's QKeySequence holds at most four key presses


def keymap_path() -> Path:
    """Where the keymap file is looked for: ``keys.toml`` in the user config folder (next to
    the window state, gui-state.ini)."""
    return platform_dirs().user_config_path / KEYMAP_FILE


class KeySpellingError(ValueError):
    """Text that is not a key; the message says why."""


def normalize_key(text: str) -> str:
    """The keymap spelling of a key: ``ctrl+k`` is ``Ctrl+K``, ``G`` is ``Shift+G``, ``g, i``
    is ``g,i``. Raises KeySpellingError for text that names no key."""
    steps = text.split(",")
    if len(steps) > MAX_STEPS:
        raise KeySpellingError(f"a key sequence has at most {MAX_STEPS} steps")
    return ",".join(_chord(step.strip()) for step in steps)


def _chord(text: str) -> str:
    if not text:
        raise KeySpellingError("a key is missing (a comma separates the keys of a sequence)")
    *mods, key = text.split("+")
    modifiers: set[str] = set()
    for mod in mods:
        name = _MODIFIER_NAMES.get(mod.strip().lower())
        if name is None:
            shown = mod.strip() or "+"
            raise KeySpellingError(f"{shown!r} is not a modifier (Ctrl, Alt, Shift or Meta)")
        modifiers.add(name)
    key = key.strip()
    if len(key) == 1:
        if not key.isprintable() or key.isspace():
            raise KeySpellingError("write Space, Tab or Return for those keys")
        if key.isascii() and key.isalpha():
            if key.isupper() and not modifiers:  # G is Shift+G; Ctrl+K is Ctrl+k
                modifiers.add("Shift")
            key = key.upper() if modifiers else key.lower()
    elif _FUNCTION_KEY.fullmatch(key.lower()):
        key = key.upper()
    elif key.lower() in _KEY_NAMES:
        key = _KEY_NAMES[key.lower()]
    else:
        raise KeySpellingError(f"no key is called {key!r}" if key else "a key is missing after '+'")
    return "+".join([*(m for m in MODIFIERS if m in modifiers), key])


def clashes(a: str, b: str) -> bool:
    """True when one key sequence starts the other (``g`` and ``g,i``): Qt could run neither."""
    sa, sb = a.split(","), b.split(",")
    shorter = min(len(sa), len(sb))
    return a != b and sa[:shorter] == sb[:shorter]


@dataclass(frozen=True)
class KeyProblem:
    """One problem of a keymap file, with the line it is on (None: the whole file)."""

    line: int | None
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}" if self.line else self.message


@dataclass
class LoadedKeymap:
    """The keys in effect after reading a keymap file, and what was wrong with it."""

    keymap: dict[str, str]
    preset: str = "default"
    path: Path | None = None
    problems: list[KeyProblem] = field(default_factory=list)
    changed: int = 0  # keys of the file that took effect

    @property
    def ok(self) -> bool:
        """True when the file had no problem."""
        return not self.problems

    def message(self) -> str:
        """One message for the user: the file, its first problem, and how many more there are."""
        if self.ok:
            return ""
        where = self.path.name if self.path is not None else "The keymap file"
        first = str(self.problems[0])
        more = len(self.problems) - 1
        rest = f" (and {more} more: digest-desk keys --check lists them)" if more else ""
        return f"{where}: {first}{rest}"


def preset_keymap(name: str, defaults: Mapping[str, str] = DEFAULT_KEYMAP) -> dict[str, str]:
    """The keys of a preset: the defaults with the preset's changes."""
    table = dict(defaults)
    for key, command in PRESETS[name].changes.items():
        _bind(table, key, command)
    return table


def _bind(table: dict[str, str], key: str, command: str) -> None:
    if command:
        table[key] = command
    else:
        table.pop(key, None)


def load_keymap_file(
    path: Path, known_commands: Collection[str], defaults: Mapping[str, str] = DEFAULT_KEYMAP
) -> LoadedKeymap:
    """The keys in effect with the file at ``path`` (the defaults when there is none)."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return LoadedKeymap(dict(defaults), path=None)
    except (OSError, UnicodeDecodeError) as exc:
        loaded = LoadedKeymap(dict(defaults), path=path)
        loaded.problems.append(KeyProblem(None, f"cannot be read ({exc}); the default keys apply"))
        return loaded
    loaded = parse_keymap(text, known_commands, defaults)
    loaded.path = path
    return loaded


def parse_keymap(
    text: str, known_commands: Collection[str], defaults: Mapping[str, str] = DEFAULT_KEYMAP
) -> LoadedKeymap:
    """The keys in effect with a keymap file's text; every problem names its line."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        found = _TOML_LINE.search(str(exc))
        return LoadedKeymap(
            dict(defaults),
            problems=[
                KeyProblem(
                    int(found.group(1)) if found else None,
                    f"not valid TOML ({exc}); the default keys apply",
                )
            ],
        )
    lines = _entry_lines(text)
    problems: list[KeyProblem] = []
    preset = "default"
    for name, value in data.items():
        line = lines.get(("", name))
        if name == "preset":
            if isinstance(value, str) and value in PRESETS:
                preset = value
            else:
                problems.append(
                    KeyProblem(
                        line,
                        f"unknown preset {value!r} ({', '.join(PRESETS)}); the default keys apply",
                    )
                )
        elif name != "keys":
            problems.append(
                KeyProblem(
                    line or lines.get((name, "")),
                    f'unknown setting {name!r} (a keymap file has preset = "…" and a '
                    "[keys] table); it is ignored",
                )
            )
    table = preset_keymap(preset, defaults)
    entries = data.get("keys", {})
    if not isinstance(entries, dict):
        problems.append(
            KeyProblem(lines.get(("", "keys")), "keys must be a table: write [keys] on a line")
        )
        entries = {}
    wanted = _checked_entries(entries, lines, set(known_commands), problems)
    changed = _apply(table, wanted, problems)
    problems.sort(key=lambda p: p.line or 0)
    return LoadedKeymap(table, preset=preset, problems=problems, changed=changed)


def _checked_entries(
    entries: Mapping[str, object],
    lines: Mapping[tuple[str, str], int],
    known: set[str],
    problems: list[KeyProblem],
) -> list[tuple[str, str, int | None]]:
    """(key, command, line) of the [keys] lines that name a key and a known command, without
    the keys written twice."""
    by_key: dict[str, list[tuple[str, str, int | None]]] = {}
    for raw, value in entries.items():
        line = lines.get(("keys", raw))
        try:
            key = normalize_key(raw)
        except KeySpellingError as exc:
            problems.append(KeyProblem(line, f"{raw!r} is not a key ({exc}); the line is ignored"))
            continue
        shown = display_key(key)
        if not isinstance(value, str):
            problems.append(
                KeyProblem(line, f"{shown}: the command must be a name in quotes; ignored")
            )
            continue
        if value and value not in known:
            close = difflib.get_close_matches(value, sorted(known), n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            problems.append(
                KeyProblem(
                    line,
                    f"unknown command {value!r} for {shown}{hint}; the key keeps its "
                    "preset binding",
                )
            )
            continue
        by_key.setdefault(key, []).append((key, value, line))
    checked: list[tuple[str, str, int | None]] = []
    for key, found in by_key.items():
        if len(found) == 1:
            checked.append(found[0])
            continue
        where = " and ".join(str(line) for _k, _c, line in found if line)
        problems.append(
            KeyProblem(
                found[-1][2],
                f"{display_key(key)} is bound twice (lines {where}); both lines are ignored "
                "and the key keeps its preset binding",
            )
        )
    checked.sort(key=lambda entry: entry[2] or 0)
    return checked


def _apply(
    table: dict[str, str],
    entries: list[tuple[str, str, int | None]],
    problems: list[KeyProblem],
) -> int:
    """Unbind the keys bound to "", then bind the others in file order; a key that clashes
    with one bound already is refused. Returns how many lines took effect."""
    changed = 0
    for key, command, _line in entries:
        if not command:
            table.pop(key, None)
            changed += 1
    for key, command, line in entries:
        if not command:
            continue
        other = next((k for k in table if clashes(k, key)), None)
        if other is not None:
            how = "starts" if len(other) > len(key) else "begins with"
            problems.append(
                KeyProblem(
                    line,
                    f"{display_key(key)} cannot be bound: it {how} {display_key(other)} "
                    f'({table[other]}), so neither could be pressed; unbind that with "{other}" '
                    '= "" first; the line is ignored',
                )
            )
            continue
        table.pop(key, None)  # a key given another command is listed after the others
        table[key] = command
        changed += 1
    return changed


def _entry_lines(text: str) -> dict[tuple[str, str], int]:
    """(table, key) to the line it is written on; a table header itself is (name, "")."""
    found: dict[tuple[str, str], int] = {}
    table = ""
    for number, line in enumerate(text.splitlines(), start=1):
        header = _TABLE_HEADER.match(line)
        if header:
            table = header.group(1)
            found.setdefault((table, ""), number)
            found.setdefault(("", table), number)
            continue
        if "=" not in line or line.lstrip().startswith("#"):
            continue
        try:
            parsed = tomllib.loads(line)
        except tomllib.TOMLDecodeError:
            continue
        if len(parsed) == 1:
            found.setdefault((table, next(iter(parsed))), number)
    return found
