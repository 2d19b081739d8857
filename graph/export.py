"""Write the graph in formats other tools read: GraphML, GEXF, node-link JSON, CSV.

Every format is written from :func:`sanitize_for_export`, so they all carry the same data:
scalar attributes only (None and empty strings dropped, lists joined with ``|``, dicts as
JSON, dates as ISO strings), one type per attribute name, no character that XML 1.0 forbids
("\r" becomes "\n", as XML readers would make it), and a unique key on every edge (``e0``,
``e1``, ...) that GraphML and GEXF write as the edge id (the relation stays in ``rel``).
networkx and python-igraph read the GraphML back with every node, edge and attribute;
Gephi opens the GEXF. (igraph 1.0 itself returns "&" in node ids as "&#38;" and fills its
own edge ``id`` attribute wrongly; node and edge data attributes come back exact.)

Formats
-------
graphml
    ``nx.read_graphml(path, force_multigraph=True)``; ``igraph.Graph.Read_GraphML(path)``.
gexf
    GEXF 1.2 for Gephi.
json
    networkx node-link data: ``{"directed", "multigraph", "graph", "nodes", "edges"}``.
    An edge's endpoints are under ``src`` and ``dst`` (``source`` is the edge's provenance
    attribute). Read back with ``nx.node_link_graph(data, edges="edges", source="src",
    target="dst")`` (``JSON_READ_BACK``).
csv
    Neo4j ``neo4j-admin database import`` layout: ``nodes.csv`` with header
    ``id:ID,:LABEL,label,...`` (``:LABEL`` is the node kind) and ``edges.csv`` with
    ``:START_ID,:END_ID,:TYPE,...`` (``:TYPE`` is the relation). Typed columns carry
    ``:long``, ``:double`` or ``:boolean``. :func:`write_graph` writes them into a directory;
    :func:`export_bytes` returns them as a zip archive.

>>> import networkx as nx
>>> G = nx.MultiDiGraph()
>>> G.add_node("topic:gan", kind="topic", label="GAN", aliases=["GANs", "生成对抗网络"])
>>> export_bytes(G, "json")[:30]
b'{"directed": true, "multigraph'
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
import re
import tempfile
import zipfile
from datetime import date, datetime
from pathlib import Path
from typing import Any

import networkx as nx

__all__ = ["FORMATS", "EXTENSIONS", "clean_text", "sanitize_for_export", "csv_tables",
           "export_bytes", "write_graph"]

FORMATS = ("graphml", "gexf", "json", "csv")
EXTENSIONS = {"graphml": ".graphml", "gexf": ".gexf", "json": ".json", "csv": ""}
LIST_SEPARATOR = "|"
JSON_SOURCE, JSON_TARGET = "src", "dst"
JSON_READ_BACK = 'nx.node_link_graph(data, edges="edges", source="src", target="dst")'

# Characters XML 1.0 allows: #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] |
# [#x10000-#x10FFFF]. Everything else (C0 controls, lone surrogates, U+FFFE/U+FFFF) goes.
_XML_FORBIDDEN = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
# XML parsers turn "\r\n" and a lone "\r" into "\n" when reading text, so write "\n" and
# every reader sees the same string.
_CR = re.compile("\r\n?")

# Attribute names the formats reserve for themselves (GEXF gives these meaning).
_RESERVED_NODE = {"id", "pid", "start", "end", "spells", "viz", "parents", "slices"}
_RESERVED_EDGE = {"id", "key", "networkx_key", "type", "start", "end", "spells", "viz", "slices"}


def clean_text(value: str) -> str:
    """A string every XML 1.0 parser reads back unchanged.

    >>> clean_text("a\\x00b\\r\\nc\\x1b")
    'ab\\nc'
    """
    return _XML_FORBIDDEN.sub("", _CR.sub("\n", value))


def _scalar(value: Any) -> Any:
    """One exportable scalar (str, int, float, bool) for ``value``, or None to drop it."""
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        # GraphML readers disagree on nan/inf spellings: an unknown number is no value.
        return value if math.isfinite(value) else None
    if isinstance(value, str):
        value = clean_text(value)
        return value or None  # an empty string reads back as "None" in networkx GraphML
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, (list, tuple, set, frozenset)):
        items = sorted(value, key=str) if isinstance(value, (set, frozenset)) else value
        parts = [str(p) for p in (_scalar(v) for v in items) if p is not None]
        return _scalar(LIST_SEPARATOR.join(parts))
    if isinstance(value, dict):
        return _scalar(json.dumps(value, ensure_ascii=False, sort_keys=True, default=str))
    if hasattr(value, "item"):  # numpy scalars
        return _scalar(value.item())
    return _scalar(str(value))


# A string needs cleaning when it holds "\r" or a character XML 1.0 forbids.
_NEEDS_CLEAN = re.compile("[^\t\n\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _attr_name(name: Any, reserved: set[str]) -> str:
    name = clean_text(str(name)) or "_"
    return f"{name}_" if name in reserved else name


def _exportable(data: dict, reserved: set[str], share: bool) -> dict:
    """``data`` with exportable names and values; ``data`` itself when nothing needs to
    change and ``share`` is set (the usual case: the built graph is clean already)."""
    for k, v in data.items():
        t = type(v)
        if type(k) is not str or k in reserved or _NEEDS_CLEAN.search(k):
            break
        if t is str:
            if not v or _NEEDS_CLEAN.search(v):
                break
        elif t is float:
            if not math.isfinite(v):
                break
        elif t is not int and t is not bool:
            break
    else:
        return data if share else dict(data)
    rec = {}
    for k, v in data.items():
        v = _scalar(v)
        if v is not None:
            rec[_attr_name(k, reserved)] = v
    return rec


def _unify(records: list[dict], originals: list[dict]) -> None:
    """Give each attribute name one type across all records (in place; a record that is
    still one of ``originals`` is copied before it changes).

    int and float mix to float, bool with numbers to int; anything else mixed becomes str.
    """
    types: dict[str, set[type]] = {}
    for rec in records:
        for k, v in rec.items():
            seen = types.get(k)
            if seen is None:
                types[k] = {type(v)}
            elif type(v) not in seen:
                seen.add(type(v))
    target: dict[str, type] = {}
    for k, ts in types.items():
        if len(ts) == 1:
            continue
        target[k] = (float if float in ts else int) if ts <= {int, float, bool} else str
    if not target:
        return
    for i, rec in enumerate(records):
        for k, t in target.items():
            if k in rec and type(rec[k]) is not t:
                if rec is originals[i]:
                    rec = records[i] = dict(rec)
                v = rec[k]
                rec[k] = str(v) if t is str else t(v)


def sanitize_for_export(G: nx.Graph) -> nx.MultiDiGraph:
    """A copy of ``G`` that every export format writes and reads back intact.

    Node ids and attribute values become XML-safe scalars; edge keys become unique ids
    ``e0``, ``e1``, ... (the relation stays in the ``rel`` attribute).
    Attribute names that GEXF reserves get a trailing ``_``.

    >>> G = nx.MultiDiGraph()
    >>> G.add_node("a", kind="page", keywords=["x", "y"], title=None)
    >>> G.add_edge("a", "a", key="mentions", rel="mentions", evidence="1 < 2 \x07")
    'mentions'
    >>> H = sanitize_for_export(G)
    >>> H.nodes["a"], H.edges["a", "a", "e0"]["evidence"]
    ({'kind': 'page', 'keywords': 'x|y'}, '1 < 2 ')
    """
    return _sanitized(G, share=False)


def _sanitized(G: nx.Graph, share: bool) -> nx.MultiDiGraph:
    """:func:`sanitize_for_export`; with ``share``, attribute dicts that need no change
    are shared with ``G`` (for writers, which only read: half the memory and time)."""
    ids: dict[Any, str] = {}
    taken: set[str] = set()
    for n in G.nodes:
        base = str(n)
        if _NEEDS_CLEAN.search(base) or not base:
            base = clean_text(base) or "_"
        nid, i = base, 1
        while nid in taken:  # two ids that differed only in forbidden characters
            i += 1
            nid = f"{base}~{i}"
        taken.add(nid)
        ids[n] = nid

    originals = [data for _, data in G.nodes(data=True)]
    node_count = len(originals)
    records = [_exportable(data, _RESERVED_NODE, share) for data in originals]
    ends = []
    for u, v, _key, data in _edges_with_keys(G):
        originals.append(data)
        records.append(_exportable(data, _RESERVED_EDGE, share))
        ends.append((ids[u], ids[v]))
    _unify(records, originals if share else [None] * len(records))

    graph_attrs = {}
    for k, v in G.graph.items():
        v = _scalar(v)
        if v is not None and k not in ("node_default", "edge_default"):
            graph_attrs[clean_text(str(k)) or "_"] = v

    # Filled the way add_node and add_edge would, without copying each attribute dict.
    H = nx.MultiDiGraph(**graph_attrs)
    node, succ, pred = H._node, H._succ, H._pred
    for nid, rec in zip(ids.values(), records):
        node[nid] = rec
        succ[nid] = {}
        pred[nid] = {}
    for i, ((u, v), rec) in enumerate(zip(ends, records[node_count:])):
        keydict = succ[u].get(v)
        if keydict is None:
            keydict = succ[u][v] = pred[v][u] = {}
        # The key doubles as the edge id in GraphML and GEXF: unique, so Gephi and yEd
        # keep parallel edges apart (the relation stays in ``rel``).
        keydict[f"e{i}"] = rec
    return H


def _edges_with_keys(G: nx.Graph):
    if G.is_multigraph() and G.is_directed():
        # G.edges(keys=True, data=True), without the view's per-edge overhead.
        for u, nbrs in G._succ.items():
            for v, keydict in nbrs.items():
                for key, data in keydict.items():
                    yield u, v, key, data
    elif G.is_multigraph():
        yield from G.edges(keys=True, data=True)
    else:
        for u, v, data in G.edges(data=True):
            yield u, v, data.get("rel", 0), data


# -- format writers -----------------------------------------------------------------------
def _graphml(H: nx.MultiDiGraph) -> bytes:
    buf = io.BytesIO()
    nx.write_graphml(H, buf, encoding="utf-8", prettyprint=False)
    return buf.getvalue()


def _gexf(H: nx.MultiDiGraph) -> bytes:
    buf = io.BytesIO()
    nx.write_gexf(H, buf, encoding="utf-8", prettyprint=False)
    return buf.getvalue()


def _json(H: nx.MultiDiGraph) -> bytes:
    data = nx.node_link_data(H, source=JSON_SOURCE, target=JSON_TARGET, edges="edges")
    return json.dumps(data, ensure_ascii=False).encode("utf-8")


_NEO4J_TYPES = {bool: "boolean", int: "long", float: "double", str: ""}


def _csv_columns(records: list[dict], first: list[str]) -> tuple[list[str], list[str], set]:
    """Columns (attribute order of first appearance), their Neo4j headers, and which
    hold booleans (written ``true``/``false``)."""
    names: dict[str, type] = {}
    for rec in records:
        for k, v in rec.items():
            if k not in names:
                names[k] = type(v)
    cols = [k for k in names if k not in first]
    headers = [f"{k}:{_NEO4J_TYPES[names[k]]}" if _NEO4J_TYPES[names[k]] else k for k in cols]
    return cols, headers, {k for k in cols if names[k] is bool}


def _csv_rows(items, cols: list[str], booleans: set):
    flags = {True: "true", False: "false"}
    for lead, d in items:
        row = [d.get(c) for c in cols]  # csv writes None as an empty field
        if booleans:
            row = [flags[x] if c in booleans and x is not None else x
                   for c, x in zip(cols, row)]
        yield [*lead, *row]


def csv_tables(G: nx.Graph) -> dict[str, str]:
    """``{"nodes.csv": text, "edges.csv": text}`` in the Neo4j bulk-import layout.

    >>> G = nx.MultiDiGraph()
    >>> G.add_node("method:yolo", kind="method", label="YOLO", year=2015)
    >>> csv_tables(G)["nodes.csv"].splitlines()
    ['id:ID,:LABEL,label,year:long', 'method:yolo,method,YOLO,2015']
    """
    H = _sanitized(G, share=True)
    tables = {}
    nodes = [d for _, d in H.nodes(data=True)]
    cols, headers, booleans = _csv_columns(nodes, ["kind"])
    out = io.StringIO(newline="")
    w = csv.writer(out, lineterminator="\n")
    w.writerow(["id:ID", ":LABEL", *headers])
    w.writerows(_csv_rows((((n, d.get("kind", "")), d) for n, d in H.nodes(data=True)),
                          cols, booleans))
    tables["nodes.csv"] = out.getvalue()

    edges = [d for *_, d in H.edges(keys=True, data=True)]
    cols, headers, booleans = _csv_columns(edges, ["rel"])
    out = io.StringIO(newline="")
    w = csv.writer(out, lineterminator="\n")
    w.writerow([":START_ID", ":END_ID", ":TYPE", *headers])
    w.writerows(_csv_rows((((u, v, d.get("rel", k)), d)
                           for u, v, k, d in H.edges(keys=True, data=True)), cols, booleans))
    tables["edges.csv"] = out.getvalue()
    return tables


def _csv_zip(G: nx.Graph) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as z:
        for name, text in csv_tables(G).items():
            z.writestr(name, text.encode("utf-8"))
    return buf.getvalue()


def export_bytes(G: nx.Graph, fmt: str) -> bytes:
    """The graph in format ``fmt`` (one of :data:`FORMATS`); csv is a zip of two files.

    >>> G = nx.MultiDiGraph(); G.add_node("topic:rl", kind="topic", label="RL")
    >>> export_bytes(G, "graphml").startswith(b"<?xml")
    True
    """
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    if fmt == "csv":
        return _csv_zip(G)
    H = _sanitized(G, share=True)
    return {"graphml": _graphml, "gexf": _gexf, "json": _json}[fmt](H)


def current_umask() -> int:
    """The process's umask, read without changing it where the system allows.

    >>> 0 <= current_umask() <= 0o777
    True
    """
    try:
        # Linux reports it; setting and restoring it would race with other threads.
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _atomic_write(path: Path, data: bytes) -> None:
    # Readers (the dashboard) never see a half-written file.
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        # mkstemp creates 0600; an export is meant to be shared like any file the user
        # writes, so it gets the mode open() would give it under the user's umask.
        os.fchmod(fd, 0o666 & ~current_umask())
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_graph(G: nx.Graph, fmt: str, path: str | Path) -> Path:
    """Write the graph to ``path`` and return it.

    For csv, ``path`` is a directory that receives ``nodes.csv`` and ``edges.csv``:
    ``neo4j-admin database import full --nodes=PATH/nodes.csv --relationships=PATH/edges.csv
    --multiline-fields=true``.

    >>> import tempfile; d = tempfile.mkdtemp()
    >>> G = nx.MultiDiGraph(); G.add_node("topic:rl", kind="topic", label="RL")
    >>> write_graph(G, "graphml", Path(d) / "g.graphml").name
    'g.graphml'
    """
    path = Path(path)
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    if fmt == "csv":
        path.mkdir(parents=True, exist_ok=True)
        for name, text in csv_tables(G).items():
            _atomic_write(path / name, text.encode("utf-8"))
        return path
    _atomic_write(path, export_bytes(G, fmt))
    return path
