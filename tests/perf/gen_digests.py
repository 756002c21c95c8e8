"""Generate realistic digest files for N papers, deterministically from a seed.

The text is built from the vocabulary of the bundled ``seeds/``: abstracts and titles come from
word-bigram chains over the seed abstracts and titles, and each paper gets a made-up system name
(such as ``DiskGNN``) built from fragments of the seed titles, so the corpus has both very common
words and a long tail of rare ones. Files are written in the three layouts the parser reads
(page copies, compact copies, paragraphs), about 100 papers per file, and about 5% of papers
reappear in a later digest, as they do in real listings.

``--format jsonl`` writes the same kind of papers as one arXiv metadata snapshot file instead
(JSON lines, one record per line, as ``arxiv-metadata-oai-snapshot.json`` has them: ``id``,
``submitter``, ``authors``, ``title`` and ``abstract`` wrapped in lines, ``comments``,
``journal-ref``, ``doi``, ``categories``, ``versions``, ``update_date``, ``authors_parsed``).
It is streamed: papers are made and written one at a time, so any size fits in memory.

Usage: ``python tests/perf/gen_digests.py --papers 10000 --out DIR [--seed 7] [--verify]``
or ``python tests/perf/gen_digests.py --format jsonl --papers 1000000 --out FILE.jsonl``
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import random
import re
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # run as a script: make `desktop` importable
    sys.path.insert(0, str(ROOT))

from desktop.core.importing.digest_parser import parse_digest, title_key  # noqa: E402

SEEDS = ROOT / "seeds"
LAYOUTS = ("page", "compact", "paragraphs")
# After the first three files (one per layout), layouts are drawn with these weights.
LAYOUT_WEIGHTS = (0.5, 0.25, 0.25)
FIRST_DIGEST = dt.date(2023, 1, 2)
MONTH_ABBR = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
# A reappearing paper is drawn from the papers of this many preceding digests.
REPEAT_WINDOW = 30
TITLE_CHARS = (60, 120)
ABSTRACT_CHARS = (1000, 2000)
MAX_SENTENCE_WORDS = 45
# Words a title does not end on.
DANGLING = frozenset({"a", "an", "and", "at", "by", "for", "from", "in", "of", "on", "the", "to"})
DANGLING |= frozenset({"via", "with", "towards", "through", "using", "under"})
SUBMITTERS = (
    "deepseek-ai DeepSeek",
    "moorcheh Moorcheh.ai",
    "ReactiveAI Reactive AI",
    "google Google",
    "nvidia NVIDIA",
    "allenai Ai2",
)
PAGE_HEADER = (
    "new",
    "Get trending papers in your email inbox!",
    "Subscribe",
    "Daily Papers",
    "byAK and the research community",
)
COMPACT_HEADER = (
    "Get trending papers in your email inbox once a day!",
    "Get trending papers in your email inbox!",
)


@dataclass(frozen=True)
class GenPaper:
    """One distinct generated paper."""

    title: str
    abstract: str
    authors_count: int | None
    submitter: str | None
    published: dt.date
    yearless: bool
    upvotes: int | None


@dataclass(frozen=True)
class ExpectedEntry:
    """What the parser must return for one entry of a generated file."""

    title: str
    abstract: str
    position: int
    authors_count: int | None = None
    submitter: str | None = None
    published: str | None = None
    published_raw: str | None = None
    published_year_inferred: bool = False
    upvotes: int | None = None
    digest_date: str | None = None


@dataclass
class GeneratedFile:
    """One digest file: its name, layout, date and the papers in it (indexes into papers)."""

    name: str
    layout: str
    digest_date: dt.date
    paper_indexes: list[int] = field(default_factory=list)


@dataclass
class Corpus:
    """The generated papers and the digest files that list them."""

    papers: list[GenPaper]
    files: list[GeneratedFile]
    seed: int

    @property
    def sightings(self) -> int:
        """How many entries all files hold together (papers plus reappearances)."""
        return sum(len(f.paper_indexes) for f in self.files)

    def layouts(self) -> dict[str, int]:
        """How many files use each layout."""
        return {name: sum(1 for f in self.files if f.layout == name) for name in LAYOUTS}


class Vocabulary:
    """Word-bigram chains and name fragments learnt from the seed digests."""

    def __init__(self, seeds_dir: Path = SEEDS) -> None:
        titles: list[str] = []
        abstracts: list[str] = []
        for path in sorted(seeds_dir.glob("*.txt")):
            parsed = parse_digest(path.read_text(encoding="utf-8"), dt.date(2026, 11, 22))
            for entry in parsed.entries:
                titles.append(entry.title)
                abstracts.append(entry.abstract)
        if not abstracts:
            raise ValueError(f"no papers in {seeds_dir}")
        self.abstract_next: dict[str, list[str]] = {}
        self.sentence_starts: list[str] = []
        for text in abstracts:
            words = text.split()
            self.sentence_starts.append(words[0])
            for prev, word in zip(words, words[1:], strict=False):
                self.abstract_next.setdefault(prev, []).append(word)
                if prev.endswith(".") and word[:1].isupper():
                    self.sentence_starts.append(word)
        self.title_next: dict[str, list[str]] = {}
        self.title_starts: list[str] = []
        self.title_words: list[str] = []
        pieces: list[str] = []
        for title in titles:
            name, sep, rest = title.partition(": ")
            if sep and " " not in name:
                pieces.extend(re.findall(r"[A-Z][a-z]+|[A-Z0-9]+(?![a-z])", name))
            words = (rest if sep else title).split()
            self.title_starts.append(words[0])
            self.title_words.extend(words)
            for prev, word in zip(words, words[1:], strict=False):
                self.title_next.setdefault(prev, []).append(word)
            for word in words:
                if word.isalpha() and word[:1].isupper() and 4 <= len(word) <= 9:
                    pieces.append(word)
        self.name_pieces = list(dict.fromkeys(pieces))


def _pick(rng: random.Random, items: Sequence[str]) -> str:
    return items[int(rng.random() * len(items))]


def _name(rng: random.Random, vocab: Vocabulary) -> str:
    """A made-up system name such as ``FlashCache`` or ``DiskGNN-3``."""
    parts = [_pick(rng, vocab.name_pieces), _pick(rng, vocab.name_pieces)]
    if rng.random() < 0.3:
        parts.append(_pick(rng, vocab.name_pieces))
    name = "".join(parts)
    if rng.random() < 0.2:
        name += f"-{rng.randint(1, 9)}"
    return name


def _sentence(rng: random.Random, vocab: Vocabulary, first: str) -> list[str]:
    words = [first]
    while not words[-1].endswith(".") or len(words) < 6:
        successors = vocab.abstract_next.get(words[-1])
        if not successors or len(words) >= MAX_SENTENCE_WORDS:
            break
        words.append(_pick(rng, successors))
    if not words[-1].endswith("."):
        words[-1] = words[-1].rstrip(",;:") + "."
    return words


def _abstract(rng: random.Random, vocab: Vocabulary, name: str | None) -> str:
    target = int(rng.triangular(ABSTRACT_CHARS[0], ABSTRACT_CHARS[1], 1500))
    sentences: list[str] = []
    total = 0
    while total < target:
        if name is not None and len(sentences) == 1:
            words = _sentence(rng, vocab, "a")
            text = f"We propose {name}, " + " ".join(words)
        else:
            text = " ".join(_sentence(rng, vocab, _pick(rng, vocab.sentence_starts)))
        if total + len(text) + 1 > ABSTRACT_CHARS[1] and total >= ABSTRACT_CHARS[0]:
            break
        sentences.append(text)
        total += len(text) + 1
    return " ".join(sentences)


def _title(rng: random.Random, vocab: Vocabulary, name: str | None) -> str:
    target = rng.randint(*TITLE_CHARS)
    prefix = f"{name}: " if name is not None else ""
    words = [_pick(rng, vocab.title_starts)]
    length = len(prefix) + len(words[0])
    while length < target:
        successors = vocab.title_next.get(words[-1])
        word = _pick(rng, successors) if successors else _pick(rng, vocab.title_words)
        words.append(word)
        length += len(word) + 1
    while len(words) > 3 and words[-1].lower().rstrip(",:") in DANGLING:
        words.pop()
    text = prefix + " ".join(words)
    return text[0].upper() + text[1:]


def _paper(rng: random.Random, vocab: Vocabulary, digest_date: dt.date) -> GenPaper:
    name = _name(rng, vocab) if rng.random() < 0.85 else None
    in_title = name if name is not None and rng.random() < 0.7 else None
    title = _title(rng, vocab, in_title)
    abstract = _abstract(rng, vocab, name)
    submitter = _pick(rng, SUBMITTERS) if rng.random() < 0.05 else None
    authors = None if submitter else min(200, 1 + int(rng.expovariate(1 / 6)))
    age = rng.randint(0, 300) if rng.random() < 0.6 else rng.randint(0, 1500)
    upvotes = rng.randint(1, 80) if rng.random() < 0.3 else None
    return GenPaper(
        title=title,
        abstract=abstract,
        authors_count=authors,
        submitter=submitter,
        published=digest_date - dt.timedelta(days=age),
        yearless=rng.random() < 0.25,
        upvotes=upvotes,
    )


def build_corpus(
    papers: int,
    *,
    seed: int = 7,
    per_file: int = 100,
    repeat_rate: float = 0.05,
    seeds_dir: Path = SEEDS,
) -> Corpus:
    """Build (in memory) ``papers`` distinct papers spread over digests of ~``per_file``."""
    rng = random.Random(seed)
    vocab = Vocabulary(seeds_dir)
    out: list[GenPaper] = []
    files: list[GeneratedFile] = []
    seen_keys: set[str] = set()
    while len(out) < papers:
        index = len(files)
        layout = LAYOUTS[index] if index < len(LAYOUTS) else rng.choices(LAYOUTS, LAYOUT_WEIGHTS)[0]
        digest_date = FIRST_DIGEST + dt.timedelta(days=index)
        name = f"{index:05d}_{hashlib.sha256(f'{seed}:{index}'.encode()).hexdigest()[:16]}.txt"
        current = GeneratedFile(name, layout, digest_date)
        repeats: list[int] = []
        if files:
            window = [i for f in files[-REPEAT_WINDOW:] for i in f.paper_indexes]
            wanted = sum(1 for _ in range(per_file) if rng.random() < repeat_rate)
            for _ in range(wanted):
                candidate = window[int(rng.random() * len(window))]
                if candidate not in repeats:
                    repeats.append(candidate)
        fresh = min(per_file - len(repeats), papers - len(out))
        for _ in range(fresh):
            while True:
                paper = _paper(rng, vocab, digest_date)
                key = title_key(paper.title)
                if key not in seen_keys:
                    break
            seen_keys.add(key)
            current.paper_indexes.append(len(out))
            out.append(paper)
        for paper_index in repeats:
            where = rng.randint(0, len(current.paper_indexes))
            current.paper_indexes.insert(where, paper_index)
        files.append(current)
    return Corpus(out, files, seed)


def _date_raw(day: dt.date, with_year: bool = True) -> str:
    month = MONTH_ABBR[day.month - 1]
    return f"{month} {day.day}, {day.year}" if with_year else f"{month} {day.day}"


def _shows_year(paper: GenPaper, digest_date: dt.date) -> bool:
    # A year-less date is only believable (and inferable) for a paper under ~11 months old.
    return not (paper.yearless and (digest_date - paper.published).days < 330)


def expected_entries(corpus: Corpus, file: GeneratedFile) -> list[ExpectedEntry]:
    """The entries the parser must recover from ``file``, in order."""
    out: list[ExpectedEntry] = []
    for position, paper_index in enumerate(file.paper_indexes, start=1):
        paper = corpus.papers[paper_index]
        if file.layout == "compact":
            out.append(ExpectedEntry(paper.title, paper.abstract, position))
            continue
        if file.layout == "paragraphs":
            out.append(
                ExpectedEntry(
                    paper.title, paper.abstract, position, digest_date=file.digest_date.isoformat()
                )
            )
            continue
        raw = _date_raw(paper.published, _shows_year(paper, file.digest_date))
        if paper.upvotes is not None:
            raw += f" {paper.upvotes}"
        out.append(
            ExpectedEntry(
                paper.title,
                paper.abstract,
                position,
                authors_count=paper.authors_count,
                submitter=paper.submitter,
                published=paper.published.isoformat(),
                published_raw=raw,
                published_year_inferred=not _shows_year(paper, file.digest_date),
                upvotes=paper.upvotes,
                digest_date=file.digest_date.isoformat(),
            )
        )
    return out


def render(corpus: Corpus, file: GeneratedFile) -> str:
    """The text of one digest file, as a browser copy of the listing would give it."""
    entries = expected_entries(corpus, file)
    if file.layout == "compact":
        lines = list(COMPACT_HEADER)
        for n, entry in enumerate(entries):
            # The first title is glued to the "Subscribe" button's text, as browsers copy it.
            lines.append(("Subscribe" if n == 0 else "") + entry.title)
            lines.append(entry.abstract)
        return "\n".join(lines) + "\n"
    blocks = [*PAGE_HEADER, _date_raw(file.digest_date)]
    for entry, paper_index in zip(entries, file.paper_indexes, strict=True):
        blocks.append(entry.title)
        blocks.append(entry.abstract)
        if file.layout == "page":
            paper = corpus.papers[paper_index]
            meta = paper.submitter or f"  • {paper.authors_count} authors"
            blocks.append(f"{meta}\n·\n{entry.published_raw}")
    return "\n\n".join(blocks) + "\n"


def write_corpus(corpus: Corpus, out_dir: Path) -> list[Path]:
    """Write every digest file of ``corpus`` into ``out_dir``; return their paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for file in corpus.files:
        path = out_dir / file.name
        path.write_text(render(corpus, file), encoding="utf-8")
        paths.append(path)
    return paths


