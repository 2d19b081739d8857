"""Questions to ask the graph: who matters, which groups form, how two things connect,
how a method evolved, what to read first.

Plain functions in the networkx style: each takes a graph built by
:func:`graph.build.build_graph` (or read back from GraphML) and returns plain values.
Wherever a function takes a node, it also takes a label or alias ("Kaiming He",
"何恺明", "Faster RCNN"): see :func:`find_nodes`.

>>> import networkx as nx
>>> G = nx.MultiDiGraph()
>>> G.add_node("method:r-cnn", kind="method", label="R-CNN", year=2014)
>>> G.add_node("method:fast-r-cnn", kind="method", label="Fast R-CNN", year=2015)
>>> G.add_edge("method:fast-r-cnn", "method:r-cnn", key="evolved_from", rel="evolved_from",
...            weight=1.0, source="vocabulary", evidence="Fast R-CNN evolved from R-CNN")
'evolved_from'
>>> [step["label"] for step in lineage(G, "fast rcnn")]
['R-CNN', 'Fast R-CNN']
"""

from __future__ import annotations

import math
import re
import unicodedata
import weakref
from typing import Iterable

import networkx as nx

# Relations that say something about the world. A path through them explains how two
# things connect; every relation of the graph contract qualifies.
MEANINGFUL_RELATIONS = ("listed_under", "links_to", "mentions", "authored", "introduces",
                        "evolved_from", "part_of", "works_on", "coauthor", "related_to",
                        "cites")
# Relations along which something grows out of something older (newer -> older).
LINEAGE_RELATIONS = ("evolved_from",)
_KIND_ORDER = {"person": 0, "method": 1, "topic": 2, "paper": 3, "page": 4}
_ALIAS_SEPARATOR = "|"


