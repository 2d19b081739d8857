"""What the dashboard shows, as pure functions of the store and the graph (no Streamlit).

The dashboard reads ``<DATA_DIR>/crawl.sqlite`` and ``<DATA_DIR>/graph.graphml``; it never
writes either. Everything here takes plain values and returns plain values, so it is tested
without a browser and reused by the page code in ``dashboard/app.py``.

>>> import networkx as nx
>>> G = nx.MultiDiGraph()
>>> G.add_node("method:yolo", kind="method", label="YOLO")
>>> G.add_node("topic:od", kind="topic", label="object detection")
>>> G.add_edge("method:yolo", "topic:od", rel="part_of", weight=1.0)
0
>>> sorted(filter_graph(G, Filters(kinds=("method",))).nodes)
['method:yolo']
"""

from __future__ import annotations

import os
import shlex
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

import networkx as nx

from graph import analysis
from graph.analysis import is_true
from graph.build import (GRAPH_FILENAME, STAMP_ATTRIBUTE, VOCABULARY_SOURCE,
                         learned_from_reading)
from graph.citations import title_evidence
from graph.store import STORE_FILENAME, Store

KINDS = ("page", "paper", "person", "method", "topic")
RELATIONS = ("listed_under", "links_to", "mentions", "authored", "introduces",
             "evolved_from", "part_of", "works_on", "coauthor", "related_to", "cites")
VIEW_LIMIT = 500
CRAWL_COMMAND = "scrapy crawl seeds"
BUILD_COMMAND = "python -m graph build"
APP_COMMAND = "streamlit run dashboard/app.py"


def data_dir(environ: dict | None = None) -> Path:
    """The data directory: ``$DATA_DIR``, default ``./data``.

    >>> data_dir({"DATA_DIR": "/tmp/x"})
    PosixPath('/tmp/x')
    """
    environ = os.environ if environ is None else environ
    return Path(environ.get("DATA_DIR") or "data")


def first_run_commands(directory: str | Path) -> str:
    """The commands that fill ``directory`` and open it here, as a shell snippet.

    The default ``data`` needs no setting; any other directory is named in every command
    (absolute, so the commands work from the repository root whatever it was relative to).

    >>> print(first_run_commands("data"))
    scrapy crawl seeds        # crawl the reading list into data/
    python -m graph build     # optional: save data/graph.graphml
    streamlit run dashboard/app.py
    >>> print(first_run_commands("/tmp/run 1"))
    scrapy crawl seeds -s DATA_DIR='/tmp/run 1'     # crawl the reading list into /tmp/run 1/
    DATA_DIR='/tmp/run 1' python -m graph build     # optional: save /tmp/run 1/graph.graphml
    DATA_DIR='/tmp/run 1' streamlit run dashboard/app.py
    """
    d = Path(directory)
    if d == Path("data"):
        crawl, build, run, shown = CRAWL_COMMAND, BUILD_COMMAND, APP_COMMAND, "data"
    else:
        where = shlex.quote(str(d if d.is_absolute() else d.resolve()))
        crawl = f"{CRAWL_COMMAND} -s DATA_DIR={where}"
        build, run = f"DATA_DIR={where} {BUILD_COMMAND}", f"DATA_DIR={where} {APP_COMMAND}"
        shown = str(d if d.is_absolute() else d.resolve())
    width = max(len(crawl), len(build)) + 1
    return (f"{crawl:<{width}}    # crawl the reading list into {shown}/\n"
            f"{build:<{width}}    # optional: save {shown}/{GRAPH_FILENAME}\n"
            f"{run}")


def source_line(snap: "Snapshot") -> str:
    """Where the graph on screen comes from, and why.

    >>> source_line(Snapshot(nx.MultiDiGraph(), "graphml"))
    'Graph read from graph.graphml (built from exactly what the crawl store holds now).'
    """
    if snap.source == "graphml":
        if not snap.has_store:
            return f"Graph read from {GRAPH_FILENAME} (there is no crawl store)."
        return f"Graph read from {GRAPH_FILENAME} (built from exactly what the crawl store " \
               "holds now)."
    why = {"stale": f"{GRAPH_FILENAME} was built from older store content",
           "unreadable": f"{GRAPH_FILENAME} could not be read",
           }.get(snap.rebuilt_because or "", f"there is no {GRAPH_FILENAME}")
    return f"Graph built from the crawl store: {why} (`{BUILD_COMMAND}` saves it)."


def _stat(path: Path) -> tuple[int, int] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return (st.st_mtime_ns, st.st_size)


def signature(directory: str | Path) -> tuple:
    """Modification time and size of the store (with its write-ahead log) and the graph file.

    Caches key on this, so the dashboard reloads exactly when a crawl or a build changed
    something. A running crawl writes to ``crawl.sqlite-wal`` first, hence the WAL's entry.

    >>> signature("/nonexistent")
    (None, None, None)
    """
    d = Path(directory)
    return (_stat(d / STORE_FILENAME), _stat(d / (STORE_FILENAME + "-wal")),
            _stat(d / GRAPH_FILENAME))


def has_store(directory: str | Path) -> bool:
    return (Path(directory) / STORE_FILENAME).is_file()


