"""``python -m graph build|export|stats``: the graph from the command line.

The data directory comes from ``--data-dir``, else the ``DATA_DIR`` environment variable,
else ``./data``. Every command rebuilds the graph from ``<data dir>/crawl.sqlite`` (the one
source of truth), so a better vocabulary or linker applies without a new crawl.

>>> main(["--data-dir", "/nonexistent", "stats"])  # stderr: No crawl store at ...
1
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import sys
import time
from collections import Counter
from pathlib import Path

from graph.export import EXTENSIONS, FORMATS, JSON_READ_BACK, export_bytes, write_graph
from graph.store import Store, StoreMissing, store_path
from graph.vocabulary import LOCAL_VOCABULARY, VocabularyError, data_vocabulary


class CliError(Exception):
    """A problem to report in one line, with the exit status to use."""

    def __init__(self, message: str, status: int = 1):
        super().__init__(message)
        self.status = status


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m graph",
        description="Build, export and summarise the reading-list knowledge graph.")
    parser.add_argument("--data-dir", default=None,
                        help="where crawl.sqlite lives (default: $DATA_DIR or ./data)")
    # Also accepted after the command ("python -m graph build --data-dir x").
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--data-dir", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    build = sub.add_parser("build", parents=[common],
                           help="build the graph and write <data dir>/graph.graphml")
    build.add_argument("-o", "--output", default=None,
                       help="GraphML path to write (default: <data dir>/graph.graphml)")
    export = sub.add_parser("export", parents=[common],
                            help="write the graph in another format")
    export.add_argument("--format", "-f", required=True, choices=FORMATS,
                        help="graphml, gexf (Gephi), json (node-link) or csv (Neo4j import)")
    export.add_argument("-o", "--output", default=None,
                        help="file to write, '-' for stdout (csv: a directory, or a zip on "
                             "stdout); default <data dir>/graph.<format>")
    stats = sub.add_parser("stats", parents=[common],
                           help="counts by kind and relation, and the top nodes")
    stats.add_argument("--top", type=int, default=10, help="how many top nodes to list")
    vocabulary = sub.add_parser("vocabulary", parents=[common],
                                help="what the graph learned beyond the vocabulary")
    vocabulary.add_argument("action", choices=["suggest"],
                            help="suggest: learned methods as vocabulary entries to review")
    vocabulary.add_argument("-o", "--output", default=None,
                            help=f"YAML file to write (e.g. <data dir>/{LOCAL_VOCABULARY}, "
                                 "which the next build merges in); default: stdout")
    return parser


def _data_dir(args) -> Path:
    return Path(args.data_dir or os.environ.get("DATA_DIR") or "data")


def _load(data_dir: Path):
    from graph.build import build_graph

    try:
        store = Store.open_existing(data_dir)
    except StoreMissing:
        raise CliError(f"No crawl store at {store_path(data_dir)}. "
                       "Run `scrapy crawl seeds` first.") from None
    except sqlite3.DatabaseError as exc:
        raise CliError(f"Cannot read the crawl store {store_path(data_dir)}: {exc}") from None
    try:
        vocab = data_vocabulary(data_dir)
    except VocabularyError as exc:
        raise CliError(str(exc)) from None
    try:
        return build_graph(store, vocab)
    except sqlite3.DatabaseError as exc:
        raise CliError(f"Cannot read the crawl store {store_path(data_dir)}: {exc}") from None
    finally:
        store.close()


def _counts(G) -> tuple[Counter, Counter]:
    kinds = Counter(d.get("kind", "?") for _, d in G.nodes(data=True))
    rels = Counter(d.get("rel", "?") for *_, d in G.edges(data=True))
    return kinds, rels


def _format_counts(title: str, counts: Counter) -> list[str]:
    lines = [f"{title}:"]
    for name, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
        lines.append(f"  {name:<14}{n:>8}")
    return lines


def cmd_build(args, out) -> int:
    data_dir = _data_dir(args)
    started = time.monotonic()
    G = _load(data_dir)
    path = Path(args.output) if args.output else data_dir / "graph.graphml"
    _write(G, "graphml", path)
    kinds, rels = _counts(G)
    print(f"Wrote {path}: {G.number_of_nodes()} nodes, {G.number_of_edges()} edges "
          f"in {time.monotonic() - started:.1f} s", file=out)
    print("\n".join(_format_counts("nodes", kinds) + _format_counts("edges", rels)), file=out)
    return 0


def _write(G, fmt: str, path: Path) -> Path:
    try:
        return write_graph(G, fmt, path)
    except OSError as exc:
        raise CliError(f"Cannot write {path}: {exc.strerror or exc}") from None


def cmd_export(args, out) -> int:
    data_dir = _data_dir(args)
    G = _load(data_dir)
    if args.output == "-":
        sys.stdout.flush()
        sys.stdout.buffer.write(export_bytes(G, args.format))
        sys.stdout.buffer.flush()
        return 0
    default = data_dir / ("graph-csv" if args.format == "csv"
                          else f"graph{EXTENSIONS[args.format]}")
    path = Path(args.output) if args.output else default
    if args.format == "csv" and path.exists() and not path.is_dir():
        raise CliError(f"Cannot write {path}: csv export writes a directory "
                       "(nodes.csv, edges.csv) and this is a file")
    written = _write(G, args.format, path)
    what = f"{written}/nodes.csv and {written}/edges.csv" if args.format == "csv" else written
    print(f"Wrote {what}: {G.number_of_nodes()} nodes, {G.number_of_edges()} edges", file=out)
    if args.format == "json":
        print(f"Read it back with {JSON_READ_BACK}", file=out)
    return 0


def cmd_stats(args, out) -> int:
    from graph.analysis import rank_nodes

    G = _load(_data_dir(args))
    kinds, rels = _counts(G)
    status = Counter(d.get("status", "?") for _, d in G.nodes(data=True)
                     if d.get("kind") == "page")
    lines = [f"{G.number_of_nodes()} nodes, {G.number_of_edges()} edges"]
    lines += _format_counts("nodes", kinds) + _format_counts("edges", rels)
    lines += _format_counts("pages by status", status)
    lines.append(f"top {args.top} by pagerank:")
    for node, score in rank_nodes(G, by="pagerank", top=args.top):
        d = G.nodes[node]
        lines.append(f"  {score:.4f}  {d.get('kind', '?'):<7} {d.get('label', node)}")
    print("\n".join(lines), file=out)
    return 0


def cmd_vocabulary(args, out) -> int:
    from graph.suggest import learned_entries, entries_yaml

    data_dir = _data_dir(args)
    entries = learned_entries(_load(data_dir))
    text = entries_yaml(entries, data_dir)
    if args.output:
        path = Path(args.output)
        try:
            path.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise CliError(f"Cannot write {path}: {exc.strerror or exc}") from None
        print(f"Wrote {len(entries)} learned entries to {path}", file=out)
    else:
        print(text, end="", file=out)
    return 0


def main(argv: list[str] | None = None, out=None) -> int:
    """Run the command line; returns the exit status (0 ok, 1 error, 2 usage)."""
    out = out or sys.stdout
    args = _parser().parse_args(argv)  # usage errors exit 2 with the choices listed
    command = {"build": cmd_build, "export": cmd_export, "stats": cmd_stats,
               "vocabulary": cmd_vocabulary}[args.command]
    try:
        return command(args, out)
    except CliError as exc:
        print(exc, file=sys.stderr)
        return exc.status
    except KeyboardInterrupt:
        print("Interrupted.", file=sys.stderr)
        return 130
