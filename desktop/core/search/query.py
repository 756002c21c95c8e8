"""The search query language: parse a query string into text terms and state/date filters.

The parser never raises on user input. A query it cannot read strictly (an unbalanced quote or
parenthesis, a lone operator, an unknown field or filter value) degrades to a plain-terms
search over the words it holds, with a short notice saying so.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

# Fields matched through the full-text index.
TEXT_FIELDS = ("title", "abstract", "note", "highlight", "tag", "color", "has")
# Filters answered from SQLite (triage state changes too often to live in the index).
FILTER_FIELDS = ("is", "digest", "year", "after", "before", "in")
FIELD_ALIASES = {"tags": "tag", "notes": "note", "highlights": "highlight", "colour": "color"}
IS_VALUES = ("unread", "read", "queued", "starred", "archived", "snoozed")
HAS_VALUES = ("note", "highlight", "tag")
# in: names a view, the search's scope (``in:queue``, ``in:digest:12``, ``in:tag:ml``).
IN_VALUES = ("inbox", "queue", "starred", "archive", "all", "snoozed", "digest:ID", "tag:NAME")
MAX_QUERY_CHARS = 1000
MAX_TERMS = 64


class QuerySyntaxError(Exception):
    """A query that cannot be read strictly; the message is a short reason for people."""


@dataclass(frozen=True)
class Word:
    """A word (``prefix`` when it ended with ``*``) in a field, or in the default fields."""

    text: str
    field: str | None = None
    prefix: bool = False


@dataclass(frozen=True)
class Phrase:
    """A quoted phrase in a field, or in the default fields."""

    text: str
    field: str | None = None


@dataclass(frozen=True)
class Filter:
    """A state, digest or date filter, answered from SQLite."""

    kind: str
    value: str


@dataclass(frozen=True)
class And:
    """All children must match."""

    children: tuple[Node, ...]


@dataclass(frozen=True)
class Or:
    """Any child may match."""

    children: tuple[Node, ...]


@dataclass(frozen=True)
class Not:
    """The child must not match."""

    child: Node


Node = Word | Phrase | Filter | And | Or | Not


@dataclass
class ParsedQuery:
    """A query split into a text tree (for the index) and a filter tree (for SQLite)."""

    text: Node | None = None
    filters: Node | None = None
    notices: list[str] = field(default_factory=list)
    words: list[str] = field(default_factory=list)  # plain positive words, for suggestions
    degraded: bool = False

    @property
    def empty(self) -> bool:
        """True when there is nothing to search for."""
        return self.text is None and self.filters is None


# -- tokenizing --------------------------------------------------------------------------------
_TOKEN_RE = re.compile(
    r"""
    (?P<space>\s+)
  | (?P<lparen>\()
  | (?P<rparen>\))
  | (?P<fieldphrase>(?P<fpname>[A-Za-z]+):"(?P<fptext>[^"]*)(?P<fpclose>"?))
  | (?P<phrase>"(?P<ptext>[^"]*)(?P<pclose>"?))
  | (?P<word>[^\s()"]+)
    """,
    re.VERBOSE,
)
_WORD_CHARS = re.compile(r"\w+", re.UNICODE)


@dataclass(frozen=True)
class _Tok:
    kind: str  # lparen rparen or and not minus word phrase
    text: str = ""
    field: str | None = None


def _tokenize(query: str) -> list[_Tok]:
    toks: list[_Tok] = []
    for m in _TOKEN_RE.finditer(query):
        if m.group("space"):
            continue
        if m.group("lparen"):
            toks.append(_Tok("lparen"))
        elif m.group("rparen"):
            toks.append(_Tok("rparen"))
        elif m.group("fieldphrase"):
            if not m.group("fpclose"):
                raise QuerySyntaxError("a quote is not closed")
            toks.append(_Tok("phrase", m.group("fptext"), _field_name(m.group("fpname"))))
        elif m.group("phrase"):
            if not m.group("pclose"):
                raise QuerySyntaxError("a quote is not closed")
            toks.append(_Tok("phrase", m.group("ptext")))
        elif m.group("word") == "-" and query[m.end() : m.end() + 1] in ('"', "("):
            toks.append(_Tok("not"))  # -"a phrase" or -(a group)
        else:
            toks.extend(_word_tokens(m.group("word")))
    return toks


def _field_name(raw: str) -> str:
    name = raw.lower()
    name = FIELD_ALIASES.get(name, name)
    if name not in TEXT_FIELDS and name not in FILTER_FIELDS:
        raise QuerySyntaxError(f"unknown field {raw}:")
    return name


def _word_tokens(raw: str) -> list[_Tok]:
    if raw in ("OR", "||"):
        return [_Tok("or")]
    if raw in ("AND", "&&"):
        return [_Tok("and")]
    if raw == "NOT":
        return [_Tok("not")]
    if raw == "-":
        raise QuerySyntaxError("a lone '-' has nothing to exclude")
    negated = False
    if raw.startswith("-") and len(raw) > 1:
        negated = True
        raw = raw[1:]
    fieldname: str | None = None
    name, sep, value = raw.partition(":")
    if sep and name and value and re.fullmatch(r"[A-Za-z]+", name):
        fieldname = _field_name(name)
        raw = value
    elif sep and not value:
        raw = name  # "DiskGNN:" pasted from a title is just the word
    word = _Tok("word", raw, fieldname)
    return [_Tok("not"), word] if negated else [word]


# -- parsing -----------------------------------------------------------------------------------
class _Parser:
    def __init__(self, toks: list[_Tok]) -> None:
        self.toks = toks
        self.pos = 0

    def peek(self) -> _Tok | None:
        return self.toks[self.pos] if self.pos < len(self.toks) else None

    def take(self) -> _Tok:
        tok = self.toks[self.pos]
        self.pos += 1
        return tok

    def parse(self) -> Node | None:
        if not self.toks:
            return None
        node = self.and_expr()
        if self.peek() is not None:
            raise QuerySyntaxError("a closing parenthesis has no opening one")
        return node

    # OR binds tighter than the implicit AND, as in web search: `a b OR c` is a AND (b OR c).
    def and_expr(self) -> Node:
        parts: list[Node] = []
        while (tok := self.peek()) is not None and tok.kind != "rparen":
            if tok.kind == "and":
                self.take()
                nxt = self.peek()
                if not parts or nxt is None or nxt.kind in ("or", "and", "rparen"):
                    raise QuerySyntaxError("AND needs a term on both sides")
                continue
            if tok.kind == "or":
                raise QuerySyntaxError("OR needs a term on both sides")
            parts.append(self.or_expr())
        if not parts:
            raise QuerySyntaxError("empty parentheses")
        return parts[0] if len(parts) == 1 else And(tuple(parts))

    def or_expr(self) -> Node:
        parts = [self.unary()]
        while (tok := self.peek()) is not None and tok.kind == "or":
            self.take()
            nxt = self.peek()
            if nxt is None or nxt.kind in ("or", "and", "rparen"):
                raise QuerySyntaxError("OR needs a term on both sides")
            parts.append(self.unary())
        return parts[0] if len(parts) == 1 else Or(tuple(parts))

    def unary(self) -> Node:
        tok = self.take()
        if tok.kind == "not":
            nxt = self.peek()
            if nxt is None or nxt.kind in ("or", "and", "rparen"):
                raise QuerySyntaxError("NOT needs a term after it")
            return Not(self.unary())
        if tok.kind == "lparen":
            if (nxt := self.peek()) is not None and nxt.kind == "rparen":
                raise QuerySyntaxError("empty parentheses")
            node = self.and_expr()
            closing = self.peek()
            if closing is None or closing.kind != "rparen":
                raise QuerySyntaxError("a parenthesis is not closed")
            self.take()
            return node
        if tok.kind == "rparen":
            raise QuerySyntaxError("a closing parenthesis has no opening one")
        if tok.kind == "phrase":
            return _leaf(tok.text, tok.field, phrase=True)
        return _leaf(tok.text, tok.field, phrase=False)


def _leaf(text: str, fieldname: str | None, *, phrase: bool) -> Node:
    if fieldname in FILTER_FIELDS:
        assert fieldname is not None
        return Filter(fieldname, _check_filter(fieldname, text.strip()))
    if fieldname == "has":
        value = text.strip().lower()
        value = {"notes": "note", "highlights": "highlight", "tags": "tag"}.get(value, value)
        if value not in HAS_VALUES:
            raise QuerySyntaxError(f"has: takes {', '.join(HAS_VALUES)}")
        return Word(value, "has")
    if phrase:
        if not _WORD_CHARS.search(text):
            raise QuerySyntaxError("an empty phrase")
        return Phrase(text, fieldname)
    prefix = text.endswith("*")
    core = text.rstrip("*").replace("*", "")
    if not _WORD_CHARS.search(core):
        raise QuerySyntaxError(f"{text!r} holds no word")
    return Word(core, fieldname, prefix)


def parse_date(value: str, *, end: bool = False) -> str:
    """An ISO date from ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` (start of that span)."""
    parts = value.split("-")
    try:
        if len(parts) == 1 and len(parts[0]) == 4:
            day = dt.date(int(parts[0]), 1, 1)
        elif len(parts) == 2 and len(parts[0]) == 4:
            day = dt.date(int(parts[0]), int(parts[1]), 1)
        elif len(parts) == 3 and len(parts[0]) == 4:
            day = dt.date(int(parts[0]), int(parts[1]), int(parts[2]))
        else:
            raise ValueError(value)
    except ValueError as exc:
        raise QuerySyntaxError(f"{value!r} is not a date (use 2025-01-31)") from exc
    return day.isoformat()


def _check_filter(kind: str, value: str) -> str:
    if not value:
        raise QuerySyntaxError(f"{kind}: needs a value")
    if kind == "is":
        value = value.lower()
        if value not in IS_VALUES:
            raise QuerySyntaxError(f"is: takes {', '.join(IS_VALUES)}")
        return value
    if kind == "year":
        if not re.fullmatch(r"\d{4}", value):
            raise QuerySyntaxError("year: takes a year such as 2024")
        return value
    if kind in ("after", "before"):
        return parse_date(value)
    if kind == "in":
        return _check_view(value)
    return value  # digest


def _check_view(value: str) -> str:
    """The view an ``in:`` filter names, spelled as the views are (``tag:`` keeps its case)."""
    prefix, sep, key = value.partition(":")
    prefix = prefix.lower()
    if not sep and prefix in IN_VALUES:
        return prefix
    if sep and key and (prefix == "tag" or (prefix == "digest" and key.isdigit())):
        return f"{prefix}:{key}"
    raise QuerySyntaxError(f"in: takes {', '.join(IN_VALUES)}")


# -- splitting text from filters -----------------------------------------------------------------
def _holds(node: Node, kinds: tuple[type[Node], ...]) -> bool:
    """Whether ``node`` or a node under it is one of ``kinds`` (Filter; Word, Phrase)."""
    if isinstance(node, kinds):
        return True
    if isinstance(node, And | Or):
        return any(_holds(c, kinds) for c in node.children)
    if isinstance(node, Not):
        return _holds(node.child, kinds)
    return False


def _strip_filters(node: Node, hoisted: list[Node]) -> Node | None:
    """Remove filter leaves from a mixed subtree, collecting them to AND at the top."""
    if isinstance(node, Filter):
        hoisted.append(node)
        return None
    if isinstance(node, And | Or):
        kids = [k for c in node.children if (k := _strip_filters(c, hoisted)) is not None]
        if not kids:
            return None
        return kids[0] if len(kids) == 1 else type(node)(tuple(kids))
    if isinstance(node, Not):
        inner = _strip_filters(node.child, hoisted)
        return Not(inner) if inner is not None else None
    return node


def _combine(parts: list[Node]) -> Node | None:
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else And(tuple(parts))


def _positive_words(node: Node | None, out: list[str]) -> None:
    if isinstance(node, Word) and node.field in (None, "title", "abstract") and not node.prefix:
        out.append(node.text)
    elif isinstance(node, Phrase) and node.field in (None, "title", "abstract"):
        out.extend(_WORD_CHARS.findall(node.text))
    elif isinstance(node, And | Or):
        for child in node.children:
            _positive_words(child, out)


def _count_leaves(node: Node) -> int:
    if isinstance(node, And | Or):
        return sum(_count_leaves(c) for c in node.children)
    if isinstance(node, Not):
        return _count_leaves(node.child)
    return 1


def split_query(tree: Node | None) -> ParsedQuery:
    """Split a parsed tree into its index part and its SQLite filter part."""
    parsed = ParsedQuery()
    if tree is None:
        return parsed
    conjuncts = list(tree.children) if isinstance(tree, And) else [tree]
    text_parts: list[Node] = []
    filter_parts: list[Node] = []
    for part in conjuncts:
        has_f, has_t = _holds(part, (Filter,)), _holds(part, (Word, Phrase))
        if has_f and has_t:
            hoisted: list[Node] = []
            stripped = _strip_filters(part, hoisted)
            if stripped is not None:
                text_parts.append(stripped)
            filter_parts.extend(hoisted)
            parsed.notices.append("filters inside OR or NOT apply to the whole query")
        elif has_f:
            filter_parts.append(part)
        else:
            text_parts.append(part)
    parsed.text = _combine(text_parts)
    parsed.filters = _combine(filter_parts)
    _positive_words(parsed.text, parsed.words)
    return parsed


_SCOPE_RE = re.compile(r'(?:^|(?<=\s))in:([^\s()"]+)')


def plain_terms(query: str) -> ParsedQuery:
    """The degraded reading of a query: every word in it, all required (at most MAX_TERMS);
    an ``in:`` scope stays a scope."""
    scopes: list[Node] = []
    for m in list(_SCOPE_RE.finditer(query)):
        try:
            scopes.append(Filter("in", _check_view(m.group(1))))
        except QuerySyntaxError:
            continue
        query = query.replace(m.group(0), " ", 1)  # a scope keeps its meaning
    words = [w for w in _WORD_CHARS.findall(query) if w not in ("OR", "AND", "NOT")]
    words = list(dict.fromkeys(words))
    dropped = words[MAX_TERMS:]
    words = words[:MAX_TERMS]
    leaves: list[Node] = [Word(w) for w in words]
    parsed = ParsedQuery(text=_combine(leaves), filters=_combine(scopes), degraded=True)
    parsed.words = list(words)
    if dropped:
        parsed.notices.append(_too_many(" ".join(dropped)))
    return parsed


def _shown(text: str, limit: int = 200) -> str:
    """``text`` quoted for a notice, shortened (saying by how much) past ``limit``."""
    if len(text) <= limit:
        return f"“{text}”"
    return f"“{text[:limit]}…” ({len(text) - limit:,} more characters)"


def _too_many(dropped: str) -> str:
    return f"A search takes at most {MAX_TERMS} terms; ignored {_shown(dropped)}."


def node_text(node: Node) -> str:
    """A query tree written back as query text (for notices)."""
    if isinstance(node, Word):
        text = node.text + ("*" if node.prefix else "")
        return f"{node.field}:{text}" if node.field else text
    if isinstance(node, Phrase):
        return f'{node.field}:"{node.text}"' if node.field else f'"{node.text}"'
    if isinstance(node, Filter):
        return f"{node.kind}:{node.value}"
    if isinstance(node, Not):
        inner = node_text(node.child)
        return f"-({inner})" if isinstance(node.child, And | Or) else f"-{inner}"
    if isinstance(node, Or):
        return " OR ".join(
            f"({node_text(c)})" if isinstance(c, And) else node_text(c) for c in node.children
        )
    return " ".join(
        f"({node_text(c)})" if isinstance(c, Or) else node_text(c) for c in node.children
    )


def limit_terms(tree: Node) -> tuple[Node, list[Node]]:
    """The tree cut to at most MAX_TERMS leaves, and what was dropped.

    Exclusions (top-level ``Not`` parts) are kept first, so nothing excluded comes back; then
    the other parts in order, whole; an ``Or`` that does not fit keeps its first alternatives
    (an OR stays an OR). A part that has no room left is dropped.
    """
    if _count_leaves(tree) <= MAX_TERMS:
        return tree, []
    parts = list(tree.children) if isinstance(tree, And) else [tree]
    room = MAX_TERMS
    keep: dict[int, Node] = {}
    dropped: list[Node] = []
    order = [i for i, p in enumerate(parts) if isinstance(p, Not)]
    order += [i for i, p in enumerate(parts) if not isinstance(p, Not)]
    for i in order:
        part = parts[i]
        size = _count_leaves(part)
        if size <= room:
            keep[i] = part
            room -= size
        elif isinstance(part, Or) and room > 0:
            alts: list[Node] = []
            for alt in part.children:
                n = _count_leaves(alt)
                if n <= room:
                    alts.append(alt)
                    room -= n
                else:
                    dropped.append(alt)
            if alts:
                keep[i] = alts[0] if len(alts) == 1 else Or(tuple(alts))
        else:
            dropped.append(part)
    kept = [keep[i] for i in sorted(keep)]
    if not kept:
        return parts[0], dropped  # nothing fits: never the case for a single leaf
    return (kept[0] if len(kept) == 1 else And(tuple(kept))), dropped


_NEGATION_RE = re.compile(r'(?:^|\s)(-"[^"]*"|-[^\s()"]+)')


def limit_length(query: str) -> tuple[str, str | None]:
    """The query with its whitespace normalised and cut to MAX_QUERY_CHARS, and a notice.

    The cut falls between terms (never inside a quoted phrase), an operator left dangling
    is dropped, parentheses left open are closed, and ``-word`` / ``-"phrase"`` exclusions
    after the cut are kept; the notice says exactly what was ignored.
    """
    query = " ".join(query.split())
    if len(query) <= MAX_QUERY_CHARS:
        return query, None
    cut = query.rfind(" ", 0, MAX_QUERY_CHARS + 1)
    cut = cut if cut > 0 else MAX_QUERY_CHARS
    head = query[:cut]
    if head.count('"') % 2:
        head = head[: head.rfind('"')].rstrip()
    head = re.sub(r"(?:\s+(?:OR|AND|NOT|\|\||&&|-))+$", "", head)
    tail = query[len(head) :].strip()
    kept = [m.group(1) for m in _NEGATION_RE.finditer(tail)]
    ignored = _NEGATION_RE.sub(" ", tail).split()
    depth = 0
    for tok in _TOKEN_RE.finditer(head):
        if tok.group("lparen"):
            depth += 1
        elif tok.group("rparen") and depth:
            depth -= 1
    query = " ".join([head + ")" * depth, *kept]).strip()
    notice = f"A query is read up to {MAX_QUERY_CHARS:,} characters; ignored "
    notice += _shown(" ".join(ignored)) if ignored else "nothing but spaces"
    if kept:
        notice += f" (kept the exclusions {', '.join(kept)})"
    return query, notice + "."


def parse_query(query: str) -> ParsedQuery:
    """Parse a query; never raises. A malformed query degrades to plain terms with a notice.

    Limits (each stated in a notice when it bites): MAX_QUERY_CHARS characters after
    whitespace is normalised (:func:`limit_length`) and MAX_TERMS terms (:func:`limit_terms`).
    """
    query, cut_notice = limit_length(query)
    notices = [cut_notice] if cut_notice else []
    try:
        tree = _Parser(_tokenize(query)).parse()
        dropped: list[Node] = []
        if tree is not None:
            tree, dropped = limit_terms(tree)
        parsed = split_query(tree)
        if dropped:
            notices.append(_too_many(" ".join(node_text(n) for n in dropped)))
    except (QuerySyntaxError, RecursionError) as exc:
        reason = str(exc) if isinstance(exc, QuerySyntaxError) else "the query nests too deeply"
        parsed = plain_terms(query)
        parsed.notices.insert(0, f"Query not understood ({reason}); searched for the plain words.")
    parsed.notices[:0] = notices
    return parsed


def parse_strict(query: str) -> ParsedQuery:
    """Parse a query exactly as written, or raise QuerySyntaxError saying why.

    For saved views and rules, which must never quietly mean something else: no degrading to
    plain terms, no cutting. An empty query is an error too.
    """
    query = " ".join(query.split())
    if not query:
        raise QuerySyntaxError("the query is empty")
    if len(query) > MAX_QUERY_CHARS:
        raise QuerySyntaxError(f"the query is longer than {MAX_QUERY_CHARS:,} characters")
    try:
        tree = _Parser(_tokenize(query)).parse()
    except RecursionError as exc:
        raise QuerySyntaxError("the query nests too deeply") from exc
    if tree is not None and _count_leaves(tree) > MAX_TERMS:
        raise QuerySyntaxError(f"the query has more than {MAX_TERMS} terms")
    return split_query(tree)