def graph_stamp(G: nx.Graph) -> str | None:
    """The store content stamp a graph was built from (None when it carries none).

    >>> G = nx.MultiDiGraph(store_stamp="ab12:7"); graph_stamp(G)
    'ab12:7'
    """
    stamp = G.graph.get(STAMP_ATTRIBUTE)
    return str(stamp) if stamp not in (None, "") else None


@dataclass
class Snapshot:
    """One consistent read of the data directory."""

    graph: nx.MultiDiGraph
    source: str                      # "graphml" | "store"
    seeds: list[dict] = field(default_factory=list)
    problems: list[dict] = field(default_factory=list)
    store_counts: dict[str, int] = field(default_factory=dict)
    has_store: bool = True
    # Why the graph was built from the store: "missing", "stale", "unreadable" (or None).
    rebuilt_because: str | None = None
    notice: str | None = None        # one line about a graph file that could not be used

    @property
    def is_empty(self) -> bool:
        return not self.seeds and self.graph.number_of_nodes() == 0


def _read_graphml(path: Path) -> nx.MultiDiGraph:
    G = nx.read_graphml(path, force_multigraph=True)
    return G if isinstance(G, nx.MultiDiGraph) else nx.MultiDiGraph(G)


def read_snapshot(directory: str | Path, build=None) -> Snapshot:
    """Read the store and the graph of ``directory``.

    ``graph.graphml`` is used when its ``store_stamp`` equals the store's content stamp
    (it was built from exactly what the store holds now), or when there is no store at all.
    Otherwise the graph is built from the store with ``build`` (default
    ``graph.build.build_graph``; passed in so tests can swap it): when the file is missing,
    older than the store's content, or unreadable (then ``notice`` says so in one line).
    Raises ``graph.store.StoreMissing`` when there is neither a store nor a graph file, and
    the graph file's own error when it is unreadable and there is no store to rebuild from.
    """
    d = Path(directory)
    graph_file = d / GRAPH_FILENAME
    seeds: list[dict] = []
    problems: list[dict] = []
    counts: dict[str, int] = {}
    store = None
    if has_store(d) or not graph_file.is_file():
        store = Store.open_existing(d)  # raises StoreMissing before any crawl
    notice = None
    try:
        stamp = None
        if store is not None:
            stamp = store.content_stamp()  # first: a later write can only make it stale
            seeds = store.seed_outcomes()
            problems = store.problems()
            counts = store.counts()
        G, reason = None, "missing"
        if graph_file.is_file():
            try:
                G = _read_graphml(graph_file)
            except Exception as exc:  # noqa: BLE001 - ParseError, bad types, ...
                if store is None:
                    raise
                reason = "unreadable"
                notice = (f"{GRAPH_FILENAME} could not be read ({type(exc).__name__}: "
                          f"{exc}); the graph was rebuilt from the crawl store.")
            else:
                if store is None or (stamp is not None and graph_stamp(G) == stamp):
                    reason = None
                else:
                    G, reason = None, "stale"
        if G is None:
            if build is None:
                from graph.build import build_graph
                from graph.vocabulary import VocabularyError, data_vocabulary

                try:
                    vocab = data_vocabulary(d)  # with DATA_DIR/vocabulary.local.yaml
                except VocabularyError as exc:
                    vocab = None
                    notice = (f"{exc}; the bundled vocabulary was used instead.")

                def build(s, vocab=vocab):
                    return build_graph(s, vocab)
            G = build(store)
        source = "store" if reason else "graphml"
    finally:
        if store is not None:
            store.close()
    if not isinstance(G, nx.MultiDiGraph):
        G = nx.MultiDiGraph(G)
    return Snapshot(G, source, seeds, problems, counts, has_store=store is not None,
                    rebuilt_because=reason, notice=notice)


# -- attributes ---------------------------------------------------------------------------
def as_list(value: Any) -> list[str]:
    """A list attribute, whether built in memory (a list) or read from GraphML ('a|b').

    >>> as_list("Kaiming He|何恺明"), as_list(["a", "b"]), as_list(None)
    (['Kaiming He', '何恺明'], ['a', 'b'], [])
    """
    if value is None:
        return []
    if isinstance(value, (list, tuple, set)):
        return [str(v) for v in value if v is not None and str(v).strip()]
    text = str(value).strip()
    return [p.strip() for p in text.split("|") if p.strip()] if text else []


def label_of(G: nx.Graph, node: Any) -> str:
    """A node's label, falling back to its id."""
    data = G.nodes[node] if node in G else {}
    return str(data.get("label") or data.get("title") or node)


def kind_of(G: nx.Graph, node: Any) -> str:
    if node not in G:
        return ""
    kind = G.nodes[node].get("kind")
    return str(kind) if kind else str(node).split(":", 1)[0]


def display_name(G: nx.Graph, node: Any) -> str:
    """'Kaiming He (person)': how a node reads in lists and pickers."""
    return f"{label_of(G, node)} ({kind_of(G, node)})"