def generate(out_dir: Path, papers: int, *, seed: int = 7) -> Corpus:
    """Build and write a corpus of ``papers`` distinct papers into ``out_dir``."""
    corpus = build_corpus(papers, seed=seed)
    write_corpus(corpus, out_dir)
    return corpus


def verify(corpus: Corpus, out_dir: Path, today: dt.date | None = None) -> list[str]:
    """Parse every written file and list each difference from what was generated."""
    problems: list[str] = []
    for file in corpus.files:
        text = (out_dir / file.name).read_text(encoding="utf-8")
        parsed = parse_digest(text, today or dt.date(2026, 11, 22))
        if parsed.layout != file.layout:
            problems.append(f"{file.name}: layout {parsed.layout}, expected {file.layout}")
        if parsed.skipped:
            problems.append(f"{file.name}: skipped {parsed.skipped[:2]}")
        expected = expected_entries(corpus, file)
        if len(parsed.entries) != len(expected):
            problems.append(f"{file.name}: {len(parsed.entries)} entries, expected {len(expected)}")
        for got, want in zip(parsed.entries, expected, strict=False):
            got_fields = ExpectedEntry(
                got.title,
                got.abstract,
                got.position,
                got.authors_count,
                got.submitter,
                got.published,
                got.published_raw,
                got.published_year_inferred,
                got.upvotes,
                got.digest_date,
            )
            if got_fields != want:
                problems.append(f"{file.name}: entry {want.position} differs: {got_fields}")
    return problems


