"""Build the knowledge graph from the crawl store and the vocabulary.

:func:`build_graph` is a pure function of the store's contents and the vocabulary: it
re-links everything on every run, so improving the vocabulary or the linker needs no new
crawl. Documents, links and papers are streamed from SQLite, and entity linking runs once
per document, so the work grows linearly with the crawl.

What goes in (see DESIGN.md for the node ids, kinds and relations):

- a ``page`` for every document (dead links too, with ``status`` and ``http_status``, so the
  list's rot is visible) and for every listed URL not fetched yet (``status='pending'``);
- a ``paper`` for every arXiv paper in the store (``status`` says whether its metadata came);
- a ``person`` for every author of a paper or a page byline, and every person the list or a
  text names;
- only the vocabulary's methods, topics and people that the crawl or the reading list
  touches (mentions, headings, hints, authors, introduced methods), plus their ancestors along
  ``evolved_from`` and the topics they are ``part_of`` (transitively), so lineages and
  topics stay whole without pulling in the entire vocabulary. Vocabulary relations are added
  only between entities that are in.

One edge per (source node, target node, relation), keyed by the relation: repeated evidence
raises ``weight`` (how many times it was seen) and keeps the three best distinct snippets in
``evidence``, ``evidence_2``, ``evidence_3`` (each at most 300 characters) with their
``source``, ``source_2``, ``source_3``.

>>> from graph.store import Store
>>> store = Store(":memory:")
>>> store.upsert_document({"url": "https://a.example/", "outcome": "http_error",
...                        "http_status": 404})
>>> G = build_graph(store)
>>> G.nodes["page:https://a.example/"]["status"], G.nodes["page:https://a.example/"]["http_status"]
('http_error', 404)
"""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path
from typing import Iterable

import networkx as nx

from graph.linking import link_entities, reading_list_relations, resolve_person_entity
from graph.store import Store, store_path
from graph.vocabulary import Vocabulary, load_vocabulary

GRAPH_FILENAME = "graph.graphml"
EVIDENCE_CHARS = 300
MAX_EVIDENCE = 3
# Linking reads at most this much of a document: a 300-page PDF names its subject in the
# first pages, and one huge file must not dominate the build.
MAX_LINK_CHARS = 50_000
LIST_SEP = "|"
VOCABULARY_SOURCE = "vocabulary"


# -- ids and small text helpers ----------------------------------------------------------------
def page_id(url: str) -> str:
    """>>> page_id("https://a.example/x")
    'page:https://a.example/x'
    """
    return f"page:{url}"


def paper_id(arxiv_id: str) -> str:
    """>>> paper_id("1506.01497")
    'paper:arXiv:1506.01497'
    """
    return f"paper:arXiv:{arxiv_id}"


_SPACE = re.compile(r"\s+")


