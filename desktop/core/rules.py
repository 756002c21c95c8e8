"""Rules: a query plus actions, run on the papers each import adds (``library.rules``).

A rule's actions are ``tag`` (with its tag name), ``star``, ``queue``, ``archive`` and ``mute``:
archive with a stored, visible reason ("muted by rule R"), so nothing is hidden silently. A
negative keyword ("never show me papers about X") is a mute rule on X.

Rules run in list order, inside the import's transaction (all of a file's papers and every
rule's effect on them, or none), on its new papers only, with the query meaning exactly
what it means in search: the new papers are matched through an index of their own
(search/doc_match.py), as the library's index hears of them only after the commit. Each
action counts the papers it changed; a queue skips papers that are archived (a mute stays a
mute). What the rules did is stored (``rule_runs``) so that the window's history can undo
it as one step per import, though a worker did the import. A snapshot import's new papers
(hundreds of thousands) are matched ``MATCH_BATCH`` at a time, so the index of the new papers
stays small; the report and the undo step still cover the whole file.

A rule can be tried on the whole library (a dry run, in a transaction rolled back) and
applied to it on request, as one undoable action. Both undo steps are history actions of
kind ``rules`` whose payload holds the effects, so they are undone after a restart too.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from desktop.core.annotations.common import AnnotationError
from desktop.core.annotations.tags import normalize_tag
from desktop.core.clock import now_iso
from desktop.core.context import LibraryContext
from desktop.core.history import Applied
from desktop.core.id_runs import IdRuns
from desktop.core.models import Changes, ImportResult, PaperId
from desktop.core.saved_views import SavedViewError, check_name, query_error
from desktop.core.search.doc_match import DocMatcher
from desktop.core.search.filter_sql import filter_sql
from desktop.core.search.query import ParsedQuery, QuerySyntaxError, parse_strict
from desktop.core.search.selection import QuerySelection
from desktop.core.sql import chunks, marks, write_transaction
from desktop.core.triage import QUEUE_END_SQL

ACTIONS = ("tag", "star", "queue", "archive", "mute")
PAST = {"tag": "tagged", "star": "starred", "queue": "queued", "archive": "archived"}
PAST["mute"] = "muted"
# The triage columns a rule may change, snapshotted for undo.
STATE = ("starred", "archived", "archived_at", "queue_pos")
# Rule runs kept until the window records them (the history keeps its own copy).
KEEP_RUNS = 500
# The history kind of a rules step (registered by the Library, which makes Rules lazily).
KIND = "rules"
# New papers matched against the rules at a time (the size of the new papers' own index).
MATCH_BATCH = 5_000


class RuleError(SavedViewError):
    """A rule request that cannot be done; the message is one plain sentence."""


@dataclass(frozen=True)
class Rule:
    """A named query with actions, at a 1-based place in the list."""

    id: int
    name: str
    query: str
    actions: tuple[str, ...]
    tag: str | None
    position: int
    enabled: bool = True
    error: str | None = None  # why the query no longer parses

    def describe(self) -> str:
        """The actions for people: ``tag "agents", star``."""
        return ", ".join(f'tag "{self.tag}"' if a == "tag" else a for a in self.actions)

    def to_json(self) -> dict[str, Any]:
        """A plain dict for --json output."""
        return {
            "id": self.id,
            "name": self.name,
            "query": self.query,
            "actions": list(self.actions),
            "tag": self.tag,
            "position": self.position,
            "enabled": self.enabled,
            "error": self.error,
        }


@dataclass
class RuleOutcome:
    """What one rule did in one run: papers matched, and papers changed per action."""

    rule: str
    matched: int = 0
    changed: dict[str, int] = field(default_factory=dict)
    error: str | None = None

    def summary(self) -> str:
        """``rule 'agents': 7 tagged, 2 starred`` (or why it did not run)."""
        if self.error:
            return f"rule '{self.rule}': not run ({self.error})"
        done = [f"{n} {PAST[a]}" for a, n in self.changed.items() if n]
        if not done:
            return f"rule '{self.rule}': {self.matched} matched, nothing to change"
        return f"rule '{self.rule}': " + ", ".join(done)

    def to_json(self) -> dict[str, Any]:
        """A plain dict for --json output."""
        return {
            "rule": self.rule,
            "matched": self.matched,
            "changed": dict(self.changed),
            "error": self.error,
        }


@dataclass
class RuleRun:
    """What a run of rules did, with what undo and redo need."""

    outcomes: list[RuleOutcome] = field(default_factory=list)
    before: dict[int, list[Any]] = field(default_factory=dict)  # paper -> STATE values
    after: dict[int, list[Any]] = field(default_factory=dict)
    tag_links: list[tuple[int, str]] = field(default_factory=list)  # (paper, tag) added
    tags_created: list[str] = field(default_factory=list)
    mutes: list[tuple[int, str, str]] = field(default_factory=list)  # (paper, rule, when)

    @property
    def empty(self) -> bool:
        """True when nothing was changed."""
        return not (self.before or self.tag_links or self.mutes)

    @property
    def papers(self) -> frozenset[PaperId]:
        """Every paper the run changed."""
        ids = set(self.before) | {p for p, _ in self.tag_links} | {p for p, _, _ in self.mutes}
        return frozenset(PaperId(i) for i in ids)

    def report(self) -> list[str]:
        """One line per rule that matched something or could not run."""
        return [o.summary() for o in self.outcomes if o.matched or o.error]

    def effects(self) -> dict[str, Any]:
        """The effects as a JSON-ready dict (a history payload, a ``rule_runs`` row)."""
        return {
            "before": {str(k): v for k, v in self.before.items()},
            "after": {str(k): v for k, v in self.after.items()},
            "tag_links": self.tag_links,
            "tags_created": self.tags_created,
            "mutes": self.mutes,
        }

    def to_json(self) -> str:
        """The effects as JSON (stored in ``rule_runs``)."""
        return json.dumps(self.effects())

    @classmethod
    def from_json(cls, text: str) -> RuleRun:
        """The effects stored by :meth:`to_json`."""
        return cls.from_effects(json.loads(text))

    @classmethod
    def from_effects(cls, data: dict[str, Any]) -> RuleRun:
        """The effects given by :meth:`effects`."""
        return cls(
            before={int(k): list(v) for k, v in data["before"].items()},
            after={int(k): list(v) for k, v in data["after"].items()},
            tag_links=[(int(p), str(t)) for p, t in data["tag_links"]],
            tags_created=[str(t) for t in data["tags_created"]],
            mutes=[(int(p), str(r), str(w)) for p, r, w in data["mutes"]],
        )


def check_actions(actions: Sequence[str], tag: str | None) -> tuple[tuple[str, ...], str | None]:
    """Actions in a canonical order and the tag name, or RuleError saying what is wrong."""
    wanted = [str(a).strip().lower() for a in actions if str(a).strip()]
    unknown = [a for a in wanted if a not in ACTIONS]
    if unknown:
        raise RuleError(f"unknown action {unknown[0]!r}; use {', '.join(ACTIONS)}")
    if not wanted:
        raise RuleError(f"a rule needs at least one action: {', '.join(ACTIONS)}")
    if "archive" in wanted and "mute" in wanted:
        wanted.remove("archive")  # a mute archives already
    if "tag" in wanted:
        if not tag:
            raise RuleError("the tag action needs a tag name")
        try:
            tag = normalize_tag(tag)
        except AnnotationError as exc:
            raise RuleError(str(exc)) from exc
    elif tag:
        wanted.insert(0, "tag")
        tag = normalize_tag(tag)
    return tuple(a for a in ACTIONS if a in wanted), tag


class Rules:
    """The rules of a library and their runs."""

    def __init__(self, ctx: LibraryContext, selection: QuerySelection) -> None:
        self.ctx = ctx
        self.db = ctx.db
        self.selection = selection
        self.match_batch = MATCH_BATCH

    # -- the list ------------------------------------------------------------------------
    def all(self) -> list[Rule]:
        """Every rule in the order they run."""
        rows = self.db.execute(
            "SELECT id, name, query, actions, tag, enabled FROM rules ORDER BY position, id"
        ).fetchall()
        return [
            Rule(
                int(i),
                str(name),
                str(query),
                tuple(a for a in json.loads(actions) if a in ACTIONS),
                tag,
                n + 1,
                bool(enabled),
                query_error(str(query)),
            )
            for n, (i, name, query, actions, tag, enabled) in enumerate(rows)
        ]

    def get(self, name: str) -> Rule:
        """A rule by name (any case) or place (``1`` is the first)."""
        rules = self.all()
        text = str(name).strip()
        for rule in rules:
            if rule.name.casefold() == text.casefold():
                return rule
        if text.isdigit() and 1 <= int(text) <= len(rules):
            return rules[int(text) - 1]
        raise RuleError(f"no rule called {text!r}")

    def add(self, name: str, query: str, actions: Sequence[str], *, tag: str | None = None) -> Rule:
        """Add a rule at the end of the list; the query must parse as written."""
        name = check_name(name, "rule")
        query = " ".join(str(query).split())
        error = query_error(query)
        if error:
            raise RuleError(f"the query cannot be used: {error}")
        acts, tag = check_actions(actions, tag)
        if self.db.execute("SELECT 1 FROM rules WHERE name = ?", [name]).fetchone():
            raise RuleError(f"a rule called {name!r} exists already")
        with self.db.atomic():
            (top,) = self.db.execute("SELECT COALESCE(MAX(position), 0) FROM rules").fetchone()
            self.db.conn.execute(
                "INSERT INTO rules (name, query, actions, tag, position, created_at) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                [name, query, json.dumps(list(acts)), tag, int(top) + 1, now_iso()],
            )
        return self.get(name)

    def delete(self, name: str) -> Rule:
        """Delete a rule (what it did stays done); returns what was deleted."""
        rule = self.get(name)
        with self.db.atomic():
            self.db.conn.execute("DELETE FROM rules WHERE id = ?", [rule.id])
        return rule

    def set_enabled(self, name: str, enabled: bool) -> Rule:
        """Turn a rule on or off (an off rule does not run on imports)."""
        rule = self.get(name)
        with self.db.atomic():
            self.db.conn.execute(
                "UPDATE rules SET enabled = ? WHERE id = ?", [int(enabled), rule.id]
            )
        return self.get(rule.name)

    def move(self, name: str, delta: int) -> Rule:
        """Move a rule ``delta`` places in the running order (negative is earlier)."""
        rule = self.get(name)
        order = [r.id for r in self.all()]
        at = order.index(rule.id)
        order.insert(max(0, min(len(order) - 1, at + delta)), order.pop(at))
        with self.db.atomic():
            self.db.conn.executemany(
                "UPDATE rules SET position = ? WHERE id = ?",
                [(n + 1, rule_id) for n, rule_id in enumerate(order)],
            )
        return self.get(rule.name)

    def muted_reason(self, paper_id: int) -> str | None:
        """``muted by rule 'R'`` while a rule's mute of the paper stands (it is archived)."""
        row = self.db.execute(
            "SELECT m.rule_name FROM rule_mutes m JOIN papers p ON p.id = m.paper_id "
            "WHERE m.paper_id = ? AND p.archived = 1",
            [int(paper_id)],
        ).fetchone()
        return f"muted by rule '{row[0]}'" if row else None

    # -- running -------------------------------------------------------------------------
    def _library_matches(self, parsed: ParsedQuery) -> list[int]:
        where, params = self.selection.where(parsed)
        return [r[0] for r in self.db.execute(f"SELECT p.id FROM papers p WHERE {where}", params)]

    def try_rule(self, name: str) -> RuleOutcome:
        """What applying a rule to the whole library would do, without changing anything."""
        rule = self.get(name)
        conn = self.db.conn
        conn.execute("SAVEPOINT digest_desk_rule_try")
        try:
            run = self._execute([rule], self._library_matches, only_enabled=False)
        finally:
            conn.execute("ROLLBACK TO SAVEPOINT digest_desk_rule_try")
            conn.execute("RELEASE SAVEPOINT digest_desk_rule_try")
        return run.outcomes[0]

    def try_query(self, query: str) -> int:
        """How many papers of the library a query matches (for a rule being written)."""
        try:
            parsed = parse_strict(query)
        except QuerySyntaxError as exc:
            raise RuleError(f"the query cannot be used: {exc}") from exc
        return len(self._library_matches(parsed))

    def apply(self, name: str) -> RuleRun:
        """Apply a rule to every paper of the library now, as one undoable action."""
        rule = self.get(name)
        if rule.error:
            raise RuleError(f"rule {rule.name!r} cannot run: {rule.error}")
        with write_transaction(self.db):
            run = self._execute([rule], self._library_matches, only_enabled=False)
            if not run.empty:
                self._record(f"apply rule {rule.name}", run)
        if not run.empty:
            self.ctx.emit(_run_changes(run))
        return run

    def _record(self, label: str, run: RuleRun) -> None:
        self.ctx.history.record(label, kind=KIND, payload=run.effects(), papers=sorted(run.papers))

    def run_on_import(self, new_ids: Sequence[PaperId]) -> tuple[list[str], int | None]:
        """Run every enabled rule on an import's new papers, inside its transaction.

        The papers are matched ``match_batch`` at a time (a snapshot adds hundreds of
        thousands); the report sums the batches. Returns the report lines and the id of the
        stored run (None when nothing changed); nothing is heard by listeners (the import's
        own Changes cover these papers).
        """
        rules = [r for r in self.all() if r.enabled]
        if not rules or not new_ids:
            return [], None
        # An import's IdRuns is ascending already, and its slices are runs too (no list of
        # every id); the batches are lists only as they are matched.
        ordered: Sequence[int] = (
            new_ids if isinstance(new_ids, IdRuns) else sorted(int(i) for i in new_ids)
        )
        runs = [
            self._execute(rules, self._new_paper_matches(batch), only_enabled=True)
            for batch in chunks(ordered, self.match_batch)
        ]
        run = _merge(runs)
        run_id = None
        if not run.empty:
            run_id = self.db.conn.execute(
                "INSERT INTO rule_runs (label, effects, created_at) VALUES (?, ?, ?)",
                ["rules on import", run.to_json(), now_iso()],
            ).lastrowid
            self.db.conn.execute(
                "DELETE FROM rule_runs WHERE id <= ?", [int(run_id or 0) - KEEP_RUNS]
            )
        return run.report(), (int(run_id) if run_id else None)

    def _new_paper_matches(self, new_ids: Sequence[int]) -> Callable[[ParsedQuery], list[int]]:
        """How a query matches among ``new_ids``: text through an index of their own."""
        subset = DocMatcher(self.db, [PaperId(i) for i in new_ids])
        ids_json = json.dumps(list(new_ids))

        def matches(parsed: ParsedQuery) -> list[int]:
            wanted: list[Any] = [ids_json]
            sql = "p.id IN (SELECT value FROM json_each(?))"
            if parsed.text is not None:
                found = subset.matching(parsed.text)
                if not found:
                    return []
                wanted = [json.dumps(sorted(found))]
            if parsed.filters is None:
                return json.loads(wanted[0])
            fsql, fparams = filter_sql(parsed.filters)
            sql += f" AND ({fsql})"
            return [
                r[0]
                for r in self.db.execute(f"SELECT p.id FROM papers p WHERE {sql}", wanted + fparams)
            ]

        return matches

    def record_import_undo(self, results: Sequence[ImportResult]) -> bool:
        """Put what rules did to an import's papers on the undo history, as one step.

        Called by whoever shows the import to the user (the window), since the import may
        have run on another connection. False when the rules changed nothing.
        """
        runs: list[RuleRun] = []
        for result in results:
            if result.rule_run is None:
                continue
            row = self.db.execute(
                "SELECT effects FROM rule_runs WHERE id = ?", [int(result.rule_run)]
            ).fetchone()
            if row is not None:
                runs.append(RuleRun.from_json(str(row[0])))
        if not runs:
            return False
        self._record("rules on import", _merge(runs))
        return True

    def apply_stored(self, payload: Any, undo: bool) -> Applied:
        """Undo (or redo) a rules step of the history from its stored effects."""
        return self._restore(RuleRun.from_effects(payload), undo=undo), payload

    # -- the actions ---------------------------------------------------------------------
    def _execute(
        self,
        rules: Sequence[Rule],
        matches: Callable[[ParsedQuery], list[int]],
        *,
        only_enabled: bool,
    ) -> RuleRun:
        """Run rules in order inside the caller's transaction; returns what they did."""
        run = RuleRun()
        stamp = now_iso()
        for rule in rules:
            outcome = RuleOutcome(rule.name)
            run.outcomes.append(outcome)
            if only_enabled and not rule.enabled:
                continue
            try:
                parsed = parse_strict(rule.query)
            except QuerySyntaxError as exc:
                outcome.error = f"its query no longer parses: {exc}"
                continue
            ids = sorted(set(matches(parsed)))
            outcome.matched = len(ids)
            for action in rule.actions:
                outcome.changed[action] = self._act(action, rule, ids, run, stamp)
        for paper_id in run.before:
            run.after[paper_id] = list(self._state([paper_id]).get(paper_id, ()))
        return run

    def _state(self, ids: Sequence[int]) -> dict[int, list[Any]]:
        out: dict[int, list[Any]] = {}
        for chunk in chunks(list(ids)):
            for row in self.db.execute(
                f"SELECT id, {', '.join(STATE)} FROM papers WHERE id IN ({marks(len(chunk))})",
                list(chunk),
            ):
                out[int(row[0])] = list(row[1:])
        return out

    def _where(self, ids: Sequence[int], condition: str) -> list[int]:
        found: list[int] = []
        for chunk in chunks(list(ids)):
            found += [
                int(r[0])
                for r in self.db.execute(
                    # NOT INDEXED: by rowid, never by an index on the condition's columns
                    # (which SQLite may pick, reading every paper not archived).
                    f"SELECT id FROM papers NOT INDEXED WHERE id IN ({marks(len(chunk))}) "
                    f"AND {condition} ORDER BY id",
                    list(chunk),
                )
            ]
        return found

    def _remember(self, run: RuleRun, ids: Sequence[int]) -> None:
        fresh = [i for i in ids if i not in run.before]
        run.before.update(self._state(fresh))

    def _set(self, ids: Sequence[int], sql: str, params: list[Any]) -> None:
        for chunk in chunks(list(ids)):
            self.db.conn.execute(f"{sql} WHERE id IN ({marks(len(chunk))})", [*params, *chunk])

    def _act(self, action: str, rule: Rule, ids: list[int], run: RuleRun, stamp: str) -> int:
        conn = self.db.conn
        if not ids:
            return 0
        if action == "tag":
            assert rule.tag is not None
            row = self.db.execute("SELECT id, name FROM tags WHERE name = ?", [rule.tag]).fetchone()
            if row is None:
                tag_id = int(
                    conn.execute("INSERT INTO tags (name) VALUES (?)", [rule.tag]).lastrowid or 0
                )
                name = rule.tag
                run.tags_created.append(name)
            else:
                tag_id, name = int(row[0]), str(row[1])
            added = 0
            for paper_id in ids:
                cur = conn.execute(
                    "INSERT OR IGNORE INTO paper_tags (paper_id, tag_id) VALUES (?, ?)",
                    [paper_id, tag_id],
                )
                if cur.rowcount == 1:
                    run.tag_links.append((paper_id, name))
                    added += 1
            return added
        if action == "star":
            todo = self._where(ids, "starred = 0")
            self._remember(run, todo)
            self._set(todo, "UPDATE papers SET starred = 1", [])
            return len(todo)
        if action == "queue":
            todo = self._where(ids, "queue_pos IS NULL AND archived = 0")
            self._remember(run, todo)
            (top,) = self.db.execute(QUEUE_END_SQL).fetchone()
            conn.executemany(
                "UPDATE papers SET queue_pos = ?, queued_at = ? WHERE id = ?",
                [(int(top) + n + 1, stamp, paper_id) for n, paper_id in enumerate(todo)],
            )
            return len(todo)
        if action in ("archive", "mute"):
            todo = self._where(ids, "archived = 0")
            self._remember(run, todo)
            self._set(
                todo, "UPDATE papers SET archived = 1, archived_at = ?, queue_pos = NULL", [stamp]
            )
            if action == "archive":
                return len(todo)
            muted = 0
            for paper_id in todo:
                conn.execute(
                    "INSERT OR REPLACE INTO rule_mutes (paper_id, rule_name, muted_at) "
                    "VALUES (?, ?, ?)",
                    [paper_id, rule.name, stamp],
                )
                run.mutes.append((paper_id, rule.name, stamp))
                muted += 1
            return muted
        raise ValueError(f"unknown action {action!r}")

    # -- undo and redo -------------------------------------------------------------------
    def _restore(self, run: RuleRun, *, undo: bool) -> Changes:
        """Undo (or redo) a run: states back, tag links and mutes gone (or back)."""
        conn = self.db.conn
        states = run.before if undo else run.after
        alive = set(self._state(list(run.papers)))
        sets = ", ".join(f"{c} = ?" for c in STATE)
        with self.db.atomic():
            conn.executemany(
                f"UPDATE papers SET {sets} WHERE id = ?",
                [(*values, pid) for pid, values in states.items() if pid in alive and values],
            )
            for paper_id, name in run.tag_links:
                if paper_id not in alive:
                    continue
                row = self.db.execute("SELECT id FROM tags WHERE name = ?", [name]).fetchone()
                if undo:
                    if row is not None:
                        conn.execute(
                            "DELETE FROM paper_tags WHERE paper_id = ? AND tag_id = ?",
                            [paper_id, row[0]],
                        )
                    continue
                tag_id = (
                    row[0]
                    if row
                    else conn.execute("INSERT INTO tags (name) VALUES (?)", [name]).lastrowid
                )
                conn.execute(
                    "INSERT OR IGNORE INTO paper_tags (paper_id, tag_id) VALUES (?, ?)",
                    [paper_id, tag_id],
                )
            if undo:
                for name in run.tags_created:  # a tag the run made goes when it is unused
                    conn.execute(
                        "DELETE FROM tags WHERE name = ? AND NOT EXISTS "
                        "(SELECT 1 FROM paper_tags pt WHERE pt.tag_id = tags.id)",
                        [name],
                    )
            for paper_id, rule_name, when in run.mutes:
                if paper_id not in alive:
                    continue
                if undo:
                    conn.execute(
                        "DELETE FROM rule_mutes WHERE paper_id = ? AND rule_name = ? "
                        "AND muted_at = ?",
                        [paper_id, rule_name, when],
                    )
                else:
                    conn.execute(
                        "INSERT OR REPLACE INTO rule_mutes (paper_id, rule_name, muted_at) "
                        "VALUES (?, ?, ?)",
                        [paper_id, rule_name, when],
                    )
        return self.ctx.emit(_run_changes(run))


def _run_changes(run: RuleRun) -> Changes:
    tags = bool(run.tag_links or run.tags_created)
    return Changes(
        run.papers,
        membership=bool(run.before),
        annotations=tags,
        tags=tags,
    )


def _merge(runs: Sequence[RuleRun]) -> RuleRun:
    """Several runs (one per file of an import) as one."""
    merged = RuleRun()
    outcomes: dict[str, RuleOutcome] = {}
    for run in runs:
        for outcome in run.outcomes:
            total = outcomes.get(outcome.rule)
            if total is None:
                total = outcomes[outcome.rule] = RuleOutcome(outcome.rule, error=outcome.error)
                merged.outcomes.append(total)
            total.matched += outcome.matched
            for action, n in outcome.changed.items():
                total.changed[action] = total.changed.get(action, 0) + n
        for pid, values in run.before.items():
            merged.before.setdefault(pid, values)
        merged.after.update(run.after)
        merged.tag_links += run.tag_links
        merged.tags_created += [t for t in run.tags_created if t not in merged.tags_created]
        merged.mutes += run.mutes
    return merged