# -- the arXiv metadata snapshot (JSON lines) -------------------------------------------------
FIRST_NAMES = (
    "Wei",
    "Yuki",
    "Anna",
    "Rahul",
    "Maria",
    "Jun",
    "Olga",
    "David",
    "Li",
    "Sara",
    "Ahmed",
    "Chen",
    "Elena",
    "Tomás",
    "Priya",
    "Kenji",
    "Fatima",
    "Lukas",
    "Mei",
    "Jonas",
    "Amara",
    "Pierre",
    "Hye-jin",
    "Ivan",
    "Sofía",
    "Arjun",
    "Noah",
    "Zhang",
    "Ingrid",
    "Mateo",
)
LAST_NAMES = (
    "Wang",
    "Li",
    "Müller",
    "Smith",
    "García",
    "Tanaka",
    "Kumar",
    "Kim",
    "Ivanov",
    "Rossi",
    "Nguyen",
    "Schmidt",
    "Chen",
    "Dubois",
    "Silva",
    "Johansson",
    "Novak",
    "Haddad",
    "Okafor",
    "Zhao",
    "Liu",
    "Sato",
    "Patel",
    "Kowalski",
    "Fischer",
    "Andersen",
    "Moreau",
    "Yilmaz",
)
CATEGORIES = (
    "cs.LG",
    "cs.CL",
    "cs.CV",
    "cs.AI",
    "cs.IR",
    "cs.DC",
    "cs.RO",
    "cs.CR",
    "cs.NE",
    "cs.SE",
    "stat.ML",
    "math.OC",
    "eess.SP",
    "q-bio.NC",
    "cs.DB",
    "cs.PF",
)
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
# A snapshot's first paper; ids then run on month by month (YYMM.NNNNN).
FIRST_SNAPSHOT_MONTH = dt.date(2015, 1, 1)
PAPERS_PER_MONTH = 20_000
WRAP = 80