def clip_evidence(text: str | None, around: str | None = None,
                  limit: int = EVIDENCE_CHARS) -> str:
    """One line of at most ``limit`` characters, centred on ``around`` when it is cut.

    >>> clip_evidence("a  b\\n c")
    'a b c'
    >>> len(clip_evidence("x" * 400 + " R-CNN " + "y" * 400, around="R-CNN"))
    300
    """
    text = _SPACE.sub(" ", text or "").strip()
    if len(text) <= limit:
        return text
    at = text.find(around) if around else -1
    if at < 0:
        return text[: limit - 1] + "…"
    start = max(0, min(at - (limit - len(around)) // 2, len(text) - limit + 2))
    piece = text[start: start + limit - 2]
    return ("…" if start > 0 else "") + piece + ("…" if start + limit - 2 < len(text) else "")


def _join(values: Iterable) -> str | None:
    out, seen = [], set()
    for v in values or ():
        if v is None:
            continue
        s = _SPACE.sub(" ", str(v)).strip().replace(LIST_SEP, "/")
        if s and s not in seen:
            seen.add(s)
            out.append(s)
    return LIST_SEP.join(out) or None


def _year_of(date: str | None) -> int | None:
    if date and re.match(r"\d{4}", str(date)):
        return int(str(date)[:4])
    return None


_NOT_A_NAME = re.compile(r"[<>{}\[\]/\\@=#|]|https?:|www\.", re.I)


def plausible_name(name: str | None) -> bool:
    """A byline worth a person node: letters, short, no markup or address.

    >>> plausible_name("Lilian Weng"), plausible_name("<script>alert(2)</script>")
    (True, False)
    """
    if not name:
        return False
    name = name.strip()
    return (2 <= len(name) <= 80 and not _NOT_A_NAME.search(name)
            and any(ch.isalpha() for ch in name) and len(name.split()) <= 8)


# -- edges with merged evidence -----------------------------------------------------------
class _EdgeBook:
    """Collects edges; one per (u, v, rel), with a weight and the best few snippets."""

    def __init__(self):
        self.edges: dict[tuple, list] = {}

    @staticmethod
    def _quality(text: str) -> int:
        # A whole, readable sentence beats a fragment or a clipped wall of text.
        return 1 if 20 <= len(text) < EVIDENCE_CHARS else 0

    def add(self, u: str, v: str, rel: str, evidence: str | None, source: str | None,
            weight: float = 1.0) -> None:
        key = (u, v, rel)
        entry = self.edges.get(key)
        if entry is None:
            entry = self.edges[key] = [0.0, []]
        entry[0] += float(weight)
        if not evidence:
            return
        snippets = entry[1]
        for text, _src, _q in snippets:
            if text == evidence:
                return
        quality = self._quality(evidence)
        if len(snippets) < MAX_EVIDENCE:
            snippets.append((evidence, source, quality))
            return
        # Full: a better-quality snippet, or one from a source not yet represented,
        # replaces the weakest one.
        sources = [s for _, s, _ in snippets]
        new_source = source not in sources and len(set(sources)) < len(sources)
        worst = min(range(len(snippets)), key=lambda i: (snippets[i][2], -i))
        if quality > snippets[worst][2] or (new_source and quality >= snippets[worst][2]):
            snippets[worst] = (evidence, source, quality)

    def __contains__(self, key) -> bool:
        return key in self.edges

    def attributes(self, key) -> dict:
        weight, snippets = self.edges[key]
        ranked = sorted(snippets, key=lambda s: -s[2])  # stable: first seen first
        attrs = {"rel": key[2], "weight": weight}
        for i, (text, source, _q) in enumerate(ranked, start=1):
            suffix = "" if i == 1 else f"_{i}"
            attrs["evidence" + suffix] = text
            if source:
                attrs["source" + suffix] = source
        attrs.setdefault("source", None)
        if attrs["source"] is None:
            del attrs["source"]
        return attrs


# -- the build ------------------------------------------------------------------------------
class _Builder:
    def __init__(self, store: Store, vocab: Vocabulary):
        self.store = store
        self.vocab = vocab
        self.nodes: dict[str, dict] = {}
        self.edges = _EdgeBook()
        self.touched: set[str] = set()          # vocabulary entities the crawl/list reach
        self.people: dict[str, str] = {}        # person node -> label, outside vocabulary
        self._context_cache: dict[str, frozenset] = {}
        self.final_urls: list[tuple[str, str]] = []

    # nodes
    def _entity(self, eid: str) -> None:
        if eid in self.vocab.entities:
            self.touched.add(eid)

    def _person(self, name: str) -> str | None:
        node, entity = resolve_person_entity(name, self.vocab)
        if not node:
            return None
        if entity is not None:
            self._entity(entity.id)
            return entity.id
        self.people.setdefault(node, _SPACE.sub(" ", name).strip())
        return node

    def _mentions(self, src: str, text: str, context: frozenset, source: str) -> None:
        if not text:
            return
        for m in link_entities(text[:MAX_LINK_CHARS], self.vocab, context_entities=context):
            self._entity(m.entity_id)
            self.edges.add(src, m.entity_id, "mentions",
                           clip_evidence(m.sentence or m.surface, around=m.surface), source)

    def _context(self, texts: list[str]) -> frozenset:
        key = "\n".join(texts)
        if key not in self._context_cache:
            ids = {m.entity_id for t in texts if t for m in link_entities(t, self.vocab)}
            self._context_cache[key] = frozenset(ids)
        return self._context_cache[key]

    # the reading list
    def reading_list(self) -> dict[str, dict]:
        seeds = self.store.seeds()
        hints = self.store.hints()
        by_url: dict[str, dict] = {}
        for s in seeds:
            info = by_url.setdefault(s["url"], {"lines": [], "headings": [], "notes": [],
                                                "listed": []})
            info["lines"].append(s["line"])
            info["listed"].append(s["listed_url"])
            if s.get("heading"):
                info["headings"].append(s["heading"])
            info["notes"].extend(s.get("notes") or [])
        for url, info in by_url.items():
            info["context"] = self._context(info["headings"] + info["notes"])
            self._pending_page(url, by_url)  # replaced by the document when there is one
        for rel in reading_list_relations(seeds, hints, self.vocab):
            src, dst = rel["src"], rel["dst"]
            for node in (src, dst):
                if node.startswith("page:"):
                    self._pending_page(node[5:], by_url)
                else:
                    self._entity(node)
                    if node.startswith("person:") and node not in self.vocab.entities:
                        self.people.setdefault(node, node.split(":", 1)[1].replace("-", " ")
                                               .title())
            self.edges.add(src, dst, rel["rel"], clip_evidence(rel.get("evidence")),
                           rel.get("source"), rel.get("weight", 1.0) or 1.0)
        # A listed_under target is context too: a page filed under "RCNN" may say "it".
        for (u, v, rel) in list(self.edges.edges):
            if rel == "listed_under" and u.startswith("page:") and u[5:] in by_url:
                info = by_url[u[5:]]
                info["context"] = info["context"] | {v}
        return by_url

    def _pending_page(self, url: str, by_url: dict) -> None:
        node = page_id(url)
        if node not in self.nodes:
            self.nodes[node] = {"kind": "page", "label": url, "url": url, "status": "pending",
                                "is_seed": url in by_url}

    # documents
    def documents(self, by_url: dict[str, dict]) -> None:
        for doc in self.store.documents():
            url = doc["url"]
            node = page_id(url)
            info = by_url.get(url)
            attrs = {
                "kind": "page",
                "label": _SPACE.sub(" ", doc.get("title") or "").strip() or url,
                "url": url,
                "final_url": doc.get("final_url"),
                "title": doc.get("title"),
                "status": doc.get("outcome"),
                "http_status": doc.get("http_status"),
                "reason": doc.get("reason"),
                "doc_kind": doc.get("kind"),
                "lang": doc.get("lang"),
                "published": doc.get("published"),
                "authors": _join(doc.get("authors") or []),
                "summary": doc.get("summary"),
                "keywords": _join(doc.get("keywords") or []),
                "fetched_via": doc.get("fetched_via"),
                "archive_timestamp": doc.get("archive_timestamp"),
                "depth": doc.get("depth"),
                "is_seed": bool(doc.get("is_seed")) or info is not None,
            }
            if info:
                attrs["lines"] = _join(info["lines"])
                attrs["headings"] = _join(info["headings"])
                attrs["notes"] = _join(info["notes"])
            self.nodes[node] = {k: v for k, v in attrs.items() if v is not None and v != ""}
            if doc.get("final_url") and doc["final_url"] != url:
                self.final_urls.append((doc["final_url"], url))
            for name in doc.get("authors") or []:
                if plausible_name(name):
                    person = self._person(name)
                    if person:
                        self.edges.add(person, node, "authored",
                                       clip_evidence(f"byline: {name}"), url)
            # An arXiv document carries its paper's abstract: the paper node links it.
            if doc.get("outcome") == "ok" and doc.get("kind") != "arxiv":
                text = "\n".join(t for t in (doc.get("title"), doc.get("text")) if t)
                context = info["context"] if info else frozenset()
                self._mentions(node, text, context, url)

    def links(self) -> None:
        index = _UrlIndex(u[5:] for u, a in self.nodes.items() if a["kind"] == "page")
        for final_url, url in self.final_urls:  # a link may name where a redirect landed
            index.alias(final_url, url)
        for link in self.store.links():
            src = page_id(link["from_url"])
            target = index.get(link["to_url"])
            if target is None or src not in self.nodes or target == link["from_url"]:
                continue
            anchor = (link.get("anchor") or "").strip()
            evidence = f"links to {link['to_url']}" + (f" ({anchor})" if anchor else "")
            self.edges.add(src, page_id(target), "links_to", clip_evidence(evidence),
                           link["from_url"])

    # papers
    def papers(self) -> None:
        for p in self.store.papers():
            aid = p["arxiv_id"]
            node = paper_id(aid)
            title = _SPACE.sub(" ", p.get("title") or "").strip()
            attrs = {
                "kind": "paper",
                "label": title or f"arXiv:{aid}",
                "arxiv_id": aid,
                "title": title or None,
                "status": p.get("status"),
                "year": _year_of(p.get("published")),
                "published": (p.get("published") or "")[:10] or None,
                "authors": _join(p.get("authors") or []),
                "categories": _join(p.get("categories") or []),
                "primary_category": p.get("primary_category"),
                "summary": p.get("summary") or p.get("abstract"),
                "doi": p.get("doi"),
                "journal_ref": p.get("journal_ref"),
                "url": p.get("abs_url") or f"https://arxiv.org/abs/{aid}",
                "pdf_url": p.get("pdf_url"),
            }
            self.nodes[node] = {k: v for k, v in attrs.items() if v is not None and v != ""}
            source = attrs["url"]
            authors = []
            for name in p.get("authors") or []:
                person = self._person(name) if plausible_name(name) else None
                if person:
                    authors.append(person)
                    self.edges.add(person, node, "authored",
                                   clip_evidence(f"{name} is an author of arXiv:{aid}"
                                                 + (f" “{title}”" if title else "")),
                                   source)
            text = "\n".join(t for t in (title, p.get("abstract")) if t)
            context = frozenset(a for a in authors if a in self.vocab.entities)
            self._mentions(node, text, context, source)

    def paper_refs(self) -> None:
        for ref in self.store.paper_refs():
            src, dst = page_id(ref["doc_url"]), paper_id(ref["arxiv_id"])
            if src not in self.nodes or dst not in self.nodes:
                continue
            how = ref.get("how")
            evidence = (ref.get("evidence") or "").strip()
            if how == "seed":
                evidence = f"the reading list links arXiv:{ref['arxiv_id']}: {evidence}"
            elif how == "link":
                evidence = f"links to arXiv:{ref['arxiv_id']}" + (f" ({evidence})"
                                                                  if evidence else "")
            elif not evidence:
                evidence = f"cites arXiv:{ref['arxiv_id']}"
            self.edges.add(src, dst, "links_to", clip_evidence(evidence), ref["doc_url"])

    # the vocabulary
    def vocabulary(self) -> None:
        ents = self.vocab.entities
        relations = self.vocab.relations()
        for r in relations:  # a paper in the store that introduces a method brings it in
            if r["rel"] == "introduces" and r["src"] in self.nodes:
                self._entity(r["dst"])
        included = set(self.touched)
        frontier = list(included)
        while frontier:  # ancestors and parent topics keep lineages and topics whole
            ent = ents[frontier.pop()]
            for nxt in (*ent.evolved_from, *ent.part_of):
                if nxt in ents and nxt not in included:
                    included.add(nxt)
                    frontier.append(nxt)
        for eid in sorted(included):
            ent = ents[eid]
            attrs = {"kind": ent.kind, "label": ent.label,
                     "aliases": _join(a for a in ent.aliases if a != ent.label),
                     "year": ent.year, "category": ent.category,
                     "arxiv_id": ent.arxiv_id, "affiliation": ent.affiliation,
                     "chinese_name": ent.chinese_name}
            self.nodes[eid] = {k: v for k, v in attrs.items() if v is not None and v != ""}
        for r in relations:
            src, dst = r["src"], r["dst"]
            if (src in included or (r["rel"] == "introduces" and src in self.nodes)) \
                    and dst in included:
                self.edges.add(src, dst, r["rel"], clip_evidence(r.get("evidence")),
                               r.get("source") or VOCABULARY_SOURCE, r.get("weight") or 1.0)

    def graph(self) -> nx.MultiDiGraph:
        for node, label in self.people.items():
            if node not in self.nodes:
                self.nodes[node] = {"kind": "person", "label": label}
        G = nx.MultiDiGraph()
        G.add_nodes_from(self.nodes.items())
        for key in self.edges.edges:
            u, v, rel = key
            if u in self.nodes and v in self.nodes:
                G.add_edge(u, v, key=rel, **self.edges.attributes(key))
        return G


class _UrlIndex:
    """Finds the stored document a link points to, forgiving what canonical forms differ
    in (scheme/host case, default ports, a trailing slash)."""

    def __init__(self, urls: Iterable[str]):
        self.exact: dict[str, str] = {}
        self.loose: dict[str, str] = {}
        for url in urls:
            self.alias(url, url)

    @staticmethod
    def _loose(url: str) -> str:
        url = url.split("#", 1)[0]
        m = re.match(r"(?i)(https?)://([^/?#]*)(.*)", url)
        if not m:
            return url
        host = m.group(2).lower()
        host = re.sub(r":(80|443)$", "", host)
        rest = m.group(3).rstrip("/") or ""
        return f"{host}{rest}"

    def alias(self, url: str, target: str) -> None:
        self.exact.setdefault(url, target)
        self.loose.setdefault(self._loose(url), target)

    def get(self, url: str) -> str | None:
        return self.exact.get(url) or self.loose.get(self._loose(url))


def build_graph(store: Store, vocab: Vocabulary | None = None) -> nx.MultiDiGraph:
    """The knowledge graph of everything in ``store`` (see the module docstring).

    ``vocab`` defaults to the bundled vocabulary. The store is only read.
    """
    builder = _Builder(store, vocab if vocab is not None else load_vocabulary())
    by_url = builder.reading_list()
    builder.documents(by_url)
    builder.links()
    builder.papers()
    builder.paper_refs()
    builder.vocabulary()
    return builder.graph()


def write_default_graph(data_dir: str | Path) -> Path:
    """Build the graph of ``<data_dir>/crawl.sqlite`` and write ``<data_dir>/graph.graphml``.

    Raises ``graph.store.StoreMissing`` when there is no store. Returns the path written.
    """
    from graph.export import write_graph

    store = Store.open_existing(data_dir)
    try:
        G = build_graph(store)
    finally:
        store.close()
    return write_graph(G, "graphml", Path(data_dir) / GRAPH_FILENAME)
