"""``python -m graph build|export|stats``: outputs, files and clear errors."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import networkx as nx
import pytest

from tests.graph_fixtures import write_store

REPO = Path(__file__).resolve().parents[1]


def run(*args: str, cwd: Path = REPO, env: dict | None = None) -> subprocess.CompletedProcess:
    full_env = dict(os.environ)
    full_env["PYTHONPATH"] = str(REPO) + os.pathsep + full_env.get("PYTHONPATH", "")
    full_env.pop("DATA_DIR", None)
    full_env.update(env or {})
    return subprocess.run([sys.executable, "-m", "graph", *args], cwd=cwd, env=full_env,
                          capture_output=True, text=True, timeout=120)


def test_no_store_is_a_clear_error(tmp_path):
    proc = run("build", cwd=tmp_path)
    assert proc.returncode == 1
    assert proc.stderr.strip() == ("No crawl store at data/crawl.sqlite. "
                                   "Run `scrapy crawl seeds` first.")
    assert "Traceback" not in proc.stderr
    assert not (tmp_path / "data").exists()  # reading never creates a store
    for command in (["stats"], ["export", "--format", "json", "-o", "x.json"]):
        proc = run(*command, cwd=tmp_path)
        assert proc.returncode == 1 and "No crawl store at data/crawl.sqlite" in proc.stderr


def test_data_dir_from_environment_and_flag(tmp_path):
    proc = run("stats", env={"DATA_DIR": str(tmp_path / "elsewhere")}, cwd=tmp_path)
    assert proc.returncode == 1
    assert f"No crawl store at {tmp_path / 'elsewhere' / 'crawl.sqlite'}" in proc.stderr
    proc = run("--data-dir", str(tmp_path / "flag"), "stats", cwd=tmp_path)
    assert f"No crawl store at {tmp_path / 'flag' / 'crawl.sqlite'}" in proc.stderr


def test_corrupt_store_is_a_clear_error(tmp_path):
    (tmp_path / "crawl.sqlite").write_bytes(b"this is not a database" * 100)
    proc = run("--data-dir", str(tmp_path), "stats")
    assert proc.returncode == 1
    assert proc.stderr.startswith(f"Cannot read the crawl store {tmp_path / 'crawl.sqlite'}")
    assert "Traceback" not in proc.stderr


def test_unknown_format_lists_the_formats(tmp_path):
    write_store(tmp_path)
    proc = run("--data-dir", str(tmp_path), "export", "--format", "dot", "-o", "g.dot")
    assert proc.returncode == 2
    assert "invalid choice: 'dot'" in proc.stderr
    assert "'graphml', 'gexf', 'json', 'csv'" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_build_writes_graphml_and_prints_counts(tmp_path):
    write_store(tmp_path)
    proc = run("build", env={"DATA_DIR": str(tmp_path)})
    assert proc.returncode == 0, proc.stderr
    path = tmp_path / "graph.graphml"
    G = nx.read_graphml(path, force_multigraph=True)
    assert proc.stdout.startswith(f"Wrote {path}: {G.number_of_nodes()} nodes, "
                                  f"{G.number_of_edges()} edges")
    kinds = {}
    for _, kind in G.nodes(data="kind"):
        kinds[kind] = kinds.get(kind, 0) + 1
    for kind, n in kinds.items():
        assert any(line.split() == [kind, str(n)] for line in proc.stdout.splitlines())


def test_export_every_format(tmp_path):
    write_store(tmp_path)
    out = tmp_path / "out"
    for fmt, name in (("graphml", "g.graphml"), ("gexf", "g.gexf"), ("json", "g.json")):
        proc = run("--data-dir", str(tmp_path), "export", "--format", fmt, "-o",
                   str(out / name))
        assert proc.returncode == 0, proc.stderr
        assert proc.stdout.startswith(f"Wrote {out / name}: ")
    G = nx.read_graphml(out / "g.graphml", force_multigraph=True)
    data = json.loads((out / "g.json").read_text(encoding="utf-8"))
    assert len(data["nodes"]) == G.number_of_nodes()
    assert len(data["edges"]) == G.number_of_edges()
    assert nx.read_gexf(out / "g.gexf").number_of_nodes() == G.number_of_nodes()

    proc = run("--data-dir", str(tmp_path), "export", "--format", "csv", "-o",
               str(out / "neo4j"))
    assert proc.returncode == 0, proc.stderr
    with open(out / "neo4j" / "nodes.csv", newline="", encoding="utf-8") as f:
        nodes = list(csv.reader(f))
    with open(out / "neo4j" / "edges.csv", newline="", encoding="utf-8") as f:
        edges = list(csv.reader(f))
    assert nodes[0][:2] == ["id:ID", ":LABEL"] and len(nodes) - 1 == G.number_of_nodes()
    assert edges[0][:3] == [":START_ID", ":END_ID", ":TYPE"]
    assert len(edges) - 1 == G.number_of_edges()


def test_export_to_stdout_and_default_path(tmp_path):
    write_store(tmp_path)
    proc = run("--data-dir", str(tmp_path), "export", "--format", "json", "-o", "-")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["directed"] is True
    proc = run("--data-dir", str(tmp_path), "export", "--format", "gexf")
    assert proc.returncode == 0 and (tmp_path / "graph.gexf").exists()


def test_export_to_unwritable_path_is_a_clear_error(tmp_path):
    write_store(tmp_path)
    (tmp_path / "file").write_text("x")
    proc = run("--data-dir", str(tmp_path), "export", "--format", "json", "-o",
               str(tmp_path / "file" / "g.json"))
    assert proc.returncode == 1
    assert proc.stderr.startswith(f"Cannot write {tmp_path / 'file' / 'g.json'}")
    assert "Traceback" not in proc.stderr
    proc = run("--data-dir", str(tmp_path), "export", "--format", "csv", "-o",
               str(tmp_path / "file"))
    assert proc.returncode == 1 and "csv export writes a directory" in proc.stderr


def test_stats_prints_counts_and_top_nodes(tmp_path):
    write_store(tmp_path)
    proc = run("--data-dir", str(tmp_path), "stats", "--top", "5")
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert "nodes:" in out and "edges:" in out and "pages by status:" in out
    assert any(line.split() == ["http_error", "1"] for line in out.splitlines())
    top = out.split("top 5 by pagerank:\n", 1)[1].strip().splitlines()
    assert len(top) == 5


def _umask_env_run(umask: int, *args: str) -> subprocess.CompletedProcess:
    # The umask is a process property: set it in the child, as a user's shell would.
    full_env = dict(os.environ)
    full_env["PYTHONPATH"] = str(REPO) + os.pathsep + full_env.get("PYTHONPATH", "")
    full_env.pop("DATA_DIR", None)
    return subprocess.run([sys.executable, "-m", "graph", *args], env=full_env,
                          capture_output=True, text=True, timeout=120,
                          preexec_fn=lambda: os.umask(umask))


@pytest.mark.parametrize("umask, mode", [(0o022, 0o644), (0o027, 0o640), (0o077, 0o600)])
def test_written_files_follow_the_umask(tmp_path, umask, mode):
    write_store(tmp_path)
    assert _umask_env_run(umask, "--data-dir", str(tmp_path), "build").returncode == 0
    assert (tmp_path / "graph.graphml").stat().st_mode & 0o777 == mode
    for fmt, target in (("json", tmp_path / "g.json"), ("csv", tmp_path / "neo4j")):
        proc = _umask_env_run(umask, "--data-dir", str(tmp_path), "export", "--format", fmt,
                              "-o", str(target))
        assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "g.json").stat().st_mode & 0o777 == mode
    assert {p.name: p.stat().st_mode & 0o777 for p in (tmp_path / "neo4j").iterdir()} == {
        "nodes.csv": mode, "edges.csv": mode}


def test_json_export_prints_the_call_that_reads_it_back(tmp_path):
    write_store(tmp_path)
    proc = run("--data-dir", str(tmp_path), "export", "--format", "json")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines()[-1] == (
        'Read it back with nx.node_link_graph(data, edges="edges", source="src", target="dst")')


def test_readme_json_read_back_code_runs(tmp_path):
    """The README's snippet, run as written in a directory holding data/, reads the export."""
    data_dir = tmp_path / "data"
    write_store(data_dir)
    assert run("--data-dir", str(data_dir), "build").returncode == 0
    assert run("--data-dir", str(data_dir), "export", "--format", "json").returncode == 0
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("### Exported files", 1)[1]
    code = section.split("```python\n", 1)[1].split("```", 1)[0]
    proc = subprocess.run([sys.executable, "-c", code], cwd=tmp_path,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    G = nx.read_graphml(data_dir / "graph.graphml", force_multigraph=True)
    assert proc.stdout.split() == [str(G.number_of_nodes()), str(G.number_of_edges())]


def test_build_stamps_the_graph_with_the_store_content_it_read(tmp_path):
    from graph.store import Store

    write_store(tmp_path)
    store = Store.open_existing(tmp_path)
    stamp = store.content_stamp()
    store_id, version = stamp.split(":")
    assert len(store_id) == 32 and int(version) > 0
    store.close()
    assert run("--data-dir", str(tmp_path), "build").returncode == 0
    G = nx.read_graphml(tmp_path / "graph.graphml", force_multigraph=True)
    assert G.graph["store_stamp"] == stamp
    store = Store.open_existing(tmp_path)
    crawl = store.start_crawl("list.txt")  # the crawl log is not graph content
    store.finish_crawl(crawl, {"seeds": 0})
    assert store.content_stamp() == stamp
    store.upsert_document({"url": "https://new.example/", "outcome": "ok"})
    assert store.content_stamp() == f"{store_id}:{int(version) + 1}"
    # A hand edit with any SQLite tool counts too.
    store.conn.execute("UPDATE documents SET title = 'x' WHERE url = 'https://new.example/'")
    assert store.content_stamp() == f"{store_id}:{int(version) + 2}"
    store.close()


def test_a_store_from_before_stamps_has_none(tmp_path):
    import sqlite3

    from graph.store import Store

    write_store(tmp_path)
    with sqlite3.connect(tmp_path / "crawl.sqlite") as conn:
        conn.execute("DELETE FROM meta WHERE key IN ('store_id', 'content_version')")
    conn.close()
    store = Store(tmp_path / "crawl.sqlite", readonly=True)
    assert store.content_stamp() is None
    store.close()