@dataclass(frozen=True)
class SnapshotInfo:
    """What :func:`write_snapshot` wrote."""

    path: Path
    papers: int
    bytes: int
    rare_name: str  # a system name that one paper in the middle of the file introduces


def _wrap(text: str, indent: str) -> str:
    """``text`` wrapped at ~80 columns, as the snapshot's titles and abstracts are."""
    lines: list[str] = []
    current: list[str] = []
    width = 0
    for word in text.split(" "):
        if current and width + len(word) + 1 > WRAP:
            lines.append(" ".join(current))
            current, width = [], 0
        current.append(word)
        width += len(word) + 1
    if current:
        lines.append(" ".join(current))
    return ("\n" + indent).join(lines)


def _snapshot_record(
    rng: random.Random, vocab: Vocabulary, n: int
) -> tuple[dict[str, object], str | None]:
    """The ``n``-th record of a generated snapshot, and the system name it introduces."""
    month_index, number = divmod(n, PAPERS_PER_MONTH)
    year = FIRST_SNAPSHOT_MONTH.year + (FIRST_SNAPSHOT_MONTH.month - 1 + month_index) // 12
    month = (FIRST_SNAPSHOT_MONTH.month - 1 + month_index) % 12 + 1
    created = dt.date(year, month, 1) + dt.timedelta(days=int(rng.random() * 28))
    paper = _paper(rng, vocab, created)
    name = None
    match = re.search(r"We propose ([A-Za-z]+), ", paper.abstract)
    if match:
        name = match.group(1)
    count = min(40, 1 + int(rng.expovariate(1 / 4)))
    people = [(_pick(rng, LAST_NAMES), _pick(rng, FIRST_NAMES)) for _ in range(count)]
    authors = ", ".join(f"{first} {last}" for last, first in people[:-1])
    authors = (authors + " and " if authors else "") + f"{people[-1][1]} {people[-1][0]}"
    primary = _pick(rng, CATEGORIES)
    extra = [_pick(rng, CATEGORIES) for _ in range(int(rng.random() * 3))]
    categories = " ".join(dict.fromkeys([primary, *extra]))
    versions = []
    when = created
    for v in range(1, 2 + int(rng.expovariate(1.5))):
        stamp = f"{WEEKDAYS[when.weekday()]}, {when.day} {MONTH_ABBR[when.month - 1]} {when.year}"
        seconds = int(rng.random() * 86400)
        clock = f"{seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"
        versions.append({"version": f"v{v}", "created": f"{stamp} {clock} GMT"})
        when += dt.timedelta(days=1 + int(rng.random() * 60))
    record: dict[str, object] = {
        "id": f"{year % 100:02d}{month:02d}.{number + 1:05d}",
        "submitter": f"{people[0][1]} {people[0][0]}",
        "authors": authors,
        "title": _wrap(paper.title, "  "),
        "comments": f"{rng.randint(6, 40)} pages, {rng.randint(1, 12)} figures"
        if rng.random() < 0.6
        else None,
        "journal-ref": None,
        "doi": None,
        "report-no": None,
        "categories": categories,
        "license": "http://arxiv.org/licenses/nonexclusive-distrib/1.0/",
        "abstract": "  " + _wrap(paper.abstract, "") + "\n",
        "versions": versions,
        "update_date": (when - dt.timedelta(days=1)).isoformat(),
        "authors_parsed": [[last, first, ""] for last, first in people],
    }
    return record, name