def year_of(value: Any) -> int | None:
    """A year as int from 2015, 2015.0, '2015' or '2015-12-10T...'.

    >>> year_of("2015-12-10T15:00:00Z"), year_of(2014.0), year_of(None)
    (2015, 2014, None)
    """
    if value is None or value == "":
        return None
    try:
        return int(float(value))
    except (TypeError, ValueError):
        text = str(value)
        return int(text[:4]) if text[:4].isdigit() else None


def weight_of(data: dict) -> float:
    try:
        return float(data.get("weight", 1.0))
    except (TypeError, ValueError):
        return 1.0


def nodes_of_kind(G: nx.Graph, kind: str) -> list:
    """Nodes of one kind, sorted by label."""
    return sorted((n for n in G if kind_of(G, n) == kind), key=lambda n: label_of(G, n).lower())


# -- overview -------------------------------------------------------------------------------
def kind_counts(G: nx.Graph) -> dict[str, int]:
    """Number of nodes per kind, in the contract's order, then any other kind."""
    counts = Counter(kind_of(G, n) for n in G)
    ordered = {k: counts.get(k, 0) for k in KINDS}
    ordered.update({k: v for k, v in sorted(counts.items()) if k not in ordered})
    return ordered


def relation_counts(G: nx.Graph) -> dict[str, int]:
    counts = Counter(str(d.get("rel", "")) for *_, d in G.edges(data=True))
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


OK, ARCHIVED, DEAD, FAILED, PENDING = "ok", "archived", "dead", "failed", "not crawled"
SEED_STATES = (OK, ARCHIVED, DEAD, FAILED, PENDING)
# Gone for good: the same outcomes the crawler asks the web archive about, and links that
# were never usable URLs or that the archive does not have either.
DEAD_OUTCOMES = frozenset({"dns_error", "connection_refused", "not_in_archive",
                           "invalid_url", "not_found"})
DEAD_HTTP_STATUSES = frozenset({404, 410})


def seed_state(outcome: str | None, http_status: Any = None,
               fetched_via: str | None = None) -> str:
    """One of 'ok', 'archived', 'dead', 'failed', 'not crawled' for a seed's crawl result.

    >>> seed_state("http_error", 404), seed_state("timeout"), seed_state("ok", 200, "archive")
    ('dead', 'failed', 'archived')
    """
    if outcome is None or outcome == "pending":
        return PENDING
    if fetched_via == "archive":
        return ARCHIVED
    if outcome == "ok":
        return OK
    try:
        status = int(http_status) if http_status not in (None, "") else None
    except (TypeError, ValueError):
        status = None
    if outcome in DEAD_OUTCOMES or (outcome == "http_error" and status in DEAD_HTTP_STATUSES):
        return DEAD
    return FAILED


def _state_of(seed: dict) -> str:
    return seed_state(seed.get("outcome"), seed.get("http_status"), seed.get("fetched_via"))


def seed_summary(seeds: Iterable[dict]) -> dict[str, int]:
    """Seeds per state, every state present: ``{'ok': n, 'archived': n, 'dead': n, ...}``.

    A URL listed on two lines counts once.
    """
    by_url = {}
    for s in seeds:
        by_url.setdefault(s.get("url") or s.get("listed_url"), s)
    counts = Counter(_state_of(s) for s in by_url.values())
    return {state: counts[state] for state in SEED_STATES}


def state_lines(seeds: Iterable[dict]) -> dict[str, dict]:
    """Per state, its distinct URLs and the reading-list lines that list them.

    The metrics count URLs and the warnings name lines; both come from here so they agree.

    >>> seeds = [{"line": 3, "url": "http://x/", "outcome": "dns_error"},
    ...          {"line": 7, "url": "http://x/", "outcome": "dns_error"}]
    >>> state_lines(seeds)["dead"]
    {'urls': 1, 'lines': [3, 7]}
    """
    urls: dict[str, set] = {state: set() for state in SEED_STATES}
    lines: dict[str, list] = {state: [] for state in SEED_STATES}
    for s in seeds:
        state = _state_of(s)
        urls[state].add(s.get("url") or s.get("listed_url"))
        lines[state].append(s.get("line"))
    return {state: {"urls": len(urls[state]), "lines": lines[state]} for state in SEED_STATES}


