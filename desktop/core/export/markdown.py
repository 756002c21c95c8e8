"""Export papers with their highlights and notes as Markdown: one file, or one file per paper.

The work is split so every front end can use it: ``plan_export`` reads the library and renders
every file in memory (pure and deterministic: the same library gives byte-identical files);
``render_preview`` is the first file of a plan; ``write_export`` writes a plan atomically into a
folder, updating earlier exports in place. It replaces or removes only files this library's
exports wrote there and nobody changed since (``manifest.py``): a user's copy, another
library's files and an edited export file are never overwritten or deleted.

``plan_export`` reads through the Library, so run it on the thread that owns the Library's
connection (a background worker opens its own); ``write_export`` only touches files, and takes
``progress(done, total, name)`` and ``cancel()`` callbacks for a progress dialog.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import os
import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from desktop.core import temp_files
from desktop.core.export import manifest as manifests
from desktop.core.export.contents_links import (
    LINK_FLAVOURS,
    ObsidianHeadings,
    obsidian_link,
    obsidian_target,
)
from desktop.core.export.export_folder import not_a_folder
from desktop.core.export.markdown_text import collapse_space, embed_note, escape_inline
from desktop.core.export.safe_filename import (
    MAX_NAME_CHARS,
    inside,
    name_key,
    safe_stem,
    unique_names,
)
from desktop.core.library import Library
from desktop.core.links import paper_links
from desktop.core.models import HIGHLIGHT_COLORS, Annotations, Highlight, Paper, PaperId

SHAPES = ("single", "per-paper")
DEFAULT_FILE_NAME = "digest-desk-notes.md"
DEFAULT_TITLE = "Digest Desk notes"
EXPORTED_BY = "digest-desk"
_TEMP_PREFIX = manifests.TEMP_PREFIX
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
    library: str | None = None  # the id of the library it was planned from
    # Where that library keeps the lists of files its exports wrote (None: in the folder).
    manifest_dir: Path | None = None

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
    # Export files the user edited, kept as they are: (kept file, where the new text went or
    # "" when the paper's file now has another name).
    kept: list[tuple[str, str]] = field(default_factory=list)
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
        for old, new in self.kept:
            beside = f"; the new export is in {new}" if new else ""
            text += f"; {old} was edited since it was exported and was kept as it is{beside}"
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
    links: str = "github",
) -> ExportPlan:
    """Render an export in memory: the files it would write, without touching the disk.

    ``limit`` renders only the first papers (for a quick preview). ``links`` is how the
    one-file contents list links to the papers (``github``, ``obsidian`` or ``both``; see
    contents_links.py, whose ``links_for_folder`` picks one for a folder). ``progress(done, total,
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
    plan = plan_items(
        items, shape, file_name=file_name, title=title, library=_library_of(lib), links=links
    )
    data_dir = getattr(lib, "data_dir", None)
    if data_dir is None:
        return plan
    return dataclasses.replace(plan, manifest_dir=Path(data_dir) / manifests.LIBRARY_SUBDIR)


def _library_of(lib: ExportSource) -> str | None:
    """The stable id of the library behind ``lib`` (None for a source without a database)."""
    db = getattr(lib, "db", None)
    if db is None:
        return None
    from desktop.core.store import library_id

    return library_id(db)


def render_preview(
    lib: ExportSource,
    selection: Selection | None = None,
    shape: str = "single",
    *,
    max_papers: int = PREVIEW_PAPERS,
    links: str = "github",
) -> str:
    """The first file an export would write: per paper, the first paper's file; as one
    file, that file cut to its first ``max_papers`` papers (so a preview stays quick)."""
    limit = 1 if shape == "per-paper" else max_papers
    return plan_export(lib, selection, shape, limit=limit, links=links).preview


def plan_items(
    items: Sequence[tuple[Paper, Annotations]],
    shape: str = "single",
    *,
    file_name: str = DEFAULT_FILE_NAME,
    title: str = DEFAULT_TITLE,
    library: str | None = None,
    links: str = "github",
) -> ExportPlan:
    """Render ``(paper, annotations)`` pairs as an export plan (pure: no library, no disk);
    ``library`` is the library's id, written into the front matter; ``links`` the flavour of
    the one-file contents list's links."""
    if shape not in SHAPES:
        raise ValueError(f"unknown export shape {shape!r}; use one of {', '.join(SHAPES)}")
    highlights = sum(len(a.highlights) for _, a in items)
    notes = sum(
        bool(a.note.strip()) + sum(bool(h.note.strip()) for h in a.highlights) for _, a in items
    )
    if shape == "single":
        inside(Path("."), file_name)  # refuse names with folders or ".." up front
        files: tuple[ExportFile, ...] = (
            ExportFile(
                file_name,
                render_single(items, title, library, links),
                tuple(p.id for p, _ in items),
            ),
        )
    else:
        names = unique_names([(int(p.id), p.title) for p, _ in items])
        files = tuple(
            ExportFile(names[int(p.id)], render_paper_file(p, a, library), (p.id,))
            for p, a in items
        )
    return ExportPlan(shape, files, len(items), highlights, notes, library)


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


def _library_line(library: str | None) -> list[str]:
    return [f"library: {library}"] if library else []


def obsidian_tag(name: str) -> str:
    """A tag name as a valid Obsidian (and YAML) tag: white space becomes ``-``, characters
    other than letters, digits, ``_``, ``-`` and ``/`` go, and an all-digit tag gets a ``_``
    in front (``point clouds`` → ``point-clouds``, ``2024`` → ``_2024``)."""
    slug = re.sub(r"\s+", "-", collapse_space(name).strip())
    slug = "".join(ch for ch in slug if ch.isalnum() or ch in "_-/").strip("-/")
    if not slug:
        return "_"
    return "_" + slug if slug.isdigit() else slug


def front_matter(paper: Paper, ann: Annotations, library: str | None = None) -> str:
    """The YAML front matter of a per-paper file (between ``---`` lines)."""
    published = paper.published
    if published and _iso_date(published):
        published_yaml = published  # a YAML date, which notes apps show as one
    else:
        published_yaml = yaml_string(collapse_space(published)) if published else "null"
    lines = [
        "---",
        f"id: {int(paper.id)}",
        f"arxiv_id: {yaml_string(paper.arxiv_id) if paper.arxiv_id else 'null'}",
        *(
            [f"url: {yaml_string(paper_links(paper.arxiv_id, paper.title)['abs'])}"]
            if paper.arxiv_id
            else []
        ),
        f"title: {yaml_string(collapse_space(paper.title))}",
        *(
            _yaml_list("authors", [collapse_space(a) for a in paper.authors])
            if paper.authors
            else []
        ),
        f"published: {published_yaml}",
        *_yaml_list("digests", [collapse_space(n) for n in paper.digest_names]),
        *_yaml_list("tags", list(dict.fromkeys(obsidian_tag(t) for t in ann.tags))),
        *(_yaml_list("tag_names", [collapse_space(t) for t in ann.tags]) if ann.tags else []),
        f"status: {paper_status(paper)}",
        f"starred: {'true' if paper.starred else 'false'}",
        f"exported_by: {EXPORTED_BY}",
        *_library_line(library),
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
    if paper.arxiv_id:
        url = paper_links(paper.arxiv_id, paper.title)["abs"]
        items.append(("arXiv", f"[{escape_inline(paper.arxiv_id)}]({url})"))
    if paper.authors:
        items.append(("Authors", ", ".join(escape_inline(a) for a in paper.authors)))
    elif paper.authors_count:
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


def render_paper(paper: Paper, ann: Annotations, level: int, heading: str | None = None) -> str:
    """One paper's section: heading at ``level`` (the title, or ``heading``), metadata,
    abstract, highlights, then note."""
    sub = "#" * (level + 1)
    title = escape_inline(paper.title if heading is None else heading) or "(untitled)"
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


def render_paper_file(paper: Paper, ann: Annotations, library: str | None = None) -> str:
    """A per-paper file: YAML front matter, then the paper at heading level 1."""
    return front_matter(paper, ann, library) + "\n" + render_paper(paper, ann, 1)


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


def render_single(
    items: Sequence[tuple[Paper, Annotations]],
    title: str = DEFAULT_TITLE,
    library: str | None = None,
    links: str = "github",
) -> str:
    """One Markdown file: front matter, a title, a contents list, then every paper.

    The contents list links to the papers as ``links`` says (contents_links.py): GitHub's
    heading anchors, Obsidian's ``[[#Heading]]`` wiki links, or both side by side.
    """
    if links not in LINK_FLAVOURS:
        raise ValueError(f"unknown link flavour {links!r}; use one of {', '.join(LINK_FLAVOURS)}")
    highlights = sum(len(a.highlights) for _, a in items)
    head = [
        "---",
        f"title: {yaml_string(collapse_space(title))}",
        f"papers: {len(items)}",
        f"highlights: {highlights}",
        f"exported_by: {EXPORTED_BY}",
        *_library_line(library),
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
    obsidian = ObsidianHeadings(collapse_space(title), "Contents")
    contents = ["## Contents", ""]
    sections: list[str] = []
    for n, (paper, ann) in enumerate(items, 1):
        plain = collapse_space(paper.title) or "(untitled)"
        heading = plain if links == "github" else obsidian.heading_for(plain, n)
        anchor = heading_slug(heading, used)
        for sub in ("Abstract", "Highlights", "Note"):
            if _has_section(paper, ann, sub):
                heading_slug(sub, used)  # later repeats of a heading get -1, -2, ...
        extra = f" — {_count(len(ann.highlights), 'highlight')}" if ann.highlights else ""
        github = f"[{escape_inline(heading)}](#{anchor})"
        wiki = obsidian_link(obsidian_target(heading, html_safe=links == "both"))
        entry = {"github": github, "obsidian": wiki, "both": f"{github} · {wiki}"}[links]
        contents.append(f"{n}. {entry}{extra}")
        section = render_paper(paper, ann, 2, heading if heading != plain else None)
        if links != "github":
            obsidian.add_all(section)
        sections.append(section)
    return "\n".join(head + contents + [""]) + "\n" + "\n".join(sections)


def _has_section(paper: Paper, ann: Annotations, name: str) -> bool:
    if name == "Abstract":
        return bool(collapse_space(paper.abstract))
    if name == "Highlights":
        return bool(ann.highlights)
    return bool(ann.note.strip())


# -- writing ------------------------------------------------------------------------------------
def _prepare_folder(folder: Path) -> None:
    problem = not_a_folder(folder, folder)
    if problem:
        raise ExportError(problem)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ExportError(f"cannot create the folder {folder}: {exc.strerror or exc}") from exc
    if not os.access(folder, os.W_OK | os.X_OK):
        raise ExportError(f"cannot write in the folder {folder}: permission denied")


def _without_library_line(data: bytes, library: str | None) -> bytes:
    """The bytes an export made before library ids existed would have had."""
    if not library:
        return data
    return data.replace(f"\nlibrary: {library}\n".encode(), b"\n", 1)


def _is_old_copy_of(target: Path, data: bytes, library: str | None) -> bool:
    """True when ``target`` holds exactly what a pre-manifest export of this text wrote
    (so replacing it loses nothing): an unchanged file of an older version is adopted."""
    try:
        return target.is_file() and target.read_bytes() == _without_library_line(data, library)
    except OSError:
        return False


def _replaceable(manifest: manifests.Manifest, name: str, data: bytes, library: str | None) -> bool:
    state = manifest.state(name)
    return state in ("free", "ours") or (
        state == "foreign" and _is_old_copy_of(manifest.folder / name, data, library)
    )


def _beside(name: str, label: str, n: int) -> str:
    """``Title (label).md``, ``Title (label 2).md``, … within the file name limit."""
    tag = f" ({label}{'' if n == 1 else f' {n}'}).md"
    return (
        safe_stem(name[: -len(".md")] if name.endswith(".md") else name, MAX_NAME_CHARS - len(tag))
        + tag
    )


def _resolve_targets(
    plan: ExportPlan, folder: Path, manifest: manifests.Manifest, kept: list[tuple[str, str]]
) -> list[tuple[ExportFile, str]]:
    """Final names. A planned name held by a file this library did not write, or by one the
    user edited, is left alone: the new file goes beside it (edited ones are listed in
    ``kept``)."""
    if plan.shape == "single":
        only = plan.files[0]
        target = inside(folder, only.path)
        data = only.content.encode("utf-8")
        state = manifest.state(only.path)
        if target.is_dir() or (
            state == "foreign" and not _is_old_copy_of(target, data, plan.library)
        ):
            raise ExportError(
                f"{target} already exists and was not written by Digest Desk for this library; "
                "choose another name or move that file away"
            )
        if state != "edited" or target.read_bytes() == data:
            return [(only, only.path)]
        for n in range(1, 1000):
            name = _beside(only.path, "updated", n)
            if _replaceable(manifest, name, data, plan.library):
                kept.append((only.path, name))
                return [(only, name)]
        raise ExportError(f"cannot find a free file name beside {target}")
    taken = {name_key(f.path) for f in plan.files}
    out: list[tuple[ExportFile, str]] = []
    for f in plan.files:
        pid = int(f.paper_ids[0])
        data = f.content.encode("utf-8")
        name = f.path
        state = manifest.state(name)
        entry = manifest.files.get(name)
        mine = entry is None or entry.paper == pid or state != "ours"
        if state == "ours" and not mine:
            # another paper's file of ours under this name: that paper is renamed in this
            # export (its file is written anew) or it keeps it (then this one goes beside)
            other = entry.paper if entry is not None else None
            mine = other in {int(g.paper_ids[0]) for g in plan.files}
        usable = _replaceable(manifest, name, data, plan.library) and mine
        if state == "edited":
            try:
                usable = (folder / name).read_bytes() == data
            except OSError:
                usable = False
        if not usable:
            tag = f" (paper {pid}).md"
            stem = safe_stem(name[: -len(".md")], MAX_NAME_CHARS - len(tag))
            for candidate in (stem + tag, f"paper {pid}.md"):
                cand_entry = manifest.files.get(candidate)
                if (
                    name_key(candidate) not in taken
                    and _replaceable(manifest, candidate, data, plan.library)
                    and (cand_entry is None or cand_entry.paper == pid)
                ):
                    if state == "edited":
                        kept.append((name, candidate))
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


def _stage(folder: Path, name: str, data: bytes, mode: int) -> str:
    """Write ``data`` to a new temporary file of ours in ``folder``, fsynced; its path."""
    prefix = temp_files.temp_prefix(_TEMP_PREFIX)
    for n in range(1000):
        temp = folder / f"{prefix}{n}-{os.urandom(4).hex()}.tmp"
        try:
            fd = os.open(
                temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o600
            )
        except FileExistsError:
            continue
        break
    else:  # pragma: no cover - a thousand random names taken
        raise OSError(f"no free temporary name in {folder}")
    try:
        if hasattr(os, "fchmod"):  # keep the mode a file would have
            os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
    except BaseException:
        _remove_quietly(temp)
        raise
    return str(temp)


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
    has been touched. Only files this library's exports wrote into the folder and nobody
    changed since are replaced or removed (see manifest.py): a renamed paper's unchanged old
    file is removed; an edited one is kept and listed in ``kept``, as is an edited file at
    the paper's name (the new text then goes beside it). Files identical to what would be
    written are left alone.
    """
    folder = Path(folder)
    result = ExportResult(folder)
    if not plan.files:
        return result
    _prepare_folder(folder)
    manifests.remove_stale_temp(folder)  # left by exports that were killed
    if plan.manifest_dir is not None:
        manifests.remove_stale_temp(plan.manifest_dir)
    manifest = manifests.load(folder, plan.library, plan.manifest_dir)
    targets = _resolve_targets(plan, folder, manifest, result.kept)
    staged: list[tuple[str, str, str]] = []  # (temp path, final name, sha256)
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
            digest = manifests.sha256(data)
            try:
                if target.is_file() and target.read_bytes() == data:
                    result.unchanged.append(name)
                    manifest.files[name] = manifests.Entry(_paper_of(plan, export_file), [digest])
                    continue
            except OSError:
                pass
            current = name
            staged.append((_stage(folder, name, data, _file_mode(target)), name, digest))
        if result.cancelled:
            for temp, _, _ in staged:
                _remove_quietly(temp)
            result.unchanged.clear()
            result.kept.clear()
            return result
        # Record the new hashes before replacing (the old ones still count), so a kill
        # between the renames leaves every file of ours recognisable.
        by_name = {name: f for f, name in targets}
        for _, name, digest in staged:
            old = manifest.files.get(name)
            hashes = [*(old.hashes if old else []), digest]
            manifest.files[name] = manifests.Entry(_paper_of(plan, by_name[name]), hashes)
        current = manifest.path.name
        manifest.save()
        for temp, name, digest in staged:
            current = name
            os.replace(temp, inside(folder, name))
            manifest.files[name].hashes = [digest]
            result.written.append(name)
    except OSError as exc:
        for temp, _, _ in staged:
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
    final = {name_key(name) for _, name in targets}
    for old_name, _ in result.kept:
        manifest.files.pop(old_name, None)  # edited: the user's file now
    if plan.shape == "per-paper":
        for export_file, _name in targets:
            for old_file in manifest.names_of(int(export_file.paper_ids[0])):
                if name_key(old_file) in final:
                    continue
                state = manifest.state(old_file)
                if state == "ours":
                    _remove_quietly(folder / old_file)
                    result.removed.append(old_file)
                elif state == "edited":
                    result.kept.append((old_file, ""))
                manifest.files.pop(old_file, None)
    for name in [n for n in manifest.files if manifest.state(n) == "free"]:
        del manifest.files[name]  # deleted by the user
    try:
        manifest.save()
    except OSError as exc:
        raise ExportError(
            f"the export was written in {folder}, but its list of files could not be saved "
            f"({exc.strerror or exc}); the next export will leave these files alone"
        ) from exc
    _fsync_dir(folder)
    if progress:
        progress(total, total, "")
    result.written.sort()
    result.unchanged.sort()
    result.removed.sort()
    return result


def _paper_of(plan: ExportPlan, export_file: ExportFile) -> int | None:
    return int(export_file.paper_ids[0]) if plan.shape == "per-paper" else None


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
        "kept": [{"file": old, "new": new or None} for old, new in result.kept],
        "cancelled": result.cancelled,
    }
