"""Rules: a query plus actions, run on an import's new papers in its transaction, undoable."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from desktop.core.library import Library
from desktop.core.models import PaperId
from desktop.core.rules import RuleError, RuleRun
from tests.core.test_saved_views import PAPERS, digest


def states(lib: Library) -> dict[int, tuple[int, int, bool]]:
    """Paper id -> (starred, archived, queued)."""
    return {
        int(r[0]): (int(r[1]), int(r[2]), r[3] is not None)
        for r in lib.db.execute("SELECT id, starred, archived, queue_pos FROM papers")
    }


def tagged(lib: Library, name: str) -> set[int]:
    return {
        int(r[0])
        for r in lib.db.execute(
            "SELECT pt.paper_id FROM paper_tags pt JOIN tags t ON t.id = pt.tag_id "
            "WHERE t.name = ?",
            [name],
        )
    }


def test_rules_run_on_the_new_papers_of_an_import(lib: Library) -> None:
    lib.rules.add("graphs", "graph", ["tag", "star"], tag="graphs")
    lib.rules.add("no diffusion", "diffusion", ["mute"])
    lib.rules.add("read later", "title:agents", ["queue"])
    result = lib.importer.import_text(digest(PAPERS), "d1")
    assert result.ok
    ids = lib.views.ids("all")
    assert result.rules == [
        "rule 'graphs': 2 tagged, 2 starred",
        "rule 'no diffusion': 1 muted",
        "rule 'read later': 1 queued",
    ]
    assert "rule 'graphs': 2 tagged, 2 starred; rule 'no diffusion': 1 muted" in result.summary()
    assert result.to_json()["rules"] == result.rules
    assert tagged(lib, "graphs") == {ids[0], ids[2]}
    assert states(lib)[ids[1]] == (0, 1, False)
    assert lib.rules.muted_reason(ids[1]) == "muted by rule 'no diffusion'"
    assert lib.rules.muted_reason(ids[0]) is None
    assert lib.views.ids("queue") == [ids[2]]
    # the index heard of the tags written inside the import: tag: finds them
    assert set(lib.index.search("tag:graphs").ids) == {ids[0], ids[2]}


def test_rules_touch_only_what_the_import_adds(lib: Library) -> None:
    lib.importer.import_text(digest(PAPERS[:2]), "d1")
    lib.rules.add("graphs", "graph", ["star"])
    result = lib.importer.import_text(digest(PAPERS), "d2")  # two known, two new
    ids = lib.views.ids("all")
    assert result.new_papers == 2 and result.rules == ["rule 'graphs': 1 starred"]
    assert states(lib)[ids[0]][0] == 0  # known graph paper: not starred
    assert states(lib)[ids[2]][0] == 1


def test_a_mute_wins_over_a_later_queue_and_filters_apply(lib: Library) -> None:
    lib.rules.add("mute diffusion", "diffusion", ["mute"])
    lib.rules.add("queue models", "model* -is:archived", ["queue"])
    lib.rules.add("queue all", "is:unread", ["queue"])
    result = lib.importer.import_text(digest(PAPERS), "d1")
    ids = lib.views.ids("all")
    assert states(lib)[ids[1]] == (0, 1, False)  # muted: never queued afterwards
    assert lib.views.ids("queue") == [ids[0], ids[2], ids[3]]
    assert result.rules[0] == "rule 'mute diffusion': 1 muted"
    # "queue models" takes the one model paper left unmuted (-is:archived); "queue all"
    # matches all four unread papers, queues the two others and skips the muted one
    assert result.rules[1:] == ["rule 'queue models': 1 queued", "rule 'queue all': 2 queued"]


def test_off_rules_and_broken_rules(lib: Library) -> None:
    lib.rules.add("graphs", "graph", ["star"])
    lib.rules.add("old", "protein", ["star"])
    lib.rules.set_enabled("graphs", False)
    lib.db.execute("UPDATE rules SET query = 'is:snoozy' WHERE name = 'old'")
    lib.db.conn.commit()
    assert lib.rules.get("old").error is not None
    result = lib.importer.import_text(digest(PAPERS), "d1")
    assert result.ok and len(result.rules) == 1
    assert result.rules[0].startswith("rule 'old': not run (its query no longer parses: is: takes")
    assert not any(s[0] for s in states(lib).values())
    with pytest.raises(RuleError, match="cannot run"):
        lib.rules.apply("old")


def test_adding_rules_checks_them(lib: Library) -> None:
    with pytest.raises(RuleError, match="a quote is not closed"):
        lib.rules.add("x", 'title:"open', ["star"])
    with pytest.raises(RuleError, match="unknown action"):
        lib.rules.add("x", "graph", ["explode"])
    with pytest.raises(RuleError, match="at least one action"):
        lib.rules.add("x", "graph", [])
    with pytest.raises(RuleError, match="needs a tag name"):
        lib.rules.add("x", "graph", ["tag"])
    rule = lib.rules.add("x", "graph", ["archive", "mute"], tag="g")
    assert rule.actions == ("tag", "mute") and rule.tag == "g"  # a mute archives already
    assert rule.describe() == 'tag "g", mute'
    with pytest.raises(RuleError, match="exists already"):
        lib.rules.add("X", "other", ["star"])
    lib.rules.add("y", "other", ["star"])
    lib.rules.move("y", -1)
    assert [r.name for r in lib.rules.all()] == ["y", "x"]
    assert lib.rules.delete("x").name == "x"
    assert [r.name for r in lib.rules.all()] == ["y"]


def test_try_changes_nothing_and_apply_is_one_undoable_step(lib: Library) -> None:
    lib.importer.import_text(digest(PAPERS), "d1")
    ids = lib.views.ids("all")
    lib.triage.set_starred([ids[0]])
    lib.rules.add("graphs", "graph", ["tag", "star"], tag="g")
    before = states(lib)
    outcome = lib.rules.try_rule("graphs")
    assert outcome.matched == 2 and outcome.changed == {"tag": 2, "star": 1}
    assert states(lib) == before and tagged(lib, "g") == set()
    assert lib.db.execute("SELECT COUNT(*) FROM tags WHERE name = 'g'").fetchone()[0] == 0
    assert lib.rules.try_query("graph OR diffusion") == 3
    run = lib.rules.apply("graphs")
    assert run.outcomes[0].changed == {"tag": 2, "star": 1}
    assert tagged(lib, "g") == {ids[0], ids[2]} and states(lib)[ids[2]][0] == 1
    assert lib.history.undo_label() == "apply rule graphs"
    lib.history.undo()
    assert states(lib) == before and tagged(lib, "g") == set()
    assert lib.db.execute("SELECT COUNT(*) FROM tags WHERE name = 'g'").fetchone()[0] == 0
    lib.history.redo()
    assert tagged(lib, "g") == {ids[0], ids[2]} and states(lib)[ids[2]][0] == 1


def test_an_imports_rules_undo_as_one_step(lib: Library, tmp_path: Path) -> None:
    lib.rules.add("graphs", "graph", ["tag", "star"], tag="graphs")
    lib.rules.add("no diffusion", "diffusion", ["mute"])
    for n, (title, abstract) in enumerate(PAPERS):
        (tmp_path / f"{n}.txt").write_text(digest([(title, abstract)]), encoding="utf-8")
    results = lib.importer.import_paths([tmp_path])
    assert all(r.ok for r in results)
    ids = lib.views.ids("all")
    assert lib.rules.record_import_undo(results)
    assert lib.history.undo_label() == "rules on import"
    lib.history.undo()
    assert set(states(lib).values()) == {(0, 0, False)}
    assert tagged(lib, "graphs") == set()
    assert lib.rules.muted_reason(ids[1]) is None
    assert len(lib.views.ids("all")) == len(PAPERS)  # the papers themselves stay
    lib.history.redo()
    assert tagged(lib, "graphs") == {ids[0], ids[2]}
    assert lib.rules.muted_reason(ids[1]) == "muted by rule 'no diffusion'"
    assert not lib.rules.record_import_undo([r for r in results if not r.rule_run])


def test_the_undo_of_an_import_is_recorded_by_another_connection(seeded_dir: Path) -> None:
    """The window records the undo of an import a worker ran on its own connection."""
    with Library.open(seeded_dir) as window, Library.open(seeded_dir) as worker:
        window.rules.add("rl", "reinforcement", ["star"])
        result = worker.importer.import_text(
            digest([("Reinforcement learning of robots", "Robots learn by reinforcement.")]),
            "new",
        )
        assert result.rules == ["rule 'rl': 1 starred"] and result.rule_run is not None
        (paper,) = result.new_ids
        assert window.rules.record_import_undo([result])
        window.history.undo()
        assert window.papers.get(paper) is not None and not window.papers.get(paper).starred


def test_rule_run_effects_round_trip_as_json() -> None:
    run = RuleRun(
        before={3: [0, 0, None, None]},
        after={3: [1, 1, "2026-01-01T00:00:00+00:00", None]},
        tag_links=[(3, "a")],
        tags_created=["a"],
        mutes=[(3, "r", "2026-01-01T00:00:00+00:00")],
    )
    again = RuleRun.from_json(run.to_json())
    assert (again.before, again.after, again.tag_links, again.tags_created, again.mutes) == (
        run.before,
        run.after,
        run.tag_links,
        run.tags_created,
        run.mutes,
    )
    assert run.papers == frozenset({PaperId(3)})


# -- a SIGKILL during an import with rules ---------------------------------------------------

FILES = 20
PER_FILE = 150


def crash_digest(file_no: int) -> str:
    """A digest whose papers the rules below match in a known pattern."""
    papers = []
    for n in range(PER_FILE):
        k = file_no * PER_FILE + n
        topic = "language agents" if k % 3 == 0 else "crypto ledgers" if k % 5 == 0 else "optics"
        papers.append(
            (f"Paper {k} on {topic}", f"We study {topic} in setting {k}. " + "Filler text. " * 30)
        )
    return digest(papers)


@pytest.mark.reliability
def test_a_killed_import_keeps_all_of_a_files_rule_effects_or_none(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.reliability.crash_support import kill_after, start_driver

    # a commit per file (crash_driver's import reads it): kills land between and inside them
    monkeypatch.setenv("DIGEST_DESK_IMPORT_BATCH_FILES", "1")
    data, folder = tmp_path / "data", tmp_path / "digests"
    folder.mkdir()
    with Library.open(data, backups=False) as lib:
        lib.rules.add("agents", "agents", ["tag", "star"], tag="agents")
        lib.rules.add("no crypto", "crypto", ["mute"])
    rng = random.Random(16)
    outcomes = {"killed": 0, "finished": 0, "partial": 0}
    stored = 0
    for trial in range(6):
        for f in range(FILES):
            (folder / f"t{trial}-{f}.txt").write_text(crash_digest(trial * FILES + f))
        child = start_driver("import", data, str(folder))
        # storing the files takes about 0.5 s here
        outcome = kill_after(child, rng.uniform(0.02, 0.45))
        outcomes["finished" if outcome.finished else "killed"] += 1
        with Library.open(data, backups=False) as lib:
            rows = lib.db.execute("SELECT id, title, starred, archived FROM papers").fetchall()
            agents = tagged(lib, "agents")
            muted = {r[0] for r in lib.db.execute("SELECT paper_id FROM rule_mutes")}
            for pid, title, starred, archived in rows:
                is_agent, is_crypto = "agents" in title, "crypto" in title
                # every stored paper carries its rules' effects: never a paper without them
                assert (pid in agents, bool(starred)) == (is_agent, is_agent), title
                assert (pid in muted, bool(archived)) == (is_crypto, is_crypto), title
            # whole files only: each stored digest has all of its papers
            per_digest = lib.db.execute(
                "SELECT COUNT(*) FROM sightings GROUP BY digest_id"
            ).fetchall()
            assert all(n == PER_FILE for (n,) in per_digest)
            new = len(per_digest) - stored
            stored = len(per_digest)
            outcomes["partial"] += 0 < new < FILES  # killed between this import's files
        for f in range(FILES):
            (folder / f"t{trial}-{f}.txt").unlink()  # what was not stored stays unimported
    assert outcomes["killed"] >= 1 and outcomes["partial"] >= 1, outcomes
