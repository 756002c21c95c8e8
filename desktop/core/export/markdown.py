"""Export papers with their highlights and notes as Markdown: one file, or one file per paper.

The work is split so every front end can use it: ``plan_export`` reads the library and renders
every file in memory (pure and deterministic: the same library gives byte-identical files);
``render_preview`` is the first file of a plan; ``write_export`` writes a plan atomically into a
folder, updating earlier exports in place (files are found again by the ``id`` in their front
matter, so a renamed paper's old file is replaced, never duplicated).

``plan_export`` reads through the Library, so run it on the thread that owns the Library's
connection (a background worker opens its own); ``write_export`` only touches files, and takes
``progress(done, total, name)`` and ``cancel()`` callbacks for a progress dialog.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
import tempfile
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from desktop.core.export.markdown_text import collapse_space, embed_note, escape_inline
from desktop.core.export.safe_filename import (
    MAX_NAME_CHARS,
    inside,
    name_key,
    safe_stem,
    unique_names,
)
from desktop.core.library import Library
from desktop.core.models import HIGHLIGHT_COLORS, Annotations, Highlight, Paper, PaperId

SHAPES = ("single", "per-paper")
DEFAULT_FILE_NAME = "digest-desk-notes.md"
DEFAULT_TITLE = "Digest Desk notes"
EXPORTED_BY = "digest-desk"
_TEMP_PREFIX = ".digest-desk-export-"
_FRONT_MATTER_READ = 65536
_READ_CHUNK = 200
PREVIEW_PAPERS = 20

ProgressFn = Callable[[int, int, str], None]
CancelFn = Callable[[], bool]


class ExportError(Exception):
    """An export could not be written; the message says why in plain words."""


class ExportCancelledError(ExportError):
    """The export was cancelled before anything was written."""


# What the exporter reads from: the library (its papers, views, annotations and index).
ExportSource = Library


# -- what to export -----------------------------------------------------------------------------
@dataclass(frozen=True)
class Selection:
    """Which papers to export: ``annotated`` (default), ``view``, ``query``, ``ids`` or ``all``."""

    kind: str = "annotated"
    view: str | None = None
    query: str | None = None
    ids: tuple[int, ...] = ()

    @classmethod
    def annotated(cls) -> Selection:
        """Every paper with a note, a highlight or a tag (the default)."""
        return cls("annotated")

    @classmethod
    def of_view(cls, view: str) -> Selection:
        """The papers of a view (``inbox``, ``queue``, ``starred``, ``archive``, ``digest:ID``…)."""
        return cls("view", view=view)

    @classmethod
    def of_query(cls, query: str) -> Selection:
        """The papers a search query finds, best first."""
        return cls("query", query=query)

    @classmethod
    def of_ids(cls, ids: Iterable[int]) -> Selection:
        """These papers (the GUI's selection, or one paper), in the order given."""
        return cls("ids", ids=tuple(dict.fromkeys(int(i) for i in ids)))

    @classmethod
    def of_paper(cls, paper_id: int) -> Selection:
        """One paper."""
        return cls.of_ids([paper_id])

    @classmethod
    def everything(cls) -> Selection:
        """Every paper in the library."""
        return cls("all")

    def describe(self) -> str:
        """A few words for people: what this selection is."""
        if self.kind == "view":
            return f"view {self.view}"
        if self.kind == "query":
            return f"search {self.query!r}"
        if self.kind == "ids":
            return f"{len(self.ids)} selected paper{'s' if len(self.ids) != 1 else ''}"
        if self.kind == "all":
            return "all papers"
        return "annotated papers"


def selected_ids(lib: ExportSource, selection: Selection) -> list[PaperId]:
    """The ids a selection stands for, in export order."""
    if selection.kind == "annotated":
        return list(lib.annotated_paper_ids())
    if selection.kind == "view":
        return list(lib.views.ids(selection.view or "inbox"))
    if selection.kind == "all":
        return list(lib.views.ids("all"))
    if selection.kind == "ids":
        known = {p.id for p in lib.papers.many(list(selection.ids), with_sightings=False)}
        return [PaperId(i) for i in selection.ids if i in known]
    if selection.kind == "query":
        return list(lib.index.search(selection.query or "", limit=None).ids)
    raise ValueError(f"unknown selection {selection.kind!r}")


# -- plans --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ExportFile:
    """One file of an export: its name inside the target folder and its full text."""

    path: str
    content: str
    paper_ids: tuple[PaperId, ...] = ()


@dataclass(frozen=True)
class ExportPlan:
    """Every file an export will write, rendered in memory."""

    shape: str
    files: tuple[ExportFile, ...]
    papers: int
    highlights: int
    notes: int

    @property
    def preview(self) -> str:
        """The text of the first file ('' when there is nothing to export)."""
        return self.files[0].content if self.files else ""

    def summary(self) -> str:
        """One plain line for people."""
        return (
            f"{_count(self.papers, 'paper')}, {_count(self.highlights, 'highlight')}, "
            f"{_count(self.notes, 'note')} in {_count(len(self.files), 'file')}"
        )


@dataclass
class ExportResult:
    """What writing an export did; paths are inside ``folder``."""

    folder: Path
    written: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    cancelled: bool = False

    @property
    def paths(self) -> list[Path]:
        """Every file of the export as it now stands on disk."""
        return [self.folder / name for name in sorted(self.written + self.unchanged)]

    def summary(self) -> str:
        """One plain line for people."""
        if self.cancelled:
            return "export cancelled, nothing written"
        text = (
            f"{_count(len(self.written), 'file')} written, {len(self.unchanged)} unchanged"
            f" in {self.folder}"
        )
        if self.removed:
            text += f" ({_count(len(self.removed), 'old file')} of renamed papers replaced)"
        return text


def _count(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def plan_export(
    lib: ExportSource,
    selection: Selection | None = None,
    shape: str = "single",
    *,
    file_name: str = DEFAULT_FILE_NAME,
    title: str = DEFAULT_TITLE,
    limit: int | None = None,
    progress: ProgressFn | None = None,
    cancel: CancelFn | None = None,
) -> ExportPlan:
    """Render an export in memory: the files it would write, without touching the disk.

    ``limit`` renders only the first papers (for a quick preview). ``progress(done, total,
    title)`` is called as papers are read; when ``cancel()`` turns true, ExportCancelledError is
    raised.
    """
    ids = selected_ids(lib, selection or Selection.annotated())
    if limit is not None:
        ids = ids[:limit]
    items: list[tuple[Paper, Annotations]] = []
    for start in range(0, len(ids), _READ_CHUNK):
        if cancel and cancel():
            raise ExportCancelledError("export cancelled, nothing written")
        for paper in lib.papers.many(ids[start : start + _READ_CHUNK]):
            items.append((paper, lib.annotations(paper.id)))
        if progress:
            progress(len(items), len(ids), items[-1][0].title if items else "")
    return plan_items(items, shape, file_name=file_name, title=title)


def render_preview(
    lib: ExportSource,
    selection: Selection | None = None,
    shape: str = "single",
    *,
    max_papers: int = PREVIEW_PAPERS,
) -> str:
    """The first file an export would write: per paper, the first paper's file; as one
    file, that file cut to its first ``max_papers`` papers (so a preview stays quick)."""
    limit = 1 if shape == "per-paper" else max_papers
    return plan_export(lib, selection, shape, limit=limit).preview


def plan_items(
    items: Sequence[tuple[Paper, Annotations]],
    shape: str = "single",
    *,
    file_name: str = DEFAULT_FILE_NAME,
    title: str = DEFAULT_TITLE,
) -> ExportPlan:
    """Render ``(paper, annotations)`` pairs as an export plan (pure: no library, no disk)."""
    if shape not in SHAPES:
        raise ValueError(f"unknown export shape {shape!r}; use one of {', '.join(SHAPES)}")
    highlights = sum(len(a.highlights) for _, a in items)
    notes = sum(
        bool(a.note.strip()) + sum(bool(h.note.strip()) for h in a.highlights) for _, a in items
    )
    if shape == "single":
        inside(Path("."), file_name)  # refuse names with folders or ".." up front
        files: tuple[ExportFile, ...] = (
            ExportFile(file_name, render_single(items, title), tuple(p.id for p, _ in items)),
        )
    else:
        names = unique_names([(int(p.id), p.title) for p, _ in items])
        files = tuple(
            ExportFile(names[int(p.id)], render_paper_file(p, a), (p.id,)) for p, a in items
        )
    return ExportPlan(shape, files, len(items), highlights, notes)


# -- rendering ----------------------------------------------------------------------------------
def paper_status(paper: Paper) -> str:
    """One word for the triage state: archived, queued, read or unread."""
    if paper.archived:
        return "archived"
    if paper.queued:
        return "queued"
    return "read" if paper.is_read else "unread"


# Printable in YAML 1.1 and 1.2, minus U+2028/U+2029, which YAML 1.1 reads as line breaks.
_YAML_SAFE = re.compile(
    r"[\t\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]"
)


def yaml_string(text: str) -> str:
    """``text`` as a double-quoted YAML scalar that any YAML 1.1/1.2 parser reads back exactly."""
    out = ['"']
    for ch in text:
        if ch == '"':
            out.append('\\"')
        elif ch == "\\":
            out.append("\\\\")
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\t":
            out.append("\\t")
        elif _YAML_SAFE.fullmatch(ch):
            out.append(ch)
        elif ord(ch) <= 0xFF:
            out.append(f"\\x{ord(ch):02x}")
        elif ord(ch) <= 0xFFFF:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(f"\\U{ord(ch):08x}")
    out.append('"')
    return "".join(out)


def _yaml_list(key: str, values: Sequence[str]) -> list[str]:
    if not values:
        return [f"{key}: []"]
    return [f"{key}:"] + [f"  - {yaml_string(v)}" for v in values]


def _iso_date(text: str) -> bool:
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return False
    try:
        dt.date.fromisoformat(text)
    except ValueError:
        return False
    return True


def front_matter(paper: Paper, ann: Annotations) -> str:
    """The YAML front matter of a per-paper file (between ``---`` lines)."""
    published = paper.published
    if published and _iso_date(published):
        published_yaml = published  # a YAML date, which notes apps show as one
    else:
        published_yaml = yaml_string(collapse_space(published)) if published else "null"
    lines = [
        "---",
        f"id: {int(paper.id)}",
        f"title: {yaml_string(collapse_space(paper.title))}",
        f"published: {published_yaml}",
        *_yaml_list("digests", [collapse_space(n) for n in paper.digest_names]),
        *_yaml_list("tags", [collapse_space(t) for t in ann.tags]),
        f"status: {paper_status(paper)}",
        f"starred: {'true' if paper.starred else 'false'}",
        f"exported_by: {EXPORTED_BY}",
        "---",
    ]
    return "\n".join(lines) + "\n"


def _metadata(paper: Paper, ann: Annotations) -> list[str]:
    items: list[tuple[str, str]] = []
    if paper.published:
        text = escape_inline(paper.published)
        if paper.published_year_inferred:
            text += " (year inferred)"
        items.append(("Published", text))
    if paper.authors_count:
        items.append(("Authors", str(paper.authors_count)))
    if paper.submitter:
        items.append(("Submitted by", escape_inline(paper.submitter)))
    if paper.upvotes:
        items.append(("Upvotes", str(paper.upvotes)))
    if paper.sightings:
        digests = [
            escape_inline(s.digest_name)
            + (f" ({escape_inline(s.digest_date)})" if s.digest_date else "")
            for s in paper.sightings
        ]
        items.append(("Digests" if len(digests) > 1 else "Digest", ", ".join(digests)))
    state = [paper_status(paper)] + (["starred"] if paper.starred else [])
    items.append(("Status", ", ".join(state)))
    if ann.tags:
        items.append(("Tags", ", ".join(escape_inline(t) for t in ann.tags)))
    items.append(("Paper id", str(int(paper.id))))
    return [f"- **{label}:** {value}" for label, value in items]


def _reading_order(highlights: Sequence[Highlight]) -> list[Highlight]:
    return sorted(highlights, key=lambda h: (h.field != "title", h.start, h.end, int(h.id)))


def _highlight_block(h: Highlight, note_level: int) -> list[str]:
    label = HIGHLIGHT_COLORS.get(h.color, h.color)
    attribution = f"— *{escape_inline(label)}* ({escape_inline(h.color)})"
    if h.field == "title":
        attribution += ", in the title"
    if h.orphaned:
        attribution += " · **orphaned**: this passage is no longer in the paper's text"
    quote = escape_inline(h.quote) or "(empty quote)"
    lines = [f"> {quote}", ">", f"> {attribution}", ""]
    note = embed_note(h.note, note_level) if h.note.strip() else ""
    if note:
        lines += [note, ""]
    return lines


def render_paper(paper: Paper, ann: Annotations, level: int) -> str:
    """One paper's section: heading at ``level``, metadata, abstract, highlights, then note."""
    sub = "#" * (level + 1)
    title = escape_inline(paper.title) or "(untitled)"
    lines = ["#" * level + " " + title, "", *_metadata(paper, ann), ""]
    abstract = escape_inline(paper.abstract)
    if abstract:
        lines += [f"{sub} Abstract", "", abstract, ""]
    if ann.highlights:
        lines += [f"{sub} Highlights", ""]
        for h in _reading_order(ann.highlights):
            lines += _highlight_block(h, level + 2)
    note = embed_note(ann.note, level + 2) if ann.note.strip() else ""
    if note:
        lines += [f"{sub} Note", "", note, ""]
    return "\n".join(lines)


def render_paper_file(paper: Paper, ann: Annotations) -> str:
    """A per-paper file: YAML front matter, then the paper at heading level 1."""
    return front_matter(paper, ann) + "\n" + render_paper(paper, ann, 1)


def heading_slug(text: str, used: dict[str, int]) -> str:
    """The anchor GitHub gives a heading with plain text ``text`` (``used`` counts repeats)."""
    slug = "".join(
        ch
        for ch in collapse_space(text).lower()
        if ch in " -_" or unicodedata.category(ch)[0] in "LNM"
    ).replace(" ", "-")
    n = used.get(slug, 0)
    used[slug] = n + 1
    return slug if n == 0 else f"{slug}-{n}"


def render_single(items: Sequence[tuple[Paper, Annotations]], title: str = DEFAULT_TITLE) -> str:
    """One Markdown file: front matter, a title, a contents list, then every paper."""
    highlights = sum(len(a.highlights) for _, a in items)
    head = [
        "---",
        f"title: {yaml_string(collapse_space(title))}",
        f"papers: {len(items)}",
        f"highlights: {highlights}",
        f"exported_by: {EXPORTED_BY}",
        "---",
        "",
        f"# {escape_inline(title)}",
        "",
        f"{_count(len(items), 'paper')}, {_count(highlights, 'highlight')}.",
        "",
    ]
    if not items:
        return "\n".join(head)
    used: dict[str, int] = {}
    for fixed in (title, "Contents"):
        heading_slug(fixed, used)
    contents = ["## Contents", ""]
    sections: list[str] = []
    for n, (paper, ann) in enumerate(items, 1):
        plain = collapse_space(paper.title) or "(untitled)"
        anchor = heading_slug(plain, used)
        for sub in ("Abstract", "Highlights", "Note"):
            if _has_section(paper, ann, sub):
                heading_slug(sub, used)  # later repeats of a heading get -1, -2, ...
        extra = f" — {_count(len(ann.highlights), 'highlight')}" if ann.highlights else ""
        contents.append(f"{n}. [{escape_inline(plain)}](#{anchor}){extra}")
        sections.append(render_paper(paper, ann, 2))
    return "\n".join(head + contents + [""]) + "\n" + "\n".join(sections)


def _has_section(paper: Paper, ann: Annotations, name: str) -> bool:
    if name == "Abstract":
        return bool(collapse_space(paper.abstract))
    if name == "Highlights":
        return bool(ann.highlights)
    return bool(ann.note.strip())


# -- writing ------------------------------------------------------------------------------------
def _front_matter_id(path: Path) -> int | None:
    """The paper id in the front matter of a file this exporter wrote, else None."""
    try:
        with open(path, encoding="utf-8", errors="replace") as fh:
            head = fh.read(4096)
            if "\n---" not in head[3:]:
                head += fh.read(_FRONT_MATTER_READ)
    except OSError:
        return None
    if not head.startswith("---\n"):
        return None
    end = head.find("\n---", 3)
    block = head[4:end] if end >= 0 else ""
    if not re.search(rf"^exported_by:\s*[\"']?{EXPORTED_BY}[\"']?\s*$", block, re.MULTILINE):
        return None
    found = re.search(r"^id:\s*[\"']?(\d+)[\"']?\s*$", block, re.MULTILINE)
    return int(found.group(1)) if found else -1


def _ours(path: Path) -> bool:
    return _front_matter_id(path) is not None


def _prepare_folder(folder: Path) -> None:
    if folder.exists() and not folder.is_dir():
        raise ExportError(f"cannot export to {folder}: it is a file, not a folder")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ExportError(f"cannot create the folder {folder}: {exc.strerror or exc}") from exc
    if not os.access(folder, os.W_OK | os.X_OK):
        raise ExportError(f"cannot write in the folder {folder}: permission denied")


def _existing_by_id(folder: Path) -> dict[int, list[str]]:
    found: dict[int, list[str]] = {}
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError:
        return found
    for entry in entries:
        if entry.name.endswith(".md") and not entry.name.startswith(".") and entry.is_file():
            pid = _front_matter_id(Path(entry.path))
            if pid is not None and pid >= 0:
                found.setdefault(pid, []).append(entry.name)
    return found


def _resolve_targets(plan: ExportPlan, folder: Path) -> list[tuple[ExportFile, str]]:
    """Final names: a planned name taken by someone else's file gets the paper id added."""
    if plan.shape == "single":
        only = plan.files[0]
        target = inside(folder, only.path)
        if target.exists() and (target.is_dir() or not _ours(target)):
            raise ExportError(
                f"{target} already exists and was not written by Digest Desk; "
                "choose another name or move that file away"
            )
        return [(only, only.path)]
    planned_ids = {int(pid) for f in plan.files for pid in f.paper_ids}
    taken = {name_key(f.path) for f in plan.files}

    def usable(name: str, pid: int) -> bool:
        """Free, or an export file of this paper or of one this export rewrites anyway."""
        target = inside(folder, name)
        if not target.exists():
            return True
        owner = _front_matter_id(target) if target.is_file() else None
        return owner is not None and (owner == pid or owner in planned_ids)

    out: list[tuple[ExportFile, str]] = []
    for f in plan.files:
        pid = int(f.paper_ids[0])
        name = f.path
        if not usable(name, pid):
            tag = f" (paper {pid}).md"
            stem = safe_stem(name[: -len(".md")], MAX_NAME_CHARS - len(tag))
            for candidate in (stem + tag, f"paper {pid}.md"):
                if name_key(candidate) not in taken and usable(candidate, pid):
                    name = candidate
                    break
            else:
                raise ExportError(
                    f"cannot find a free file name for paper {pid} in {folder}: "
                    f"{f.path!r} belongs to another file"
                )
            taken.add(name_key(name))
        out.append((f, name))
    return out


def _file_mode(target: Path) -> int:
    """The permission bits for a new export file: the old file's, else rw-r--r--."""
    try:
        return target.stat().st_mode & 0o777
    except OSError:
        return 0o644


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return  # Windows cannot open folders; its renames are durable enough
    try:
        with contextlib.suppress(OSError):
            os.fsync(fd)
    finally:
        os.close(fd)


def _remove_quietly(path: str | Path) -> None:
    with contextlib.suppress(OSError):
        os.unlink(path)


def write_export(
    plan: ExportPlan,
    folder: Path | str,
    *,
    progress: ProgressFn | None = None,
    cancel: CancelFn | None = None,
) -> ExportResult:
    """Write a plan into ``folder`` (created if missing), atomically, updating in place.

    Every file is first written to a temporary file in the same folder and fsynced; only
    when all of them are ready do they replace their targets (``os.replace``). On any
    error, or when ``cancel()`` turns true, the temporary files are removed and no target
    has been touched. Files left by earlier exports of the same papers under other names
    (the paper was renamed) are removed afterwards. Files identical to what would be
    written are left alone.
    """
    folder = Path(folder)
    result = ExportResult(folder)
    if not plan.files:
        return result
    _prepare_folder(folder)
    for stale in folder.glob(_TEMP_PREFIX + "*"):
        _remove_quietly(stale)  # left by an export that was killed
    targets = _resolve_targets(plan, folder)
    staged: list[tuple[str, str]] = []  # (temp path, final name)
    total = len(targets)
    current = ""
    try:
        for done, (export_file, name) in enumerate(targets):
            if progress:
                progress(done, total, name)
            if cancel and cancel():
                result.cancelled = True
                break
            data = export_file.content.encode("utf-8")
            target = inside(folder, name)
            try:
                if target.is_file() and target.read_bytes() == data:
                    result.unchanged.append(name)
                    continue
            except OSError:
                pass
            current = name
            fd, temp = tempfile.mkstemp(prefix=_TEMP_PREFIX, suffix=".tmp", dir=folder)
            staged.append((temp, name))
            if hasattr(os, "fchmod"):  # mkstemp makes 0600; keep the mode a file would have
                os.fchmod(fd, _file_mode(target))
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
        if result.cancelled:
            for temp, _ in staged:
                _remove_quietly(temp)
            result.unchanged.clear()
            return result
        for temp, name in staged:
            current = name
            os.replace(temp, inside(folder, name))
            result.written.append(name)
    except OSError as exc:
        for temp, _ in staged:
            _remove_quietly(temp)
        raise ExportError(
            f"cannot write the export in {folder}: {exc.strerror or exc} (writing {current}); "
            + (
                f"{len(result.written)} of {len(staged)} files were already replaced "
                "(each one complete)"
                if result.written
                else "nothing was changed"
            )
        ) from exc
    if plan.shape == "per-paper":
        final = {name_key(name) for _, name in targets}
        existing = _existing_by_id(folder)
        for export_file, _name in targets:
            for old in existing.get(int(export_file.paper_ids[0]), []):
                if name_key(old) not in final:
                    _remove_quietly(folder / old)
                    result.removed.append(old)
    _fsync_dir(folder)
    if progress:
        progress(total, total, "")
    result.written.sort()
    result.unchanged.sort()
    result.removed.sort()
    return result


def export_json(plan: ExportPlan, result: ExportResult) -> dict[str, Any]:
    """A plain dict for ``--json`` output."""
    return {
        "shape": plan.shape,
        "papers": plan.papers,
        "highlights": plan.highlights,
        "notes": plan.notes,
        "folder": str(result.folder),
        "written": result.written,
        "unchanged": result.unchanged,
        "removed": result.removed,
        "cancelled": result.cancelled,
    }