def _count(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


HEALTH_ADVICE = ((DEAD, "dead", "fix or replace them"),
                 (ARCHIVED, "archived", "now live only in the web archive"),
                 (FAILED, "failed", "could not be used"))


def health_warnings(seeds: Iterable[dict]) -> list[tuple[str, str]]:
    """(state, message) for each state that needs attention, counting URLs as the
    metrics do and saying how many list lines they are on when that differs.

    >>> seeds = [{"line": 3, "url": "http://x/", "outcome": "dns_error"},
    ...          {"line": 7, "url": "http://x/", "outcome": "dns_error"}]
    >>> health_warnings(seeds)
    [('dead', '1 dead URL (2 list lines): fix or replace them. Reading-list lines 3, 7.')]
    """
    groups = state_lines(seeds)
    out = []
    for state, word, advice in HEALTH_ADVICE:
        urls, lines = groups[state]["urls"], groups[state]["lines"]
        if not lines:
            continue
        head = f"{urls} {word} URL{'' if urls == 1 else 's'}"
        if len(lines) != urls:
            head += f" ({_count(len(lines), 'list line')})"
        where = "line" if len(lines) == 1 else "lines"
        out.append((state, f"{head}: {advice}. Reading-list {where} "
                           f"{', '.join(str(n) for n in lines)}."))
    return out


def url_line_note(seeds: Iterable[dict]) -> str:
    """What the seed counts count: '12 URLs on 13 reading-list lines (...)'.

    >>> url_line_note([{"line": 1, "url": "a"}, {"line": 2, "url": "a"}])
    'Seeds are counted by URL: 1 URL on 2 reading-list lines (a URL listed twice counts once).'
    """
    seeds = list(seeds)
    urls = len({s.get("url") or s.get("listed_url") for s in seeds})
    note = f"Seeds are counted by URL: {_count(urls, 'URL')} on " \
           f"{_count(len(seeds), 'reading-list line')}"
    return note + (" (a URL listed twice counts once)." if urls != len(seeds) else ".")


def seed_rows(seeds: Iterable[dict], only_problems: bool = False) -> list[dict]:
    """The crawl-health table: one row per seed, in reading-list order.

    >>> seed_rows([{"line": 3, "listed_url": "http://x/", "outcome": "dns_error"}])[0]["state"]
    'dead'
    """
    rows = []
    for s in seeds:
        state = _state_of(s)
        if only_problems and state == OK:
            continue
        rows.append({
            "line": s.get("line"),
            "state": state,
            "outcome": s.get("outcome") or "",
            "reason": s.get("reason") or "",
            "http_status": s.get("http_status"),
            "listed_url": s.get("listed_url") or s.get("url") or "",
            "final_url": s.get("final_url") or "",
            "title": s.get("title") or "",
            "heading": s.get("heading") or "",
            "fetched_via": s.get("fetched_via") or "",
        })
    return rows


def display_rows(rows: list[dict]) -> list[dict]:
    """Rows for a table, with empty cells blank: a column holding any None is shown as
    text, None as '' (tables would otherwise print "None").

    >>> display_rows([{"line": 1, "http": 404}, {"line": 2, "http": None}])
    [{'line': 1, 'http': '404'}, {'line': 2, 'http': ''}]
    """
    gappy = {k for r in rows for k, v in r.items() if v is None}
    return [{k: ("" if v is None else str(v)) if k in gappy else v for k, v in r.items()}
            for r in rows]


def headings(seeds: Iterable[dict]) -> list[str]:
    """The reading list's headings, in the order they first appear."""
    seen: dict[str, None] = {}
    for s in seeds:
        if s.get("heading"):
            seen.setdefault(str(s["heading"]), None)
    return list(seen)


# -- filters --------------------------------------------------------------------------------
@dataclass(frozen=True)
class Filters:
    """What one view of the network shows. ``kinds``/``rels`` None mean all of them."""

    kinds: tuple[str, ...] | None = None
    rels: tuple[str, ...] | None = None
    topic: str | None = None          # a topic node: it, its neighbours, its methods' neighbours
    community: tuple = ()             # the nodes of one community
    heading: str | None = None        # pages listed under this heading, and their neighbours
    min_weight: float = 0.0
    provenance: str = "all"           # one of PROVENANCE: all, crawled or learned


# What a view may show, by where its knowledge comes from.
PROVENANCE = {
    "all": "everything",
    "crawled": "what the crawl found (hide what only the vocabulary says)",
    "learned": "learned concepts only, with what they connect to",
}

# How each origin reads on a node's page.
ORIGIN_TEXT = {
    VOCABULARY_SOURCE: "listed in the vocabulary",
    "title": "learned from a paper's title",
    "abstract": "learned from a definition in a paper's abstract",
    "acronym": "learned from an abbreviation defined in a page",
    "heading": "learned from a reading-list heading",
    "list": "learned from the reading list",
}


def is_learned(G: nx.Graph, node: Any) -> bool:
    """True for a concept the graph learned from what it read, not from the vocabulary.

    >>> G = nx.MultiDiGraph([("m:moco", "p:1")]); G.nodes["m:moco"]["origin"] = "abstract"
    >>> is_learned(G, "m:moco"), is_learned(G, "p:1")
    (True, False)
    """
    return learned_from_reading(G.nodes[node])


def from_vocabulary(data: dict) -> bool:
    """True for an edge that only the vocabulary file states (no crawled source)."""
    return (data.get("source") or VOCABULARY_SOURCE) == VOCABULARY_SOURCE


def crawled_nodes(G: nx.Graph) -> set:
    """Every node that is not a vocabulary entity no crawled text mentions: pages, papers,
    learned concepts, and vocabulary entities with at least one edge from a crawled source.

    >>> G = nx.MultiDiGraph()
    >>> G.add_node("page:a"); G.add_node("m:rcnn", origin="vocabulary")
    >>> G.add_node("m:alexnet", origin="vocabulary")
    >>> G.add_edge("page:a", "m:rcnn", rel="mentions", source="http://a/")
    0
    >>> G.add_edge("m:rcnn", "m:alexnet", rel="evolved_from", source="vocabulary")
    0
    >>> sorted(crawled_nodes(G))
    ['m:rcnn', 'page:a']
    """
    touched = set()
    for u, v, d in G.edges(data=True):
        if not from_vocabulary(d):
            touched.update((u, v))
    return {n for n, d in G.nodes(data=True)
            if d.get("origin") != VOCABULARY_SOURCE or n in touched}


def neighbourhood(G: nx.Graph, nodes: Iterable) -> set:
    """The nodes and everything one edge away, in either direction."""
    out = set()
    for n in nodes:
        if n in G:
            out.add(n)
            out.update(G.successors(n))
            out.update(G.predecessors(n))
    return out


def topic_scope(G: nx.Graph, topic: Any) -> set:
    """A topic, its neighbours, and the neighbours of the methods that are part of it."""
    if topic not in G:
        return set()
    methods = [u for u, _, d in G.in_edges(topic, data=True) if d.get("rel") == "part_of"]
    return neighbourhood(G, [topic]) | neighbourhood(G, methods)


def heading_pages(G: nx.Graph, seeds: Iterable[dict], heading: str) -> list:
    """Page nodes of the seeds listed under ``heading``."""
    pages = [f"page:{s['url']}" for s in seeds if s.get("heading") == heading and s.get("url")]
    return [p for p in dict.fromkeys(pages) if p in G]


def filter_graph(G: nx.MultiDiGraph, f: Filters, seeds: Iterable[dict] = ()) -> nx.MultiDiGraph:
    """The part of ``G`` that ``f`` selects, as a new graph with every attribute kept.

    Scopes (topic, community, heading, provenance) intersect; then nodes are kept by kind
    and edges by relation and minimum weight. ``provenance="crawled"`` also drops every edge
    only the vocabulary states. Exports of a view use exactly this graph.
    """
    nodes = set(G.nodes)
    if f.topic:
        nodes &= topic_scope(G, f.topic)
    if f.community:
        nodes &= set(f.community)
    if f.heading:
        nodes &= neighbourhood(G, heading_pages(G, seeds, f.heading))
    crawled_only = f.provenance == "crawled"
    if f.provenance == "learned":
        nodes &= neighbourhood(G, [n for n in G if is_learned(G, n)])
    elif crawled_only:
        nodes &= crawled_nodes(G)
    if f.kinds is not None:
        nodes = {n for n in nodes if kind_of(G, n) in f.kinds}
    H = nx.MultiDiGraph()
    H.graph.update(G.graph)
    H.add_nodes_from((n, dict(G.nodes[n])) for n in G if n in nodes)  # keep G's order
    for u, v, k, d in G.edges(keys=True, data=True):
        if u in nodes and v in nodes and (f.rels is None or d.get("rel") in f.rels) \
                and weight_of(d) >= f.min_weight \
                and not (crawled_only and from_vocabulary(d)):
            H.add_edge(u, v, key=k, **d)
    return H


def cap_view(G: nx.Graph, scores: dict, limit: int = VIEW_LIMIT) -> tuple[list, dict[str, int]]:
    """The ``limit`` most central nodes of ``G`` and, per kind, how many were left out.

    >>> G = nx.MultiDiGraph(); G.add_nodes_from([("a", {"kind": "page"}), ("b", {"kind": "page"})])
    >>> cap_view(G, {"a": 0.2, "b": 0.8}, limit=1)
    (['b'], {'page': 1})
    """
    ranked = sorted(G.nodes, key=lambda n: (-float(scores.get(n, 0.0)), label_of(G, n)))
    kept, dropped = ranked[:limit], ranked[limit:]
    return kept, dict(Counter(kind_of(G, n) for n in dropped).most_common())


# -- one node -------------------------------------------------------------------------------
DETAIL_FIELDS = ("url", "final_url", "title", "year", "published", "status", "http_status",
                 "lang", "fetched_via", "archive_timestamp", "arxiv_id", "categories",
                 "primary_category", "doi", "journal_ref", "pdf_url", "category",
                 "affiliation", "chinese_name", "depth")


def origin_text(data: dict) -> str:
    """Where a concept comes from, as the node page says it ('' for pages and papers).

    >>> origin_text({"origin": "abstract", "confidence": 0.8})
    "learned from a definition in a paper's abstract (confidence 0.8)"
    >>> origin_text({"origin": "vocabulary", "confidence": 1.0})
    'listed in the vocabulary'
    """
    origin = data.get("origin")
    if not origin:
        return ""
    text = ORIGIN_TEXT.get(str(origin), f"learned ({origin})")
    confidence = data.get("confidence")
    if origin != VOCABULARY_SOURCE and confidence not in (None, ""):
        text += f" (confidence {float(confidence):g})"
    return text


def node_details(G: nx.Graph, node: Any, seeds: Iterable[dict] = ()) -> dict:
    """What the details panel shows about one node (raw values; the page escapes them).

    Pages carry the outcome of their crawl from the seed table when they were listed.
    """
    data = dict(G.nodes[node])
    details = {
        "id": str(node),
        "kind": kind_of(G, node),
        "label": label_of(G, node),
        "summary": str(data.get("summary") or data.get("description") or ""),
        "keywords": as_list(data.get("keywords")),
        "authors": as_list(data.get("authors")),
        "aliases": as_list(data.get("aliases")),
        "origin": origin_text(data),
        "year": year_of(data.get("year") or data.get("published")),
        "url": str(data.get("url") or data.get("abs_url") or ""),
        "status": str(data.get("status") or ""),
        "reason": "",
        "listed_at": [],
        "other": {k: v for k, v in data.items()
                  if k in DETAIL_FIELDS and k not in ("authors", "aliases", "url", "status")
                  and v not in (None, "")},
    }
    page_url = str(node)[len("page:"):] if str(node).startswith("page:") else None
    for s in seeds:
        if page_url and s.get("url") == page_url:
            details["listed_at"].append(s.get("line"))
            if s.get("outcome") and not details["status"]:
                details["status"] = s["outcome"]
            if s.get("reason"):
                details["reason"] = str(s["reason"])
    if not details["reason"] and data.get("reason"):
        details["reason"] = str(data["reason"])
    if not details["listed_at"] and data.get("lines"):
        details["listed_at"] = as_list(data["lines"])
    details["state"] = (seed_state(details["status"] or None, data.get("http_status"),
                                   data.get("fetched_via"))
                        if details["kind"] == "page" else "")
    details["dead"] = details["state"] == DEAD
    details["headings"] = as_list(data.get("headings"))
    details["notes"] = as_list(data.get("notes"))
    # authors of a paper are also its 'authored' edges: list them when the attribute is absent
    if not details["authors"] and details["kind"] in ("paper", "page"):
        details["authors"] = [label_of(G, u) for u, _, d in G.in_edges(node, data=True)
                              if d.get("rel") == "authored"]
    return details


def neighbours(G: nx.MultiDiGraph, node: Any) -> dict[str, list[dict]]:
    """The node's edges grouped by relation, each with the other end and its evidence.

    ``direction`` is '→' for an edge leaving ``node`` and '←' for one arriving.
    """
    groups: dict[str, list[dict]] = {}
    edges = [(v, "→", d) for _, v, d in G.out_edges(node, data=True)]
    edges += [(u, "←", d) for u, _, d in G.in_edges(node, data=True)]
    for other, direction, d in edges:
        more = [f"{d[f'evidence_{i}']} ({d.get(f'source_{i}') or '?'})" for i in (2, 3)
                if d.get(f"evidence_{i}")]
        groups.setdefault(str(d.get("rel", "")), []).append({
            "direction": direction,
            "node": label_of(G, other),
            "kind": kind_of(G, other),
            "evidence": str(d.get("evidence") or ""),
            "source": str(d.get("source") or ""),
            "more evidence": " | ".join(more),
            "weight": weight_of(d),
            "id": str(other),
        })
    for rows in groups.values():
        rows.sort(key=lambda r: (-r["weight"], r["node"].lower()))
    return dict(sorted(groups.items()))


# -- paths, lineage, reading order --------------------------------------------------------
def path_rows(G: nx.Graph, hops: list[dict] | None) -> list[dict]:
    """An explanation path as table rows with readable labels."""
    rows = []
    for i, h in enumerate(hops or [], start=1):
        rows.append({
            "hop": i,
            "from": label_of(G, h.get("src")),
            "relation": str(h.get("rel", "")),
            "to": label_of(G, h.get("dst")),
            "evidence": str(h.get("evidence") or ""),
            "source": str(h.get("source") or ""),
        })
    return rows


def year_points(rows: list[dict]) -> list[dict]:
    """The rows of a timeline that have a year (a null year has no place on the axis).

    >>> year_points([{"year": 2014, "method": "R-CNN"}, {"year": None, "method": "x"}])
    [{'year': 2014, 'method': 'R-CNN'}]
    """
    return [r for r in rows if isinstance(r.get("year"), int)]


def short_name(G: nx.Graph, node: Any, limit: int = 60) -> str:
    """A node's name for a one-line list: the title, else the label; a bare URL loses its
    scheme and is clipped.

    >>> G = nx.MultiDiGraph(); G.add_node("page:http://a.example/x/", kind="page",
    ...                                    label="http://a.example/x/")
    >>> short_name(G, "page:http://a.example/x/")
    'a.example/x'
    """
    data = G.nodes[node] if node in G else {}
    return _readable(str(data.get("title") or data.get("label") or node), limit)


def _readable(name: str, limit: int = 60) -> str:
    name = name.strip()
    if name.lower().startswith(("http://", "https://")):
        name = name.split("://", 1)[1].rstrip("/")
        if name.startswith("www."):
            name = name[4:]
    return name if len(name) <= limit else name[:limit - 1] + "…"


def community_name(G: nx.Graph, community: dict) -> str:
    """How a community reads in the filter: its top nodes and its size.

    >>> G = nx.MultiDiGraph(); G.add_node("page:http://a.example/", kind="page",
    ...                                    label="http://a.example/", title="A page")
    >>> community_name(G, {"label": "http://a.example/", "nodes": ["page:http://a.example/"]})
    'A page (1 node)'
    >>> community_name(G, {"label": "ResNet / https://b.example/x", "nodes": ["a", "b"]})
    'ResNet / b.example/x (2 nodes)'
    """
    nodes = list(community.get("nodes") or [])
    if len(nodes) == 1:
        name = short_name(G, nodes[0])
    else:  # the labels of its top nodes, a bare URL among them shortened
        name = " / ".join(_readable(part, 40) for part in
                          str(community.get("label") or "").split(" / "))
    return f"{name} ({len(nodes)} node{'' if len(nodes) == 1 else 's'})"


def lineage_rows(G: nx.Graph, items: list[dict], name: str = "method") -> list[dict]:
    """Lineage steps as rows ``{"year", name, "id"}``; a paper is named by its title."""
    return [{"year": year_of(it.get("year")),
             name: short_name(G, it.get("node"), limit=120) if kind_of(G, it.get("node")) ==
             "paper" else str(it.get("label") or label_of(G, it.get("node"))),
             "id": str(it.get("node"))} for it in items or []]


def reading_rows(G: nx.Graph, nodes: list) -> list[dict]:
    rows = []
    for i, n in enumerate(nodes or [], start=1):
        data = G.nodes[n] if n in G else {}
        rows.append({
            "#": i,
            "title": label_of(G, n),
            "kind": kind_of(G, n),
            "year": year_of(data.get("year") or data.get("published")),
            "url": str(data.get("url") or ""),
        })
    return rows


# -- citations ------------------------------------------------------------------------------
CITATION_STATUS_TEXT = {
    "ok": "references from Semantic Scholar",
    "not_found": "Semantic Scholar does not know this paper",
    "failed": "fetching its references from Semantic Scholar failed; the next crawl asks again",
}
CITATIONS_OFF = "-a citations=0"


def has_citations(G: nx.Graph) -> bool:
    """True when at least one ``cites`` edge is in the graph."""
    return any(d.get("rel") == "cites" for _, _, d in G.edges(data=True))


def citation_summary(G: nx.Graph) -> dict:
    """What the citation views need from the whole graph, in one pass over its edges:
    ``edges`` (how many ``cites``), ``citing`` (papers with references, in graph order)
    and ``missing`` (``missing_rows`` without a limit; empty when there are no citations).
    """
    citing: dict = {}
    edges = 0
    for u, _, d in G.edges(data=True):
        if d.get("rel") == "cites":
            edges += 1
            citing[u] = None
    return {"edges": edges, "citing": list(citing),
            "missing": missing_rows(G, limit=None) if edges else []}


def citation_status_text(data: dict) -> str:
    """What a paper's page says about its references ('' for a paper only cited).

    >>> citation_status_text({"kind": "paper", "in_list": True, "citations": "not_found"})
    'Semantic Scholar does not know this paper'
    >>> citation_status_text({"kind": "paper", "in_list": False})
    'known only as a reference of other papers: its own references are not fetched'
    """
    status = str(data.get("citations") or "")
    if status in CITATION_STATUS_TEXT:
        return CITATION_STATUS_TEXT[status]
    if data.get("kind") != "paper":
        return ""
    if "citations" in data:
        return f"references not fetched (the crawl ran with `{CITATIONS_OFF}` or stopped first)"
    return "known only as a reference of other papers: its own references are not fetched"


def _citation_row(G: nx.Graph, other: Any, d: dict) -> dict:
    data = G.nodes[other] if other in G else {}
    return {
        "paper": short_name(G, other, limit=120),
        "year": year_of(data.get("year") or data.get("published")),
        "in list": "yes" if is_true(data.get("in_list")) else "",
        "sentence": str(d.get("evidence") or ""),
        "intents": ", ".join(as_list(d.get("intents"))),
        "influential": "yes" if is_true(d.get("is_influential")) else "",
        "url": safe_url(data.get("url") or data.get("abs_url")) or "",
        "id": str(other),
    }


def citation_rows(G: nx.MultiDiGraph, node: Any) -> dict[str, list[dict]]:
    """A paper's references and the papers citing it, each with the citing sentence.

    Influential citations first, then the oldest paper; ``sentence`` is the edge's evidence
    (the cited title when Semantic Scholar has no context).

    >>> G = nx.MultiDiGraph()
    >>> G.add_node("paper:arXiv:1", kind="paper", label="Fast R-CNN", year=2015)
    >>> G.add_node("paper:arXiv:0", kind="paper", label="R-CNN", year=2013, in_list=True)
    >>> _ = G.add_edge("paper:arXiv:1", "paper:arXiv:0", rel="cites",
    ...                evidence="R-CNN is slow.", is_influential=True)
    >>> [(r["paper"], r["sentence"]) for r in citation_rows(G, "paper:arXiv:1")["references"]]
    [('R-CNN', 'R-CNN is slow.')]
    >>> [r["paper"] for r in citation_rows(G, "paper:arXiv:0")["cited_by"]]
    ['Fast R-CNN']
    """
    out: dict[str, list[dict]] = {"references": [], "cited_by": []}
    if node not in G:
        return out
    for _, v, d in G.out_edges(node, data=True):
        if d.get("rel") == "cites" and v != node:
            out["references"].append(_citation_row(G, v, d))
    for u, _, d in G.in_edges(node, data=True):
        if d.get("rel") == "cites" and u != node:
            out["cited_by"].append(_citation_row(G, u, d))
    for rows in out.values():
        rows.sort(key=lambda r: (r["influential"] != "yes", r["year"] is None, r["year"] or 0,
                                 r["paper"].lower()))
    return out


def missing_rows(G: nx.Graph, limit: int | None = 50) -> list[dict]:
    """``graph.analysis.missing_papers`` as table rows: what the list's papers cite most
    that the list does not hold, with the citing papers and their sentences as the reason.

    >>> G = nx.MultiDiGraph()
    >>> G.add_node("paper:arXiv:1", kind="paper", label="Fast R-CNN", in_list=True)
    >>> G.add_node("paper:doi:x", kind="paper", label="ImageNet", in_list=False,
    ...            year=2009, url="https://doi.org/x")
    >>> _ = G.add_edge("paper:arXiv:1", "paper:doi:x", rel="cites", evidence="Pre-trained on ImageNet.")
    >>> row = missing_rows(G)[0]
    >>> row["title"], row["cited by"], row["why"]
    ('ImageNet', 1, 'Fast R-CNN: “Pre-trained on ImageNet.”')
    """
    rows = []
    for rank, r in enumerate(analysis.missing_papers(G, limit=limit), start=1):
        # the edge's evidence when Semantic Scholar gave no sentence: not a reason to quote
        fallback = title_evidence(str(r["node"]).removeprefix("paper:"),
                                  G.nodes[r["node"]].get("title") or "")
        reasons = [(short_name(G, citing, limit=80), "" if sentence == fallback else sentence)
                   for citing, sentence in r["reasons"]]
        rows.append({
            "#": rank,
            "title": _readable(str(r["title"]), 200),
            "year": year_of(r["year"]),
            "cited by": r["count"],
            "influential": r["influential"],
            "why": " · ".join(f"{name}: “{sentence}”" if sentence else name
                              for name, sentence in reasons),
            "url": safe_url(r["url"]) or "",
            "id": str(r["node"]),
            "reasons": reasons,
        })
    return rows


def citation_line(summary: dict) -> str:
    """The overview's line about citations, from ``citation_summary``.

    >>> G = nx.MultiDiGraph()
    >>> G.add_node("paper:arXiv:1", kind="paper", in_list=True)
    >>> G.add_node("paper:doi:x", kind="paper", in_list=False)
    >>> _ = G.add_edge("paper:arXiv:1", "paper:doi:x", rel="cites")
    >>> citation_line(citation_summary(G))
    "1 citation between papers; 1 paper the list's papers cite is not in the list (see *Missing from your list*)."
    """
    edges, missing = summary["edges"], len(summary["missing"])
    verb = "cite is" if missing == 1 else "cite are"
    return (f"{_count(edges, 'citation')} between papers; {_count(missing, 'paper')} the "
            f"list's papers {verb} not in the list (see *Missing from your list*).")


def citation_notice(G: nx.Graph) -> str:
    """Why the graph has no citations, in one line ('' when it has some).

    >>> G = nx.MultiDiGraph(); G.add_node("paper:arXiv:1", kind="paper", in_list=True,
    ...                                   arxiv_id="1", citations="failed")
    >>> citation_notice(G)
    'Semantic Scholar could not be reached for 1 paper of the list; the next `scrapy crawl seeds` asks again.'
    """
    if has_citations(G):
        return ""
    papers = [d for _, d in G.nodes(data=True) if d.get("kind") == "paper"]
    if not papers:
        return ("No paper in the graph, so no citations: the list links no arXiv paper "
                "(and no BibTeX entry with an arXiv id or DOI).")
    statuses = Counter(str(d.get("citations") or "") for d in papers if is_true(d.get("in_list")))
    if statuses.get("ok"):
        return ("Semantic Scholar lists no references for the papers of the list.")
    if statuses.get("failed"):
        n = statuses["failed"]
        return (f"Semantic Scholar could not be reached for {_count(n, 'paper')} of the list; "
                f"the next `{CRAWL_COMMAND}` asks again.")
    if statuses.get("not_found") and len(statuses) == 1:
        return "Semantic Scholar knows none of the list's papers."
    return ("No citations yet: the papers' references come from Semantic Scholar during "
            f"`{CRAWL_COMMAND}` (unless it runs with `{CITATIONS_OFF}`). Run the crawl again "
            "to fetch them.")


def ranking_rows(G: nx.Graph, ranked: list[tuple]) -> list[dict]:
    return [{"name": label_of(G, n), "score": round(float(s), 4), "degree": G.degree(n),
             "id": str(n)} for n, s in ranked]


def safe_url(url: Any) -> str | None:
    """The URL if it is an http(s) link, else None (never link ``javascript:`` and friends).

    >>> safe_url("https://a.example/x"), safe_url("javascript:alert(1)")
    ('https://a.example/x', None)
    """
    text = str(url or "").strip()
    return text if text.lower().startswith(("http://", "https://")) and " " not in text else None


def export_view(G: nx.MultiDiGraph, f: Filters, seeds: Iterable[dict], fmt: str) -> bytes:
    """The file a download of the view holds: ``export_bytes`` of the filtered graph.

    With no filters these are the bytes ``python -m graph export -f FMT`` writes.
    """
    from graph.export import export_bytes

    return export_bytes(filter_graph(G, f, seeds), fmt)