def iter_snapshot_lines(papers: int, *, seed: int = 7) -> Iterator[tuple[str, str | None]]:
    """Each record of a generated snapshot as one JSON line, with the name it introduces."""
    rng = random.Random(seed)
    vocab = Vocabulary()
    for n in range(papers):
        record, name = _snapshot_record(rng, vocab, n)
        yield json.dumps(record, ensure_ascii=False) + "\n", name


def write_snapshot(path: Path, papers: int, *, seed: int = 7) -> SnapshotInfo:
    """Write a snapshot of ``papers`` papers to ``path``, streamed (memory stays flat)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    rare = "musculoskeletal"
    size = 0
    with path.open("w", encoding="utf-8", newline="\n") as out:
        for n, (line, name) in enumerate(iter_snapshot_lines(papers, seed=seed)):
            if name and rare == "musculoskeletal" and n >= papers // 3:
                rare = name
            out.write(line)
    size = path.stat().st_size
    return SnapshotInfo(path, papers, size, rare)


def main(argv: list[str] | None = None) -> int:
    """Command line: generate digest files, optionally verifying them by parsing."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--papers", type=int, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--verify", action="store_true", help="parse every file back and check")
    parser.add_argument(
        "--format",
        choices=("digests", "jsonl"),
        default="digests",
        help="digest text files into the folder --out, or one arXiv snapshot file --out",
    )
    args = parser.parse_args(argv)
    if args.format == "jsonl":
        info = write_snapshot(args.out, args.papers, seed=args.seed)
        print(f"{info.papers} papers, {info.bytes / 2**20:.1f} MiB -> {info.path}")
        return 0
    corpus = generate(args.out, args.papers, seed=args.seed)
    print(
        f"{len(corpus.papers)} papers, {corpus.sightings} entries in {len(corpus.files)} files "
        f"{corpus.layouts()} -> {args.out}"
    )
    if args.verify:
        problems = verify(corpus, args.out)
        for problem in problems[:20]:
            print(problem)
        print("verified: every paper recovered exactly" if not problems else "MISMATCHES")
        return 1 if problems else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
