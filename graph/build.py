"""Build the knowledge graph from the crawl store and the vocabulary.

:func:`build_graph` is a pure function of the store's contents and the vocabulary: it
re-links everything on every run, so improving the vocabulary or the linker needs no new
crawl. The store is only read. Rows are streamed from SQLite and entity linking runs once per
document, so the work grows linearly with the crawl; on a large store the linking is spread
over worker processes that read the documents' text themselves.

What goes in (see DESIGN.md for the node ids, kinds and relations):

- a ``page`` for every document (dead links too, with ``status`` and ``http_status``, so the
  list's rot is visible) and for every listed URL not fetched yet (``status='pending'``);
- a ``paper`` for every arXiv paper in the store (``status`` says whether its metadata came);
- a ``person`` for every author of a paper or a page byline, and every person the list or a
  text names;
- only the vocabulary's methods, topics and people that the crawl or the reading list
  touches (mentions, headings, hints, authors, introduced methods), plus their ancestors
  along ``evolved_from`` and the topics they are ``part_of`` (transitively), so lineages and
  topics stay whole without pulling in the entire vocabulary. Vocabulary relations are added
  only between entities that are in;
- methods learned from the text (graph/discover.py): named by a paper's title or abstract
  ("VICReg: ...", "We present Momentum Contrast (MoCo)"), with an ``introduces`` edge from
  that paper, or defined by abbreviation on a page ("gated recurrent units (GRUs)"). Every
  method, topic and person node from the vocabulary or learned has ``origin``
  (vocabulary, title, abstract, acronym) and ``confidence`` (1.0 for the vocabulary);
- relations the crawled text states: ``evolved_from`` where a sentence says one method
  builds on another, and ``related_to`` between entities that sentences of two or more
  documents name together (weight: how many documents), both with ``origin`` text.

One edge per (source node, target node, relation), keyed by the relation: repeated evidence
raises ``weight`` (how many times it was seen) and keeps the three best distinct snippets in
``evidence``, ``evidence_2``, ``evidence_3`` (each at most 300 characters) with their
``source``, ``source_2``, ``source_3``.

The graph attribute ``store_stamp`` names the store content it was built from, so a saved
``graph.graphml`` can be checked against the store without comparing file times.

>>> from graph.store import Store
>>> store = Store(":memory:")
>>> store.upsert_document({"url": "https://a.example/", "outcome": "http_error",
...                        "http_status": 404})
>>> page = build_graph(store).nodes["page:https://a.example/"]
>>> page["status"], page["http_status"]
('http_error', 404)
"""

from __future__ import annotations

import gc
import json
import marshal
import multiprocessing
import os
import re
import sqlite3
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Iterable, Iterator

import networkx as nx

from graph.citations import best_context, cited_paper_node, key_node_id, title_evidence
from graph.cooccurrence import count_pairs, merge_counts, related_pairs, sentence_pairs
from graph.discover import LearnedConcept, learn_concepts
from graph.people import merge_candidates, merge_people
from graph.relations import stated_relations
from graph.senses import local_senses
from graph.linking import (link_entities, link_heading, reading_list_relations,
                           resolve_person_entity)
from graph.store import Store
from graph.vocabulary import Vocabulary, data_vocabulary, load_vocabulary

GRAPH_FILENAME = "graph.graphml"
# Graph attribute holding the store's content stamp (``Store.content_stamp``) the graph was
# built from: a saved graph is current exactly when the store's stamp still equals it.
STAMP_ATTRIBUTE = "store_stamp"
EVIDENCE_CHARS = 300
MAX_COAUTHORS = 12
MAX_EVIDENCE = 3
# Linking reads at most this much of a document: a 300-page PDF names its subject in the
# first pages, and one huge file must not dominate the build.
MAX_LINK_CHARS = 50_000
# Below this many documents, starting worker processes costs more than it saves.
PARALLEL_MIN_DOCS = 2_000
TASK_DOCS = 500
LIST_SEP = "|"
VOCABULARY_SOURCE = "vocabulary"
TEXT_ORIGIN = "text"  # the origin of a relation a crawled sentence states


def learned_from_reading(attrs: dict) -> bool:
    """True for a node the graph learned from what it read (its ``origin`` is set and is
    not the vocabulary): pages and papers have no origin.

    >>> learned_from_reading({"origin": "abstract"}), learned_from_reading({"origin": "vocabulary"})
    (True, False)
    """
    return attrs.get("origin") not in (None, "", VOCABULARY_SOURCE)

_EMPTY: frozenset = frozenset()


# -- ids and small text helpers ----------------------------------------------------------------
def page_id(url: str) -> str:
    """The node id of the page at ``url`` (canonical, no fragment).

    >>> page_id("https://a.example/x")
    'page:https://a.example/x'
    """
    return f"page:{url}"