# -- finding nodes ------------------------------------------------------------------------
def _fold(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", str(text)).casefold().split())


def _compact(text: str) -> str:
    # "Faster RCNN", "faster-r-cnn" and "Faster R-CNN" compare equal.
    return re.sub(r"[\W_]+", "", _fold(text))


def _names(data: dict) -> list[str]:
    names = [data.get("label")]
    for field in ("aliases", "chinese_name", "title", "arxiv_id", "url"):
        value = data.get(field)
        if isinstance(value, str):
            names.extend(value.split(_ALIAS_SEPARATOR) if field == "aliases" else [value])
        elif isinstance(value, (list, tuple, set, frozenset)):
            names.extend(value)
    return [n for n in names if isinstance(n, str) and n.strip()]


_INDEXES: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


def _name_index(G: nx.Graph) -> list[tuple]:
    """(node, kind order, [(folded name, compact name)]) for every node with a name.

    Kept per graph (rebuilt when nodes or edges are added or removed), so a search box
    does not normalise a hundred thousand labels on every keystroke.
    """
    signature = (G.number_of_nodes(), G.number_of_edges())
    cached = _INDEXES.get(G)
    if cached is not None and cached[0] == signature:
        return cached[1]
    index = []
    for node, data in G.nodes(data=True):
        names = []
        for name in _names(data):
            folded = _fold(name)
            names.append((folded, re.sub(r"[\W_]+", "", folded)))
        if names:
            index.append((node, _KIND_ORDER.get(data.get("kind"), 5), names))
    _INDEXES[G] = (signature, index)
    return index


def find_nodes(G: nx.Graph, query: str, limit: int = 20) -> list:
    """Nodes whose id, label or any alias (English or Chinese) matches ``query``.

    Case-insensitive; exact matches come first, then names equal but for spaces and
    hyphens ("faster rcnn"), then names that start with the query, then names that contain
    it; ties go to people, methods and topics before papers and pages, then to
    better-connected nodes.

    >>> G = nx.MultiDiGraph()
    >>> G.add_node("person:kaiming-he", kind="person", label="Kaiming He",
    ...            aliases="He Kaiming|何恺明")
    >>> find_nodes(G, "何恺明"), find_nodes(G, "kaiming")
    (['person:kaiming-he'], ['person:kaiming-he'])
    """
    if query in G:
        return [query]
    q, qc = _fold(query), _compact(query)
    if not q:
        return []
    scored = []
    for node, kind, names in _name_index(G):
        best = None
        for folded, compact in names:
            if folded == q:
                best = 0
                break
            if qc and compact == qc:
                rank = 1
            elif folded.startswith(q):
                rank = 2
            elif q in folded or (len(qc) >= 3 and qc in compact):
                rank = 3
            else:
                continue
            best = rank if best is None else min(best, rank)
        if best is not None:
            scored.append((best, kind, -G.degree(node), str(node), node))
    scored.sort()
    return [item[-1] for item in scored[:limit]]


def _resolve(G: nx.Graph, name) -> object:
    if name in G:
        return name
    found = find_nodes(G, str(name), limit=1)
    if not found:
        raise nx.NodeNotFound(f"no node matches {name!r}")
    return found[0]


# -- ranking and communities -----------------------------------------------------------------
def undirected_projection(G: nx.Graph, relations: Iterable[str] | None = None) -> nx.Graph:
    """A simple undirected graph whose edge weights sum the weights of all edges (any
    direction, any relation in ``relations``) between two nodes.

    >>> G = nx.MultiDiGraph()
    >>> G.add_edge("a", "b", key="mentions", rel="mentions", weight=2.0)
    'mentions'
    >>> G.add_edge("b", "a", key="links_to", rel="links_to", weight=1.0)
    'links_to'
    >>> undirected_projection(G)["a"]["b"]["weight"]
    3.0
    """
    rels = set(relations) if relations is not None else None
    weights: dict[tuple, float] = {}
    for u, v, data in G.edges(data=True):
        if u == v or (rels is not None and data.get("rel") not in rels):
            continue
        pair = (u, v) if (v, u) not in weights else (v, u)
        weights[pair] = weights.get(pair, 0.0) + float(data.get("weight", 1.0) or 1.0)
    H = nx.Graph()
    H.add_nodes_from(G.nodes)
    H.add_weighted_edges_from((u, v, w) for (u, v), w in weights.items())
    return H


def rank_nodes(G: nx.Graph, kind: str | None = None, by: str = "pagerank",
               top: int = 20) -> list[tuple[object, float]]:
    """The ``top`` most central nodes (optionally of one ``kind``) with their scores.

    ``by='pagerank'``: PageRank on the undirected weighted projection, so a person counts
    for the papers they wrote as much as a paper counts for its authors.
    ``by='degree'``: how many edges touch the node (in and out, each relation once).

    >>> G = nx.MultiDiGraph()
    >>> G.add_nodes_from([("m", {"kind": "method"}), ("p", {"kind": "page"}),
    ...                   ("q", {"kind": "page"})])
    >>> _ = G.add_edge("p", "m", key="mentions", rel="mentions", weight=1.0)
    >>> _ = G.add_edge("q", "m", key="mentions", rel="mentions", weight=1.0)
    >>> rank_nodes(G, by="degree", top=1)
    [('m', 2.0)]
    """
    if by == "pagerank":
        H = undirected_projection(G)
        scores = nx.pagerank(H, weight="weight") if H.number_of_nodes() else {}
    elif by == "degree":
        scores = {n: float(d) for n, d in G.degree()}
    else:
        raise ValueError(f"unknown ranking {by!r}; use 'pagerank' or 'degree'")
    items = [(n, s) for n, s in scores.items()
             if kind is None or G.nodes[n].get("kind") == kind]
    items.sort(key=lambda item: (-item[1], str(item[0])))
    return items[:top]


def communities(G: nx.Graph, seed: int = 0) -> list[dict]:
    """Louvain communities of the undirected weighted projection, largest first.

    Each is ``{"id": i, "label": "A / B / C", "nodes": [...]}``; the label names the three
    best-connected members, preferring people, methods and topics (page titles make poor
    names). ``seed`` makes the result reproducible.

    >>> G = nx.MultiDiGraph()
    >>> G.add_node("method:yolo", kind="method", label="YOLO")
    >>> G.add_node("page:a", kind="page", label="A")
    >>> _ = G.add_edge("page:a", "method:yolo", key="mentions", rel="mentions", weight=1.0)
    >>> communities(G)[0]["label"]
    'YOLO / A'
    """
    # Co-authorship ties people across subjects (one author writes on detection and on
    # backbones); communities are about subjects, so they are grouped without them. Nor
    # with related_to: it restates the mentions (two entities of one sentence are already
    # two mentions from the same page), and would count those sentences twice.
    H = undirected_projection(G, {rel for *_, rel in G.edges(data="rel")}
                              - {"coauthor", "related_to"})
    if H.number_of_nodes() == 0:
        return []
    groups = nx.community.louvain_communities(H, weight="weight", seed=seed)
    degree = dict(H.degree())

    def label_of(members: set) -> str:
        def key(n):
            named = G.nodes[n].get("kind") in ("person", "method", "topic")
            return (not named, -degree[n], str(n))
        top = sorted(members, key=key)[:3]
        return " / ".join(str(G.nodes[n].get("label") or n) for n in top)

    groups = sorted(groups, key=lambda g: (-len(g), min(str(n) for n in g)))
    return [{"id": i, "label": label_of(g), "nodes": sorted(g, key=str)}
            for i, g in enumerate(groups)]


# -- paths -----------------------------------------------------------------------------------
def _best_edge(G: nx.Graph, u, v, rels: set[str]) -> dict | None:
    """The strongest edge between u and v in either direction, as a hop."""
    best = None
    for a, b in ((u, v), (v, u)):
        if not G.has_edge(a, b):
            continue
        datas = G[a][b].values() if G.is_multigraph() else [G[a][b]]
        for data in datas:
            if data.get("rel") not in rels:
                continue
            score = (bool(data.get("evidence")), float(data.get("weight", 1.0) or 1.0))
            if best is None or score > best[0]:
                best = (score, {"src": a, "dst": b, "rel": data.get("rel"),
                                "evidence": data.get("evidence"),
                                "source": data.get("source"),
                                "weight": data.get("weight")})
    return best[1] if best else None


def explain_path(G: nx.Graph, a, b,
                 relations: Iterable[str] = MEANINGFUL_RELATIONS) -> list[dict] | None:
    """How ``a`` connects to ``b``: the shortest chain of relations, ignoring direction.

    Each hop is ``{"src", "dst", "rel", "evidence", "source", "weight"}`` in the edge's own
    direction (so "Kaiming He authored Mask R-CNN" reads right even when walked backwards).
    ``a`` and ``b`` are node ids, labels or aliases. None when they are not connected;
    ``nx.NodeNotFound`` when a name matches no node.

    >>> G = nx.MultiDiGraph()
    >>> _ = G.add_edge("person:a", "paper:arXiv:1", key="authored", rel="authored",
    ...                evidence="arXiv lists A as an author", source="arxiv", weight=1.0)
    >>> [hop["rel"] for hop in explain_path(G, "paper:arXiv:1", "person:a")]
    ['authored']
    """
    src, dst = _resolve(G, a), _resolve(G, b)
    rels = set(relations)
    if src == dst:
        return []
    view = nx.subgraph_view(
        G, filter_edge=(lambda u, v, k: G[u][v][k].get("rel") in rels) if G.is_multigraph()
        else (lambda u, v: G[u][v].get("rel") in rels))
    try:
        nodes = nx.shortest_path(view.to_undirected(as_view=True), src, dst)
    except nx.NetworkXNoPath:
        return None
    return [_best_edge(G, u, v, rels) for u, v in zip(nodes, nodes[1:])]


# -- lineage and reading order -------------------------------------------------------------
def _year(G: nx.Graph, node) -> int | None:
    year = G.nodes[node].get("year")
    try:
        return int(year) if year is not None and not (isinstance(year, float)
                                                      and math.isnan(year)) else None
    except (TypeError, ValueError):
        return None


def _evolution(G: nx.Graph, nodes: Iterable | None = None,
               relations: Iterable[str] = LINEAGE_RELATIONS) -> nx.DiGraph:
    """ancestor -> descendant edges from ``evolved_from`` or ``cites`` (which point the
    other way)."""
    D = nx.DiGraph()
    keep = set(nodes) if nodes is not None else None
    rels = set(relations)
    if keep is not None:
        D.add_nodes_from(keep)
    for u, v, data in G.edges(data=True):
        if data.get("rel") in rels and u != v:
            if keep is None or (u in keep and v in keep):
                D.add_edge(v, u)
    return D


def _oldest_first(G: nx.Graph, D: nx.DiGraph) -> list:
    """Topological order of D (foundations first), ties broken by year then label.

    A node without a year is dated by its earliest descendant (it must predate it), so it
    does not hold back what grew out of it.
    """
    years = {n: _year(G, n) for n in D}
    try:
        for n in reversed(list(nx.topological_sort(D))):
            if years[n] is None:
                known = [years[d] for d in D.successors(n) if years[d] is not None]
                years[n] = min(known) if known else None
    except nx.NetworkXUnfeasible:
        pass

    def key(n):
        year = years.get(n)
        return (year is None, year or 0, str(G.nodes[n].get("label") or n))
    try:
        return list(nx.lexicographical_topological_sort(D, key=key))
    except nx.NetworkXUnfeasible:  # a cycle in hand-made data: fall back to years
        return sorted(D.nodes, key=key)


def lineage(G: nx.Graph, method, relations: Iterable[str] = LINEAGE_RELATIONS) -> list[dict]:
    """The method's ancestors and descendants along ``evolved_from``, oldest first.

    Each step is ``{"node", "label", "year"}`` (year None when unknown). With
    ``relations=("evolved_from", "cites")`` a paper's lineage follows its citations too:
    what it cites, what those cite, and what cites it.

    >>> G = nx.MultiDiGraph()
    >>> G.add_node("method:a", label="A", year=2014); G.add_node("method:b", label="B")
    >>> _ = G.add_edge("method:b", "method:a", key="evolved_from", rel="evolved_from")
    >>> [s["node"] for s in lineage(G, "B")]
    ['method:a', 'method:b']
    """
    node = _resolve(G, method)
    D = _evolution(G, relations=relations)
    if node not in D:
        members = {node}
    else:
        members = {node} | nx.ancestors(D, node) | nx.descendants(D, node)
    order = _oldest_first(G, D.subgraph(members).copy() if node in D else _single(node))
    return [{"node": n, "label": G.nodes[n].get("label", str(n)), "year": _year(G, n)}
            for n in order]


def _single(node) -> nx.DiGraph:
    D = nx.DiGraph()
    D.add_node(node)
    return D


def _neighbours(G: nx.Graph, node, rel: str, direction: str) -> set:
    out = set()
    edges = G.in_edges(node, data=True) if direction == "in" else G.out_edges(node, data=True)
    for u, v, data in edges:
        if data.get("rel") == rel:
            out.add(u if direction == "in" else v)
    return out


def reading_order(G: nx.Graph, topic) -> list:
    """Pages, papers and methods under a topic (or method), foundations first.

    Under the topic: its methods (``part_of``, also through sub-topics), what the reading
    list files under it or its methods (``listed_under``), what mentions them, and the
    papers that introduce the methods. Methods are ordered topologically over
    ``evolved_from`` (then by year); a paper follows the method it introduces (the one its
    title names), and a page the most advanced method it is about, so it comes once its
    prerequisites have been read. Pages about the topic
    as a whole come first, as introductions. Dead or unfetched pages are left out.

    >>> G = nx.MultiDiGraph()
    >>> G.add_node("topic:od", kind="topic", label="object detection")
    >>> for m, y in (("method:r-cnn", 2014), ("method:fast-r-cnn", 2015)):
    ...     G.add_node(m, kind="method", label=m, year=y)
    ...     _ = G.add_edge(m, "topic:od", key="part_of", rel="part_of")
    >>> _ = G.add_edge("method:fast-r-cnn", "method:r-cnn", key="evolved_from",
    ...                rel="evolved_from")
    >>> reading_order(G, "object detection")
    ['method:r-cnn', 'method:fast-r-cnn']
    """
    root = _resolve(G, topic)
    # The topic, its sub-topics and its methods.
    scope, frontier = {root}, [root]
    while frontier:
        node = frontier.pop()
        for child in _neighbours(G, node, "part_of", "in"):
            if child not in scope:
                scope.add(child)
                frontier.append(child)
    methods = {n for n in scope if G.nodes[n].get("kind") == "method"}
    order = _oldest_first(G, _evolution(G, methods))
    rank = {m: i for i, m in enumerate(order)}

    anchors: dict[object, set] = {}
    for target in scope:
        for rel in ("listed_under", "mentions"):
            for item in _neighbours(G, target, rel, "in"):
                data = G.nodes[item]
                # Only what can be read: a dead or not yet fetched link is left out.
                if data.get("kind") == "paper" or (data.get("kind") == "page"
                                                   and data.get("status") == "ok"):
                    anchors.setdefault(item, set()).add(target)
    introduced: dict[object, set] = {}
    for m in methods:
        for paper in _neighbours(G, m, "introduces", "in"):
            introduced.setdefault(paper, set()).add(m)
            anchors.setdefault(paper, set()).add(m)

    def item_rank(item) -> int:
        if item in introduced:
            # A paper is read with the method it is named after ("Faster R-CNN: ..." also
            # introduces anchor boxes and the RPN), else with the last it introduces.
            title = _fold(G.nodes[item].get("title") or G.nodes[item].get("label") or "")
            ms = introduced[item]
            named = [m for m in ms if _fold(G.nodes[m].get("label") or "") in title]
            return max(rank[m] for m in (named or ms))
        ranks = [rank[t] for t in anchors[item] if t in rank]
        return max(ranks) if ranks else -1  # about the topic as a whole: an introduction

    kind_order = {"method": 0, "paper": 1, "page": 2}
    entries = [(rank[m], _year(G, m), m) for m in methods]
    entries += [(item_rank(i), _year(G, i) or _published_year(G, i), i) for i in anchors]
    entries.sort(key=lambda e: (e[0], kind_order.get(G.nodes[e[2]].get("kind"), 3),
                                e[1] is None, e[1] or 0, str(e[2])))
    return [e[2] for e in entries]


def _published_year(G: nx.Graph, node) -> int | None:
    published = G.nodes[node].get("published")
    if isinstance(published, str) and re.match(r"\d{4}", published):
        return int(published[:4])
    return None


# -- citations -------------------------------------------------------------------------------
def _references(G: nx.Graph) -> dict:
    """citing paper -> {cited paper: edge data} along ``cites``."""
    refs: dict = {}
    for u, v, data in G.edges(data=True):
        if data.get("rel") == "cites" and u != v:
            refs.setdefault(u, {})[v] = data
    return refs


def _pairs(groups: Iterable[set], min_count: int) -> list[tuple]:
    counts: dict[tuple, int] = {}
    for group in groups:
        ordered = sorted(group, key=str)
        for i, a in enumerate(ordered):
            for b in ordered[i + 1:]:
                counts[(a, b)] = counts.get((a, b), 0) + 1
    return [(a, b, n) for (a, b), n in counts.items() if n >= min_count]


def _similarity(pairs: list[tuple], sizes: dict) -> list[dict]:
    out = [{"a": a, "b": b, "count": n,
            "similarity": round(n / math.sqrt(sizes[a] * sizes[b]), 4)}
           for a, b, n in pairs]
    return sorted(out, key=lambda r: (-r["count"], -r["similarity"], str(r["a"]), str(r["b"])))


def co_citation(G: nx.Graph, min_count: int = 1) -> list[dict]:
    """Pairs of papers cited together by the same papers, most often first.

    Each row is ``{"a", "b", "count", "similarity"}``: ``count`` papers cite both,
    ``similarity`` is that count over the geometric mean of how often each is cited
    (Salton's cosine).

    >>> G = nx.MultiDiGraph()
    >>> for citing, cited in [("p:1", "p:a"), ("p:1", "p:b"), ("p:2", "p:a"), ("p:2", "p:b")]:
    ...     _ = G.add_edge(citing, cited, rel="cites")
    >>> co_citation(G)
    [{'a': 'p:a', 'b': 'p:b', 'count': 2, 'similarity': 1.0}]
    """
    refs = _references(G)
    cited_by: dict = {}
    for citing, cited in refs.items():
        for v in cited:
            cited_by[v] = cited_by.get(v, 0) + 1
    return _similarity(_pairs((set(c) for c in refs.values()), min_count), cited_by)


def bibliographic_coupling(G: nx.Graph, min_count: int = 1) -> list[dict]:
    """Pairs of papers that cite the same papers, most shared references first.

    Each row is ``{"a", "b", "count", "similarity"}``: ``count`` references in common,
    ``similarity`` that count over the geometric mean of their numbers of references.

    >>> G = nx.MultiDiGraph()
    >>> for citing, cited in [("p:1", "p:a"), ("p:2", "p:a"), ("p:2", "p:b")]:
    ...     _ = G.add_edge(citing, cited, rel="cites")
    >>> bibliographic_coupling(G)
    [{'a': 'p:1', 'b': 'p:2', 'count': 1, 'similarity': 0.7071}]
    """
    refs = _references(G)
    citing_of: dict = {}
    for citing, cited in refs.items():
        for v in cited:
            citing_of.setdefault(v, set()).add(citing)
    sizes = {u: len(c) for u, c in refs.items()}
    return _similarity(_pairs(citing_of.values(), min_count), sizes)


def is_true(value) -> bool:
    """True for a true flag, also as GraphML reads it back ("true", "1").

    >>> is_true(True), is_true("True"), is_true("false"), is_true(None)
    (True, True, False, False)
    """
    return value is True or str(value).strip().lower() in ("true", "1")


def missing_papers(G: nx.Graph, limit: int | None = 20) -> list[dict]:
    """Papers the list's papers cite but the list does not contain, most cited first.

    Ranked by how many listed papers cite them, then by how many of those citations
    Semantic Scholar marks influential, then by year (older first: foundations) and title.
    Each row: ``{"node", "title", "year", "url", "count", "influential", "cited_by"
    (the citing listed papers), "reasons" ([(citing paper, sentence)])}``.

    >>> G = nx.MultiDiGraph()
    >>> G.add_node("paper:arXiv:1", kind="paper", label="Mine", in_list=True)
    >>> G.add_node("paper:doi:x", kind="paper", label="ImageNet", in_list=False, year=2009)
    >>> _ = G.add_edge("paper:arXiv:1", "paper:doi:x", rel="cites", evidence="Pre-trained on ImageNet.")
    >>> [(r["title"], r["count"], r["reasons"]) for r in missing_papers(G)]
    [('ImageNet', 1, [('paper:arXiv:1', 'Pre-trained on ImageNet.')])]
    """
    listed = {n for n, d in G.nodes(data=True)
              if d.get("kind") == "paper" and is_true(d.get("in_list"))}
    rows: dict = {}
    for citing, cited in _references(G).items():
        if citing not in listed:
            continue
        for target, data in cited.items():
            if target in listed or G.nodes[target].get("kind") != "paper":
                continue
            row = rows.get(target)
            if row is None:
                attrs = G.nodes[target]
                row = rows[target] = {
                    "node": target, "title": attrs.get("title") or attrs.get("label") or
                    str(target), "year": _year(G, target), "url": attrs.get("url"),
                    "count": 0, "influential": 0, "cited_by": [], "reasons": []}
            row["count"] += 1
            row["influential"] += is_true(data.get("is_influential"))
            row["cited_by"].append(citing)
            row["reasons"].append((citing, data.get("evidence") or ""))
    for row in rows.values():
        order = sorted(range(len(row["cited_by"])), key=lambda i: str(row["cited_by"][i]))
        row["cited_by"] = [row["cited_by"][i] for i in order]
        row["reasons"] = [row["reasons"][i] for i in order]
    ranked = sorted(rows.values(), key=lambda r: (-r["count"], -r["influential"],
                                                  r["year"] is None, r["year"] or 0,
                                                  str(r["title"]).lower()))
    return ranked if limit is None else ranked[:limit]
