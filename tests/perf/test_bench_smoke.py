"""Smoke runs of the scale benchmark and its digest generator (structure only, never timings)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from desktop.core.importing.arxiv_snapshot import SnapshotStats, iter_snapshot_entries
from desktop.core.importing.digest_parser import title_key
from tests.perf import bench, cli_start
from tests.perf.gen_digests import (
    ABSTRACT_CHARS,
    LAYOUTS,
    build_corpus,
    generate,
    render,
    verify,
    write_snapshot,
)

pytestmark = pytest.mark.perf

SMOKE_PAPERS = 500
METRICS = {
    "SQLite import",
    "index build, 1 process",
    "index build, worker processes",
    "search p50, all 20 queries",
    "search p95, all 20 queries",
    "search p50, plain words",
    "search p95, plain words",
    "related papers p50 / p95",
    "GUI start to interactive",
    "GUI start, library not in the page cache",
    "next paper (j), median",
    "view switch, median",
    "sort All papers, slowest key",
    "first count after start, longest GUI-thread stall",
    "peak RSS, GUI with library open",
    "peak RSS, core only (open, inbox, search)",
    "CLI `stats`",
    "CLI `mark ID --star`",
    "database on disk",
    "search index on disk",
    "sidebar counts, 20 saved views",
    "import one digest, 20 rules",
}


def test_generated_digests_parse_back_exactly(tmp_path: Path) -> None:
    corpus = generate(tmp_path, 700, seed=3)
    assert len(corpus.papers) == 700
    assert verify(corpus, tmp_path) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == [f.name for f in corpus.files]
    assert set(corpus.layouts()) == set(LAYOUTS) and all(corpus.layouts().values())
    assert len({title_key(p.title) for p in corpus.papers}) == 700
    assert all(ABSTRACT_CHARS[0] <= len(p.abstract) <= ABSTRACT_CHARS[1] for p in corpus.papers)
    assert all(40 <= len(p.title) <= 200 for p in corpus.papers)
    seen: set[int] = set()
    again: set[int] = set()
    for file in corpus.files:
        assert len(file.paper_indexes) == len(set(file.paper_indexes))
        for index in file.paper_indexes:
            (again if index in seen else seen).add(index)
    assert 0.02 <= len(again) / len(corpus.papers) <= 0.09  # about 5% reappear later


def test_generator_is_deterministic_given_a_seed() -> None:
    first, second, other = (build_corpus(250, seed=s) for s in (11, 11, 12))
    texts = [[render(c, f) for f in c.files] for c in (first, second, other)]
    assert texts[0] == texts[1]
    assert texts[0] != texts[2]


def test_bench_smoke_report_structure(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # One sample per timing (as --repeats 1 does for the searches): the structure is checked,
    # never the figures, and each CLI sample is a new interpreter.
    monkeypatch.setattr(cli_start, "RUNS", 1)
    monkeypatch.setattr(bench, "COUNT_SAMPLES", 1)
    out = tmp_path / "report.json"
    argv = ["--papers", str(SMOKE_PAPERS), "--workdir", str(tmp_path / "work")]
    assert bench.main([*argv, "--out", str(out), "--repeats", "1"]) == 0
    report = json.loads(out.read_text(encoding="utf-8"))
    printed = capsys.readouterr().out

    assert report["meta"]["papers"] == SMOKE_PAPERS
    assert report["corpus"]["papers"] == SMOKE_PAPERS
    assert report["import"]["papers"] == SMOKE_PAPERS
    assert report["import"]["failed_files"] == 0
    assert report["import"]["entries"] == report["corpus"]["entries"] > SMOKE_PAPERS

    rows = {row["metric"]: row for row in report["rows"]}
    assert set(rows) == METRICS
    for row in report["rows"]:
        assert set(row) == {"metric", "value", "unit", "fts5", "ratio", "target", "status", "note"}
        assert row["status"] in {"", "n/a", "pass *", "miss *"}
        assert row["metric"] in printed
        if row["target"]:
            assert row["status"] != ""

    # 20 saved views were counted and a digest was imported with 20 rules that did something
    views_rules = report["views_rules"]
    assert views_rules["saved_views"] == 20 and views_rules["rules"] == 20
    assert views_rules["import_new_papers"][1] > 0 and views_rules["rule_report"]
    assert all(line.startswith("rule 'rule ") for line in views_rules["rule_report"])

    # The same queries ran through our search and through FTS5, and found the same papers'
    # counts for the plain words (both cap at the limit).
    assert report["available"]["search"] is True
    ours = {q["query"]: q for q in report["search"]["queries"]}
    theirs = {q["query"]: q for q in report["fts5"]["queries"]}
    assert len(ours) == 20 and len(theirs) == 17 and set(theirs) <= set(ours)
    assert report["fts5"]["papers"] == SMOKE_PAPERS
    for query in bench.queries_for(report["meta"]["rare_name"]):
        if query.plain:
            assert ours[query.text]["hits"] == theirs[query.text]["hits"], query.text
    assert ours["model"]["hits"] == bench.SEARCH_LIMIT
    assert all(len(q["samples_ms"]) == 1 for q in report["search"]["queries"])
    assert len(report["related"]["samples_ms"]) == bench.RELATED_SAMPLES

    assert report["core_process"]["available"] is True
    assert report["core_process"]["searched"] is True
    assert report["core_process"]["inbox"] > 0
    assert report["available"]["gui"] is True, report["gui"].get("error")
    assert report["gui"]["next_paper_steps"] == bench.NEXT_PAPER_STEPS
    assert "error" not in report["gui"]
    assert set(report["gui"]["sort_all_ms"]) == {
        f"{key} {way}"
        for key in ("title", "published", "authors", "digests")
        for way in ("asc", "desc")
    }
    assert report["sizes"]["database_bytes"] > 0
    assert report["sizes"]["index_bytes"] > 0
    assert report["sizes"]["fts5_index_bytes"] > 0


def test_a_generated_snapshot_reads_back_as_papers(tmp_path: Path) -> None:
    info = write_snapshot(tmp_path / "s.jsonl", 400, seed=3)
    again = write_snapshot(tmp_path / "t.jsonl", 400, seed=3)
    assert info.path.read_bytes() == again.path.read_bytes()  # deterministic given a seed
    stats = SnapshotStats()
    entries = list(iter_snapshot_entries(info.path, stats=stats))
    assert stats.skipped == 0 and len(entries) == 400 == info.papers
    assert len({e.arxiv_id for e in entries}) == 400
    assert all(40 <= len(e.title) <= 200 and "\n" not in e.title for e in entries)
    assert all(ABSTRACT_CHARS[0] <= len(e.abstract) <= ABSTRACT_CHARS[1] + 5 for e in entries)
    assert all(e.authors and e.categories and e.published for e in entries)
    assert sum(info.rare_name in e.abstract for e in entries) >= 1


def test_bench_smoke_snapshot_import_and_only(tmp_path: Path) -> None:
    out = tmp_path / "report.json"
    argv = ["--papers", "300", "--format", "jsonl", "--workdir", str(tmp_path / "work")]
    argv += ["--only", "import,parallel,search,fts5", "--index-workers", "2", "--repeats", "1"]
    assert bench.main([*argv, "--out", str(out)]) == 0
    report = json.loads(out.read_text(encoding="utf-8"))
    rows = {row["metric"]: row for row in report["rows"]}
    assert report["import"]["papers"] == 300 and report["import"]["failed_files"] == 0
    assert report["import"]["journal"] == "wal"  # under ROLLBACK_JOURNAL_MIN_BYTES
    assert rows["JSON-lines import"]["value"] > 0
    assert rows["peak RSS, JSON-lines import"]["value"] > 0
    assert rows["index build, worker processes"]["value"] > 0
    assert rows["index build, worker processes"]["fts5"] > 0
    assert rows["index build, 1 process"]["value"] is None
    assert "skipped" in rows["index build, 1 process"]["note"]
    assert rows["GUI start to interactive"]["value"] is None
    assert rows["search p95, all 20 queries"]["value"] is not None
    assert report["meta"]["stages"] == ["fts5", "import", "parallel", "search"]
    # A second run of the same size reuses the generated snapshot.
    assert bench.main([*argv, "--out", str(out)]) == 0
    assert json.loads(out.read_text(encoding="utf-8"))["corpus"]["reused"] is True