def paper_id(arxiv_id: str) -> str:
    """The node id of an arXiv paper (versionless id).

    >>> paper_id("1506.01497")
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
    text = " ".join((text or "").split())
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


def _json_list(value) -> list:
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return [value]
    return list(value) if isinstance(value, (list, tuple)) else []


def _year_of(date: str | None) -> int | None:
    if date and re.match(r"\d{4}", str(date)):
        return int(str(date)[:4])
    return None


def _scalars(attrs: dict) -> dict:
    return {k: v for k, v in attrs.items() if v is not None and v != ""}


_NOT_A_NAME = re.compile(r"[<>{}\[\]/\\@=#|]|https?:|www\.", re.I)


# Section names that organise a list without being about anything.
_GENERIC_SECTIONS = {
    "books", "book", "papers", "paper", "courses", "course", "videos", "video", "lectures",
    "tutorials", "tutorial", "blogs", "blog", "posts", "articles", "links", "resources",
    "tools", "libraries", "frameworks", "code", "software", "datasets", "misc",
    "miscellaneous", "others", "other", "other bookmarks", "contents", "table of contents",
    "contributing", "license", "references", "readings", "reading list", "notes", "todo",
    "to read", "new", "old", "archive", "unsorted", "imported", "bookmarks", "general",
    "论文", "书籍", "课程", "视频", "博客", "教程", "资源", "工具", "其他", "其它", "目录",
}
_TOPIC_TEXT = re.compile(r"^[\w\u4e00-\u9fff][\w\u4e00-\u9fff '&+\-./()（）]{1,58}$")


def plausible_topic(text: str) -> bool:
    """Whether a list heading could name a topic ("Graph neural networks", "强化学习"), not a
    generic section ("Books", "Others"), a sentence or a link.

    >>> plausible_topic("Graph neural networks"), plausible_topic("Books"), plausible_topic("http://x.org")
    (True, False, False)
    """
    text = text.strip()
    if text.lower() in _GENERIC_SECTIONS or _NOT_A_NAME.search(text):
        return False
    if not _TOPIC_TEXT.match(text) or len(text.split()) > 6:
        return False
    return any(c.isalpha() for c in text)


_MODIFIER = re.compile(r"(?:[A-Za-z0-9][\w-]*\s+){1,3}|[\u4e00-\u9fff]{1,4}")
_NOT_NARROWING = frozenset(
    "advanced introduction intro introductory basic basics modern classic classical practical "
    "applied more other some recent new the a an on about notes note my useful awesome "
    "overview survey tutorial tutorials learn learning".split())


def narrowed_topic(heading: str, found: list, vocab: Vocabulary) -> str | None:
    """The known topic a heading narrows ("Graph neural networks" -> neural networks,
    "3D object detection" -> object detection, "图神经网络" -> 神经网络), or None: the
    heading is then a topic of its own, part of the broader one.

    >>> from graph.linking import link_heading
    >>> vocab = load_vocabulary()
    >>> [narrowed_topic(h, link_heading(h, vocab), vocab) for h in (
    ...     "Graph neural networks", "Object Detection", "Advanced deep learning")]
    ['topic:neural-networks', None, None]
    """
    text = heading.strip()
    if len(found) != 1 or found[0].end != len(text) or found[0].start == 0:
        return None
    entity = vocab.entities.get(found[0].entity_id)
    modifier = text[:found[0].start]
    if entity is None or entity.kind != "topic" or not _MODIFIER.fullmatch(modifier):
        return None
    if any(w.lower() in _NOT_NARROWING for w in modifier.split()):
        return None
    return entity.id


def topic_slug(text: str) -> str:
    """The id part of a topic learned from a heading.

    >>> topic_slug("Graph Neural Networks (GNN)")
    'graph-neural-networks-gnn'
    """
    slug = re.sub(r"[^\w\u4e00-\u9fff]+", "-", text.lower()).strip("-_")
    return slug or "untitled"


def plausible_name(name: str | None) -> bool:
    """A byline worth a person node: letters, short, no markup or address.

    >>> plausible_name("Lilian Weng"), plausible_name("<script>alert(2)</script>")
    (True, False)
    """
    if not name or not isinstance(name, str):
        return False
    name = name.strip()
    return (2 <= len(name) <= 80 and not _NOT_A_NAME.search(name)
            and any(ch.isalpha() for ch in name) and len(name.split()) <= 8)


# -- evidence ----------------------------------------------------------------------------------
def _good(text: str, source: str | None = None) -> bool:
    # A whole, readable sentence beats a fragment or a clipped wall of text; the reading
    # list's own lines are the user's word, however short.
    if (source or "").startswith("reading-list:"):
        return True
    if len(text) >= EVIDENCE_CHARS:
        return False
    # A Chinese character says more than a letter (counted only where it decides).
    return len(text) >= 20 or len(text) + len(_WIDE.findall(text)) >= 20


_WIDE = re.compile("[\u3000-\u9fff\uf900-\ufaff\uff00-\uffef]")


def _offer(snippets: list, text: str, source: str | None) -> None:
    """Keep ``text`` among the best few distinct snippets (in place)."""
    for kept, _ in snippets:
        if kept == text:
            return
    if len(snippets) < MAX_EVIDENCE:
        snippets.append((text, source))
        return
    # Full: a readable sentence replaces a fragment, and a new source replaces a repeated
    # one, so the snippets show the evidence's breadth.
    sources = [s for _, s in snippets]
    repeated = len(set(sources)) < len(sources) and source not in sources
    good = _good(text, source)
    if not good and not repeated:
        return  # nothing it could replace
    for i in range(len(snippets) - 1, -1, -1):
        old_text, old_source = snippets[i]
        old_good = _good(old_text, old_source)
        if (good and not old_good) or (
                repeated and sources.count(old_source) > 1 and good >= old_good):
            snippets[i] = (text, source)
            return


class _EdgeBook:
    """Collects edges: one per (u, v, rel), with a weight and the best few snippets.

    Each edge is kept as the attribute dict the graph will hold, so assembling the graph
    copies nothing; the rare edges with several snippets keep them aside until
    :meth:`finish` ranks them.
    """

    def __init__(self):
        self.edges: dict[tuple, dict] = {}
        self.more: dict[tuple, list] = {}

    def add(self, u: str, v: str, rel: str, evidence: str | None, source: str | None,
            weight: float = 1.0) -> None:
        key = (u, v, rel)
        attrs = self.edges.get(key)
        if attrs is None:
            attrs = self.edges[key] = {"rel": rel, "weight": float(weight)}
            if evidence:
                attrs["evidence"] = evidence
            if source:
                attrs["source"] = source
            return
        attrs["weight"] += weight
        if evidence:
            snippets = self.more.get(key)
            if snippets is None:
                first = attrs.get("evidence")
                snippets = self.more[key] = [(first, attrs.get("source"))] if first else []
            _offer(snippets, evidence, source)

    def add_texts(self, u: str, v: str, rel: str, weight: float, texts: list[str],
                  source: str | None) -> None:
        """A new edge with all its snippets, from one source (a document's mentions)."""
        key = (u, v, rel)
        if key in self.edges:
            self.add_all(u, v, rel, weight, [(t, source) for t in texts])
            return
        self.edges[key] = {"rel": rel, "weight": float(weight), "evidence": texts[0],
                           "source": source}
        if len(texts) > 1:  # most edges have one: no snippet list for them
            self.more[key] = [(t, source) for t in texts]

    def add_all(self, u: str, v: str, rel: str, weight: float, snippets: list) -> None:
        """A new edge with all its snippets at once (a document's mentions)."""
        key = (u, v, rel)
        if key in self.edges:  # not expected: one text per node
            for i, (text, source) in enumerate(snippets):
                self.add(u, v, rel, text, source, weight if i == 0 else 0.0)
            return
        text, source = snippets[0]
        self.edges[key] = {"rel": rel, "weight": float(weight), "evidence": text,
                           "source": source}
        if len(snippets) > 1:
            self.more[key] = snippets

    def rename(self, mapping: dict[str, str]) -> None:
        """Move the edges of the nodes in ``mapping`` to the node each maps to; an edge
        that meets one already there adds its weight and snippets to it."""
        moved = [key for key in self.edges if key[0] in mapping or key[1] in mapping]
        for key in moved:
            attrs, snippets = self.edges.pop(key), self.more.pop(key, None)
            u, v, rel = mapping.get(key[0], key[0]), mapping.get(key[1], key[1]), key[2]
            if u == v:
                continue  # "K. He" co-author of Kaiming He: one person now
            if rel == "coauthor":
                u, v = sorted((u, v))
            new = (u, v, rel)
            if new not in self.edges:
                self.edges[new] = attrs
                if snippets:
                    self.more[new] = snippets
                continue
            for text, source in snippets or [(attrs.get("evidence"), attrs.get("source"))]:
                self.add(u, v, rel, text, source, 0.0)
            self.edges[new]["weight"] += attrs["weight"]

    def finish(self) -> None:
        """Write the kept snippets, best first, as evidence, evidence_2, ... with sources."""
        for key, snippets in self.more.items():
            attrs = self.edges[key]
            for name in ("evidence", "source"):
                attrs.pop(name, None)
            ranked = sorted(snippets, key=lambda s: not _good(*s))  # stable
            for i, (text, source) in enumerate(ranked, start=1):
                suffix = "" if i == 1 else f"_{i}"
                attrs["evidence" + suffix] = text
                if source:
                    attrs["source" + suffix] = source
        self.more = {}


# -- linking documents (in this process or in workers) -------------------------------------
_LINKABLE = "outcome = 'ok' AND COALESCE(kind, '') != 'arxiv'"
_LINK_SQL = (f"SELECT url, title, text FROM documents WHERE {_LINKABLE}"
             " AND rowid BETWEEN ? AND ? ORDER BY rowid")


def link_text(text: str, vocab: Vocabulary,
              context: frozenset = _EMPTY) -> list[tuple[str, int, list[str]]]:
    """The entities ``text`` names: ``(entity id, how many times, best sentences)``.

    >>> from graph.vocabulary import load_vocabulary
    >>> link_text("YOLO is fast. YOLO is one-stage.", load_vocabulary())
    [('method:yolo', 2, ['YOLO is fast.', 'YOLO is one-stage.'])]
    """
    return link_document(text, vocab, context)[0]


def link_document(text: str, vocab: Vocabulary, context: frozenset = _EMPTY
                  ) -> tuple[list[tuple[str, int, list[str]]], list[tuple[str, str, str]],
                             list[tuple[str, str, str]]]:
    """What :func:`link_text` finds, the ``(newer, older, sentence)`` method relations the
    text states (see :func:`graph.relations.stated_relations`), and the ``(a, b,
    sentence)`` pairs of entities its sentences name together
    (:func:`graph.cooccurrence.sentence_pairs`).

    >>> from graph.vocabulary import load_vocabulary
    >>> found, relations, pairs = link_document("Fast R-CNN builds on R-CNN.", load_vocabulary())
    >>> relations
    [('method:fast-r-cnn', 'method:r-cnn', 'Fast R-CNN builds on R-CNN.')]
    >>> pairs
    [('method:fast-r-cnn', 'method:r-cnn', 'Fast R-CNN builds on R-CNN.')]
    """
    found: dict[str, list] = {}
    text = text[:MAX_LINK_CHARS]
    mentions = local_senses(text, link_entities(text, vocab, context_entities=context), vocab)
    relations = stated_relations(text, mentions, vocab.entities)
    for m in mentions:
        sentence = m.sentence if len(m.sentence) <= EVIDENCE_CHARS else clip_evidence(
            m.sentence, around=m.surface)
        entry = found.get(m.entity_id)
        if entry is None:
            found[m.entity_id] = [1, [(sentence or m.surface, None)]]
        else:
            entry[0] += 1
            _offer(entry[1], sentence or m.surface, None)
    return ([(eid, n, [s for s, _ in snippets]) for eid, (n, snippets) in found.items()],
            relations, sentence_pairs(mentions))


def _link_rows(rows, vocab: Vocabulary, contexts: dict) -> tuple[list, dict]:
    """``[(url, found, relations)]`` of the documents ``rows``, and the entity pairs they
    name together, counted (:func:`graph.cooccurrence.count_pairs`) here: far fewer
    than the documents' pairs, for the building process to merge."""
    out: list = []
    together: dict = {}
    for url, title, text in rows:
        body = "\n".join(t for t in (title, text) if t)
        if body:
            found, relations, pairs = link_document(body, vocab, contexts.get(url, _EMPTY))
            out.append((url, found, relations))
            count_pairs(together, pairs, url)
    return out, together


_WORKER: tuple | None = None


def _init_worker(vocab: Vocabulary, contexts: dict, uri: str) -> None:
    global _WORKER
    _WORKER = (vocab, contexts, sqlite3.connect(uri, uri=True))


def _link_chunk(bounds: tuple[int, int]) -> bytes:
    vocab, contexts, conn = _WORKER
    # marshal: plain strings, numbers and lists travel back twice as fast as with pickle.
    return marshal.dumps(_link_rows(conn.execute(_LINK_SQL, bounds), vocab, contexts))


def _default_workers() -> int:
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cpus = os.cpu_count() or 1
    return min(cpus, 8) if cpus > 1 else 0


class _Linking:
    """Linking results in document order. On a large store the work starts right away in
    worker processes, so the caller can build the rest of the graph meanwhile."""

    def __init__(self, store: Store, vocab: Vocabulary, contexts: dict, workers: int | None,
                 together: dict):
        self.store, self.vocab, self.contexts = store, vocab, contexts
        self.together = together  # entity pairs named together: each chunk's are added
        self.pool: ProcessPoolExecutor | None = None
        self.futures: list = []
        rowids = [r[0] for r in store.conn.execute(
            f"SELECT rowid FROM documents WHERE {_LINKABLE} ORDER BY rowid")]
        self.chunks = [(rowids[i], rowids[min(i + TASK_DOCS, len(rowids)) - 1])
                       for i in range(0, len(rowids), TASK_DOCS)]
        if workers is None:
            workers = _default_workers() if len(rowids) >= PARALLEL_MIN_DOCS else 0
        if workers and self.chunks and store.path != ":memory:" and Path(store.path).exists():
            uri = Path(store.path).resolve().as_uri() + "?mode=ro"
            # spawn, not fork: the crawler calls this from a process with threads running.
            self.pool = ProcessPoolExecutor(
                max_workers=min(workers, len(self.chunks)),
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_init_worker, initargs=(vocab, contexts, uri))
            self.futures = [self.pool.submit(_link_chunk, bounds) for bounds in self.chunks]

    def __iter__(self) -> Iterator[tuple[str, list, list]]:
        for i, bounds in enumerate(self.chunks):
            linked = None
            # A chunk no worker has started yet is linked here: this process has finished
            # its own part of the build and would otherwise wait.
            if self.pool is not None and not self.futures[i].cancel():
                try:
                    linked = marshal.loads(self.futures[i].result())
                except BrokenProcessPool:
                    # Workers could not start (a script without the `if __name__ ==
                    # "__main__":` guard) or died: link the rest here, same result.
                    self.close()
            if linked is None:
                linked = _link_rows(self.store.conn.execute(_LINK_SQL, bounds), self.vocab,
                                    self.contexts)
            documents, together = linked
            merge_counts(self.together, together)
            yield from documents

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
            self.pool = None


# -- the build ------------------------------------------------------------------------------
_DOC_SQL = ("SELECT url, final_url, outcome, reason, http_status, kind, title, authors,"
            " published, lang, summary, keywords, depth, is_seed, fetched_via,"
            " archive_timestamp FROM documents ORDER BY rowid")


class _Builder:
    def __init__(self, store: Store, vocab: Vocabulary):
        self.store = store
        self.vocab = vocab
        self.nodes: dict[str, dict] = {}
        self.edges = _EdgeBook()
        self.touched: set[str] = set()          # vocabulary entities the crawl/list reach
        self.people: dict[str, str] = {}        # person node -> label, outside vocabulary
        self.paper_authors: dict[str, list[str]] = {}  # paper node -> its first authors
        self.final_urls: list[tuple[str, str]] = []
        self._person_cache: dict[str, str | None] = {}
        self.person_aliases: dict[str, list[str]] = {}  # person node -> merged forms
        self.together: dict[tuple[str, str], list] = {}  # entities named together

    # nodes
    def _entity(self, eid: str) -> None:
        if eid in self.vocab.entities:
            self.touched.add(eid)

    def _person(self, name: str) -> str | None:
        if name in self._person_cache:
            return self._person_cache[name]
        self._person_cache[name] = person = self._resolve_person(name)
        return person

    def _resolve_person(self, name: str) -> str | None:
        if not plausible_name(name):
            return None
        node, entity = resolve_person_entity(name, self.vocab)
        if not node:
            return None
        if entity is not None:
            self.touched.add(entity.id)
            return entity.id
        self.people.setdefault(node, _SPACE.sub(" ", name).strip())
        return node

    def mentions(self, src: str, found: list, source: str) -> None:
        add_texts, touched = self.edges.add_texts, self.touched
        for eid, count, sentences in found:
            touched.add(eid)
            add_texts(src, eid, "mentions", count, sentences, source)

    def stated(self, relations: list, source: str) -> None:
        """``newer evolved_from older`` where a text says so, with its sentence."""
        edges = self.edges
        for newer, older, sentence in relations:
            edges.add(newer, older, "evolved_from", clip_evidence(sentence), source)
            edges.edges[(newer, older, "evolved_from")]["origin"] = TEXT_ORIGIN

    def related(self) -> None:
        """``related_to`` between entities named together in two or more documents."""
        edges = self.edges
        for a, b, documents, snippets in related_pairs(self.together):
            edges.add_all(a, b, "related_to", documents,
                          [(clip_evidence(text), source) for text, source in snippets])
            edges.edges[(a, b, "related_to")]["origin"] = TEXT_ORIGIN
        self.together = {}

    # the reading list
    def reading_list(self) -> dict[str, dict]:
        seeds = self.store.seeds()
        hints = self.store.hints()
        by_url: dict[str, dict] = {}
        for s in seeds:
            info = by_url.setdefault(s["url"], {"lines": [], "headings": [], "notes": []})
            info["lines"].append(s["line"])
            if s.get("heading"):
                info["headings"].append(s["heading"])
            info["notes"].extend(_json_list(s.get("notes")))
        cache: dict[str, frozenset] = {}
        for url, info in by_url.items():
            # Whoever the heading or notes name is context for the page's text: "He" in a
            # page filed under "He Kaiming" can be him.
            key = "\n".join(info["headings"] + info["notes"])
            if key not in cache:
                cache[key] = frozenset(m.entity_id for m in link_entities(key, self.vocab))
            info["context"] = cache[key]
            self._pending_page(url, by_url)  # replaced by the document when there is one
        for rel in reading_list_relations(seeds, hints, self.vocab):
            src, dst = rel["src"], rel["dst"]
            for node in (src, dst):
                if node.startswith("page:"):
                    self._pending_page(node[5:], by_url)
                else:
                    self._entity(node)
            self.edges.add(src, dst, rel["rel"], clip_evidence(rel.get("evidence")),
                           rel.get("source"), rel.get("weight") or 1.0)
            if rel["rel"] == "listed_under" and src[5:] in by_url:
                info = by_url[src[5:]]
                info["context"] = info["context"] | {dst}
        self._heading_topics(seeds)
        return by_url

    def _heading_topics(self, seeds) -> None:
        """Sections of the list that name nothing the vocabulary knows become topics."""
        cache: dict[str, str | None] = {}
        for s in seeds:
            heading, line = s.get("heading"), s.get("heading_line")
            if not heading or not line:
                continue
            parts = [p.strip() for p in heading.replace("; ", " > ").split(" > ")]
            previous = None
            for part in parts:
                if part not in cache:
                    cache[part] = self._heading_topic(part)
                topic, broader = cache[part]
                if topic is None:
                    previous = None
                    continue
                self.edges.add(page_id(s["url"]), topic, "listed_under",
                               clip_evidence(heading), f"reading-list:L{line}")
                if broader is not None:
                    self.edges.add(topic, broader, "part_of", clip_evidence(heading),
                                   f"reading-list:L{line}")
                if previous is not None:
                    self.edges.add(topic, previous, "part_of", clip_evidence(heading),
                                   f"reading-list:L{line}")
                previous = topic

    def _heading_topic(self, text: str) -> tuple[str | None, str | None]:
        """(the heading's own topic or None, the known topic it narrows or None)."""
        if not plausible_topic(text):
            return None, None
        found = link_heading(text, self.vocab)
        broader = narrowed_topic(text, found, self.vocab)
        if found and broader is None:
            return None, None
        node = f"topic:{topic_slug(text)}"
        if node in self.vocab.entities:
            return None, None
        self.nodes.setdefault(node, {"kind": "topic", "label": text, "origin": "heading",
                                     "confidence": 0.5})
        if broader:
            self._entity(broader)
        return node, broader

    def _pending_page(self, url: str, by_url: dict) -> None:
        node = page_id(url)
        if node not in self.nodes:
            self.nodes[node] = {"kind": "page", "label": url, "url": url, "status": "pending",
                                "is_seed": url in by_url}

    # documents (their text is linked separately)
    def documents(self, by_url: dict[str, dict]) -> None:
        for row in self.store.conn.execute(_DOC_SQL):
            (url, final_url, outcome, reason, http_status, kind, title, authors, published,
             lang, summary, keywords, depth, is_seed, fetched_via, archive_ts) = row
            node = page_id(url)
            info = by_url.get(url)
            authors = _json_list(authors)
            attrs = {
                "kind": "page",
                "label": _SPACE.sub(" ", title or "").strip() or url,
                "url": url, "final_url": final_url, "title": title,
                "status": outcome, "http_status": http_status, "reason": reason,
                "doc_kind": kind, "lang": lang, "published": published,
                "authors": _join(authors), "summary": summary,
                "keywords": _join(_json_list(keywords)),
                "fetched_via": fetched_via, "archive_timestamp": archive_ts, "depth": depth,
                "is_seed": bool(is_seed) or info is not None,
            }
            if info:
                attrs.update(lines=_join(info["lines"]), headings=_join(info["headings"]),
                             notes=_join(info["notes"]))
            self.nodes[node] = _scalars(attrs)
            if final_url and final_url != url:
                self.final_urls.append((final_url, url))
            for name in authors:
                person = self._person(name) if isinstance(name, str) else None
                if person:
                    self.edges.add(person, node, "authored",
                                   clip_evidence(f"byline: {name}"), url)

    def links(self) -> None:
        index = _UrlIndex(u[5:] for u, a in self.nodes.items() if a["kind"] == "page")
        for final_url, url in self.final_urls:  # a link may name where a redirect landed
            index.alias(final_url, url)
        nodes, add = self.nodes, self.edges.add
        last, src = None, None  # a page's links are stored together
        for from_url, to_url, anchor in self.store.conn.execute(
                "SELECT from_url, to_url, anchor FROM links ORDER BY rowid"):
            target = index.get(to_url)
            if target is None or target == from_url:
                continue  # links out of the crawl are not nodes: the graph would explode
            if from_url != last:
                last, src = from_url, page_id(from_url)
            if src not in nodes:
                continue
            anchor = " ".join(anchor.split()) if anchor else ""
            evidence = f"links to {to_url}" + (f" ({anchor})" if anchor else "")
            add(src, page_id(target), "links_to", clip_evidence(evidence), from_url)

    # papers
    def papers(self) -> None:
        for p in self.store.papers():
            aid = p["arxiv_id"]
            node = paper_id(aid)
            title = _SPACE.sub(" ", p.get("title") or "").strip()
            url = p.get("abs_url") or f"https://arxiv.org/abs/{aid}"
            self.nodes[node] = _scalars({
                "kind": "paper", "label": title or f"arXiv:{aid}", "arxiv_id": aid,
                "title": title, "status": p.get("status"),
                "year": _year_of(p.get("published")),
                "published": (p.get("published") or "")[:10],
                "authors": _join(_json_list(p.get("authors"))),
                "categories": _join(_json_list(p.get("categories"))),
                "primary_category": p.get("primary_category"),
                "summary": p.get("summary") or p.get("abstract"),
                "doi": p.get("doi"), "journal_ref": p.get("journal_ref"),
                "url": url, "pdf_url": p.get("pdf_url"), "_depth": p.get("depth"),
            })
            authors = []
            for name in _json_list(p.get("authors")):
                person = self._person(name) if isinstance(name, str) else None
                if person:
                    authors.append(person)
                    quoted = f" “{title}”" if title else ""
                    self.edges.add(person, node, "authored",
                                   clip_evidence(f"{name} is an author of arXiv:{aid}{quoted}"),
                                   url)
            # Co-authors: pairs among the first authors only, so a paper with hundreds of
            # authors does not add tens of thousands of edges.
            first = self.paper_authors[node] = list(dict.fromkeys(authors))[:MAX_COAUTHORS]
            for i, a in enumerate(first):
                for b in first[i + 1:]:
                    u, v = sorted((a, b))
                    self.edges.add(u, v, "coauthor",
                                   clip_evidence(f"co-authors of arXiv:{aid}"
                                                 + (f" “{title}”" if title else "")), url)
            text = "\n".join(t for t in (title, p.get("abstract")) if t)
            # Its authors are context: "He et al." in an abstract is one of them.
            context = frozenset(a for a in authors if a in self.vocab.entities)
            found, relations, pairs = link_document(text, self.vocab, context)
            self.mentions(node, found, url)
            self.stated(relations, url)
            count_pairs(self.together, pairs, url)

    # citations (Semantic Scholar)
    def citations(self) -> None:
        """``cites`` edges between papers, with the citing sentence; cited papers outside
        the store become paper nodes (``in_list`` False)."""
        listed = {r["arxiv_id"] for r in self.store.listed_papers() if r.get("arxiv_id")}
        listed_dois = {r["doi"].lower() for r in self.store.listed_papers() if r.get("doi")}
        status = self.store.citation_status()
        by_doi: dict[str, str] = {}
        for node, attrs in self.nodes.items():
            if attrs.get("kind") != "paper":
                continue
            aid = attrs.get("arxiv_id")
            attrs["in_list"] = bool(attrs.pop("_depth", 1) == 0 or aid in listed)
            attrs["citations"] = (status.get(aid) or {}).get("status") or ""
            if attrs.get("doi"):
                by_doi[str(attrs["doi"]).lower()] = node
        cited = {p["key"]: p for p in self.store.cited_papers()}

        def node_of(key: str) -> str:
            kind, _, value = key.partition(":")
            if kind == "doi" and value in by_doi:
                return by_doi[value]  # the arXiv paper with that DOI: one node, never a twin
            return key_node_id(key)

        for row in self.store.citations():
            citing, target = node_of(row["citing"]), node_of(row["cited"])
            if citing not in self.nodes or citing == target:
                continue
            info = cited.get(row["cited"]) or {}
            if target not in self.nodes:
                self.nodes[target] = cited_paper_node(row["cited"], info, listed_dois)
            title = self.nodes[target].get("title") or ""
            evidence = best_context(row["contexts"], title) or title_evidence(row["cited"], title)
            self.edges.add(citing, target, "cites", clip_evidence(evidence), row["source"])
            attrs = self.edges.edges[(citing, target, "cites")]
            if row["intents"]:
                attrs["intents"] = "|".join(row["intents"])
            if row["is_influential"] is not None:
                attrs["is_influential"] = bool(row["is_influential"])

    def paper_refs(self) -> None:
        for ref in self.store.paper_refs():
            src, dst = page_id(ref["doc_url"]), paper_id(ref["arxiv_id"])
            if src not in self.nodes or dst not in self.nodes:
                continue
            how, aid = ref.get("how"), ref["arxiv_id"]
            evidence = _SPACE.sub(" ", ref.get("evidence") or "").strip()
            if how == "seed":
                evidence = f"the reading list links arXiv:{aid}" + (
                    f": {evidence}" if evidence else "")
            elif how == "link":
                evidence = f"links to arXiv:{aid}" + (f" ({evidence})" if evidence else "")
            elif not evidence:
                evidence = f"cites arXiv:{aid}"
            self.edges.add(src, dst, "links_to", clip_evidence(evidence, around=aid),
                           ref["doc_url"])

    # what was learned from the text
    def learned(self, concepts: list[LearnedConcept], base: Vocabulary) -> None:
        best: dict[str, LearnedConcept] = {}
        for c in concepts:
            if c.entity_id not in base.entities:
                if c.entity_id not in best or c.confidence > best[c.entity_id].confidence:
                    best[c.entity_id] = c
            if c.paper and c.paper in self.nodes and c.origin in ("title", "abstract"):
                known = base.get(c.entity_id)
                if known is not None and known.arxiv_id:
                    continue  # the vocabulary knows which paper introduced it
                if (c.paper, c.entity_id, "introduces") not in self.edges.edges:
                    self.edges.add(c.paper, c.entity_id, "introduces",
                                   clip_evidence(c.evidence), c.source)
                self.touched.add(c.entity_id)
        for eid, c in best.items():
            if eid in self.nodes:
                self.nodes[eid].update(origin=c.origin, confidence=c.confidence)
        self._learned = best

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
        learned = getattr(self, "_learned", {})
        for eid in sorted(included):
            ent = ents[eid]
            concept = learned.get(eid)
            self.nodes[eid] = _scalars({
                "kind": ent.kind, "label": ent.label,
                "aliases": _join(a for a in ent.aliases if a != ent.label),
                "year": ent.year, "category": ent.category, "arxiv_id": ent.arxiv_id,
                "affiliation": ent.affiliation, "chinese_name": ent.chinese_name,
                "origin": concept.origin if concept else VOCABULARY_SOURCE,
                "confidence": concept.confidence if concept else 1.0,
            })
        for r in relations:
            src, dst = r["src"], r["dst"]
            if dst in included and (src in included or (r["rel"] == "introduces"
                                                        and src in self.nodes)):
                self.edges.add(src, dst, r["rel"], clip_evidence(r.get("evidence")),
                               r.get("source") or VOCABULARY_SOURCE, r.get("weight") or 1.0)

    def introducers(self) -> None:
        """The authors of a paper that introduces a method work on that method (for a
        learned method, the only way its people join the graph)."""
        edges = self.edges.edges
        introduced = [(u, v) for u, v, rel in edges
                      if rel == "introduces" and u in self.paper_authors]
        for paper, method in introduced:
            data = self.nodes[paper]
            aid, url = data.get("arxiv_id"), data.get("url")
            label = (self.nodes.get(method) or {}).get("label") or method
            for person in self.paper_authors[paper]:
                if (person, method, "works_on") in edges:
                    continue  # the vocabulary or the list says it already: no double count
                name = (self.nodes.get(person) or {}).get("label") or self.people.get(person)
                self.edges.add(person, method, "works_on", clip_evidence(
                    f"{name} is an author of arXiv:{aid}, which introduces {label}"), url)

    def one_person_per_name(self) -> None:
        """Bylines' "K. He" and "何恺明" become the graph's Kaiming He where the context
        fits (graph/people.py); the short form stays as an alias."""
        names: dict[str, list[str]] = {node: [label] for node, label in self.people.items()}
        for node, attrs in self.nodes.items():
            if attrs.get("kind") == "person" and node in self.vocab.entities:
                names[node] = [attrs.get("label") or node, *self.vocab.entities[node].aliases]
        candidates = merge_candidates(names)
        if not candidates:
            return
        # A person's context: who and what they share an edge with, and what the pages and
        # papers they wrote are about. Only the people that might merge need it.
        asked = {*candidates, *candidates.values()}
        edges = self.edges.edges
        wrote: dict[str, set] = {}
        for u, v, rel in edges:
            if rel == "authored" and u in asked:
                wrote.setdefault(u, set()).add(v)
        around = asked.union(*wrote.values())
        adjacent: dict[str, set] = {}
        for u, v, _ in edges:
            if u in around:
                adjacent.setdefault(u, set()).add(v)
            if v in around:
                adjacent.setdefault(v, set()).add(u)
        context = {}
        for person in asked:
            near = set(adjacent.get(person, ()))
            for doc in wrote.get(person, ()):
                near |= adjacent.get(doc, set())
            context[person] = near - {person}
        merged = merge_people(names, context, candidates)
        if not merged:
            return
        self.edges.rename(merged)
        for short, full in sorted(merged.items()):
            label = self.people.pop(short)
            self.person_aliases.setdefault(full, []).append(label)
            for node, authors in self.paper_authors.items():
                if short in authors:
                    self.paper_authors[node] = list(dict.fromkeys(
                        full if a == short else a for a in authors))

    def graph(self) -> nx.MultiDiGraph:
        for node, label in self.people.items():
            self.nodes.setdefault(node, {"kind": "person", "label": label})
        for node, more in self.person_aliases.items():
            if node in self.nodes:
                known = (self.nodes[node].get("aliases") or "").split("|")
                self.nodes[node]["aliases"] = "|".join(
                    dict.fromkeys(a for a in (*known, *more) if a))
        self.edges.finish()
        G = nx.MultiDiGraph()
        G.add_nodes_from(self.nodes.items())
        nodes = self.nodes
        # What MultiDiGraph.add_edge does, without its per-call overhead and copies: one
        # key dict per (u, v), shared by the successor and predecessor maps, holding the
        # attribute dicts built above. The graph is new, so there is no cache to clear.
        succ, pred = G._succ, G._pred
        last, out = None, None  # a node's edges were mostly added one after another
        for (u, v, rel), attrs in self.edges.edges.items():
            if u is not last:
                last, out = u, (succ[u] if u in nodes else None)
            if out is not None and v in nodes:
                keydict = out.get(v)
                if keydict is None:
                    out[v] = pred[v][u] = {rel: attrs}
                else:
                    keydict[rel] = attrs
        self.edges = _EdgeBook()
        return G


_HOST_PATH_RE = re.compile(r"([^/?#]*)([^#]*)")


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
        scheme, sep, rest = url.partition("://")
        if not sep or scheme.lower() not in ("http", "https"):
            return url
        host, path = _HOST_PATH_RE.match(rest).groups()
        host = host.lower()
        if host.endswith((":80", ":443")):
            host = host.rsplit(":", 1)[0]
        return host + path.rstrip("/")

    def alias(self, url: str, target: str) -> None:
        self.exact.setdefault(url, target)
        self.loose.setdefault(self._loose(url), target)

    def get(self, url: str) -> str | None:
        return self.exact.get(url) or self.loose.get(self._loose(url))


def _paper_texts(store: Store) -> Iterator[dict]:
    for row in store.conn.execute(
            "SELECT arxiv_id, title, abstract, abs_url FROM papers WHERE status = 'ok'"):
        yield {"node": paper_id(row["arxiv_id"]), "title": row["title"],
               "abstract": row["abstract"],
               "url": row["abs_url"] or f"https://arxiv.org/abs/{row['arxiv_id']}"}


def _page_texts(store: Store) -> Iterator[tuple[str, str]]:
    # Abbreviations are defined early in a text: its first part is enough to learn them.
    for row in store.conn.execute(
            f"SELECT url, substr(text, 1, {MAX_LINK_CHARS}) FROM documents WHERE {_LINKABLE}"
            " AND (instr(text, '(') > 0 OR instr(text, '（') > 0)"):
        yield row[0], row[1] or ""


def build_graph(store: Store, vocab: Vocabulary | None = None, *,
                workers: int | None = None) -> nx.MultiDiGraph:
    """The knowledge graph of everything in ``store`` (see the module docstring).

    ``vocab`` defaults to the bundled vocabulary. ``workers``: processes that link the
    documents' text (None: one per CPU when the store holds at least
    ``PARALLEL_MIN_DOCS`` documents, else none; 0: link in this process). The result does
    not depend on it.
    """
    vocab = vocab if vocab is not None else load_vocabulary()
    base_vocab = vocab
    # Read before anything else: a write during the build then makes the stamp older than
    # the graph, so readers rebuild rather than trust a graph that may miss it.
    stamp = store.content_stamp()
    # Millions of small dicts and tuples make the cyclic collector rescan everything again
    # and again; nothing built here forms cycles that need it.
    collecting = gc.isenabled()
    gc.disable()
    linked = None
    try:
        vocab, concepts = learn_concepts(base_vocab, _paper_texts(store), _page_texts(store))
        builder = _Builder(store, vocab)
        by_url = builder.reading_list()
        contexts = {url: info["context"] for url, info in by_url.items() if info["context"]}
        linked = _Linking(store, vocab, contexts, workers, builder.together)
        builder.documents(by_url)
        builder.links()
        builder.papers()
        builder.paper_refs()
        builder.citations()
        for url, found, relations in linked:
            builder.mentions(page_id(url), found, url)
            builder.stated(relations, url)
        builder.related()
        builder.learned(concepts, base_vocab)
        builder.vocabulary()
        builder.introducers()
        builder.one_person_per_name()
        G = builder.graph()
        if stamp is not None:
            G.graph[STAMP_ATTRIBUTE] = stamp
        return G
    finally:
        if linked is not None:
            linked.close()
        if collecting:
            gc.enable()


def write_default_graph(data_dir: str | Path) -> Path:
    """Build the graph of ``<data_dir>/crawl.sqlite`` and write ``<data_dir>/graph.graphml``.

    Raises ``graph.store.StoreMissing`` when there is no store. Returns the path written.
    """
    from graph.export import write_graph

    store = Store.open_existing(data_dir)
    try:
        G = build_graph(store, data_vocabulary(data_dir))
    finally:
        store.close()
    return write_graph(G, "graphml", Path(data_dir) / GRAPH_FILENAME)
