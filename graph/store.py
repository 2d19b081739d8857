"""The crawl store: one SQLite file (``data/crawl.sqlite``), the single source of truth.

The crawler writes it, ``python -m graph build`` and the dashboard read it. Every write is
its own short transaction, so a crash loses at most the item in flight, and every write is
an upsert keyed on a natural key, so re-running a crawl updates rows instead of adding them.

JSON columns (``authors``, ``keywords``, ``categories``, ``stats``) hold JSON arrays/objects.

>>> store = Store(":memory:")
>>> store.upsert_document({"url": "https://a.example/", "outcome": "ok", "title": "A"})
>>> store.document("https://a.example/")["title"]
'A'
"""

from __future__ import annotations

import json
import sqlite3
import uuid
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterable, Iterator

STORE_FILENAME = "crawl.sqlite"
SCHEMA_VERSION = 1

# Every seed ends with exactly one of these outcomes.
OUTCOMES = (
    "ok",
    "http_error",
    "dns_error",
    "connection_refused",
    "timeout",
    "robots_blocked",
    "blocked_private",
    "too_large",
    "unsupported_type",
    "unreadable",
    "not_found",
    "not_in_archive",
    "invalid_url",
    "error",
    "pending",
)

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (
    key TEXT PRIMARY KEY,
    value TEXT
);
-- One row per URL occurrence in the reading list (a URL listed twice has two rows).
CREATE TABLE IF NOT EXISTS seeds (
    line INTEGER NOT NULL,            -- 1-based line number in the reading list
    url TEXT NOT NULL,                -- canonical URL, without #fragment (what is fetched)
    listed_url TEXT NOT NULL,         -- the URL token exactly as written
    fragment TEXT,                    -- the #fragment, if any, without '#'
    raw TEXT NOT NULL,                -- the whole line as written
    heading TEXT,                     -- the text line that opens the block, if any
    heading_line INTEGER,
    notes TEXT,                       -- JSON array of notes on this URL
    note_lines TEXT,                  -- JSON array of the line numbers of the notes
    list_path TEXT,                   -- which reading list
    PRIMARY KEY (list_path, line, url)
);
-- Text blocks with no URL ("self-supervised  Yann Lecun"), and headings/notes read as hints.
CREATE TABLE IF NOT EXISTS hints (
    line INTEGER NOT NULL,
    text TEXT NOT NULL,
    kind TEXT NOT NULL,               -- 'hint' (block with no URL) | 'heading' | 'note'
    list_path TEXT,
    PRIMARY KEY (list_path, line)
);
-- Lines of the reading list that could not be used, with the reason.
CREATE TABLE IF NOT EXISTS problems (
    line INTEGER NOT NULL,
    text TEXT NOT NULL,
    reason TEXT NOT NULL,
    list_path TEXT,
    PRIMARY KEY (list_path, line)
);
-- One row per fetched URL (seed or discovered), keyed by the canonical requested URL.
CREATE TABLE IF NOT EXISTS documents (
    url TEXT PRIMARY KEY,             -- canonical requested URL, no fragment
    final_url TEXT,                   -- where redirects ended
    outcome TEXT NOT NULL,            -- one of OUTCOMES
    reason TEXT,                      -- human-readable detail of a failure
    http_status INTEGER,
    content_type TEXT,
    kind TEXT,                        -- html | pdf | code | text | arxiv | other
    title TEXT,
    authors TEXT,                     -- JSON array of names (bylines, PDF metadata)
    published TEXT,                   -- ISO date when known
    lang TEXT,                        -- 'en', 'zh', ... or NULL
    description TEXT,
    text TEXT,                        -- main text
    summary TEXT,
    keywords TEXT,                    -- JSON array
    depth INTEGER DEFAULT 0,          -- 0 = listed in the reading list
    is_seed INTEGER DEFAULT 0,
    fetched_via TEXT,                 -- live | cache | replay | archive
    archive_timestamp TEXT,           -- snapshot time when fetched_via = archive
    fetched_at TEXT
);
-- Links found in a document's main content.
CREATE TABLE IF NOT EXISTS links (
    from_url TEXT NOT NULL,
    to_url TEXT NOT NULL,             -- absolute, no fragment
    anchor TEXT,
    PRIMARY KEY (from_url, to_url)
);
-- arXiv papers, keyed by versionless id ("1710.07035", "cs/0112017").
CREATE TABLE IF NOT EXISTS papers (
    arxiv_id TEXT PRIMARY KEY,
    status TEXT NOT NULL DEFAULT 'pending',   -- pending | ok | not_found | failed
    error TEXT,
    title TEXT,
    authors TEXT,                     -- JSON array, in order
    abstract TEXT,
    summary TEXT,
    keywords TEXT,                    -- JSON array
    primary_category TEXT,
    categories TEXT,                  -- JSON array
    published TEXT,                   -- ISO datetime
    updated TEXT,
    doi TEXT,
    journal_ref TEXT,
    comment TEXT,
    pdf_url TEXT,
    abs_url TEXT,
    depth INTEGER DEFAULT 0,          -- 0 = the reading list names it
    fetched_at TEXT
);
-- Which documents point to which paper, and how.
CREATE TABLE IF NOT EXISTS paper_refs (
    arxiv_id TEXT NOT NULL,
    doc_url TEXT NOT NULL,
    how TEXT NOT NULL,                -- 'seed' | 'link' | 'text'
    evidence TEXT,                    -- the link's anchor or the sentence citing it
    PRIMARY KEY (arxiv_id, doc_url, how)
);
CREATE TABLE IF NOT EXISTS crawls (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    started_at TEXT,
    finished_at TEXT,
    list_path TEXT,
    stats TEXT                        -- JSON object
);
-- Papers the reading list names (BibTeX entries, paper-title lines), with or without a link.
CREATE TABLE IF NOT EXISTS listed_papers (
    list_path TEXT,
    line INTEGER NOT NULL,
    title TEXT,
    authors TEXT,                     -- JSON array, in order
    year INTEGER,
    arxiv_id TEXT,                    -- versionless, when the entry gives one
    doi TEXT,
    url TEXT,                         -- the seed the entry became, if any
    key TEXT,                         -- BibTeX key
    heading TEXT,
    PRIMARY KEY (list_path, line)
);
-- Citations from the Semantic Scholar Graph API. Paper keys are graph.citations.paper_key's:
-- 'arXiv:<id>', 'doi:<doi>' or 's2:<paperId>'.
CREATE TABLE IF NOT EXISTS citations (
    citing TEXT NOT NULL,             -- paper key of the citing paper
    cited TEXT NOT NULL,              -- paper key of the cited paper
    contexts TEXT,                    -- JSON array: the citing sentences
    intents TEXT,                     -- JSON array: 'background', 'methodology', 'result'
    is_influential INTEGER,           -- 1/0, NULL when not known
    source TEXT,                      -- the API URL the citation came from
    PRIMARY KEY (citing, cited)
);
-- What is known of every cited paper (most are not in the papers table).
CREATE TABLE IF NOT EXISTS cited_papers (
    key TEXT PRIMARY KEY,
    s2_id TEXT,
    arxiv_id TEXT,
    doi TEXT,
    title TEXT,
    year INTEGER,
    authors TEXT                      -- JSON array of names
);
-- Whether each arXiv paper's references were fetched.
CREATE TABLE IF NOT EXISTS citation_status (
    arxiv_id TEXT PRIMARY KEY,
    status TEXT NOT NULL,             -- ok | not_found | failed
    error TEXT,
    s2_id TEXT,
    references_count INTEGER,
    fetched_at TEXT
);
CREATE INDEX IF NOT EXISTS citations_cited ON citations (cited);
CREATE INDEX IF NOT EXISTS links_to ON links (to_url);
CREATE INDEX IF NOT EXISTS paper_refs_doc ON paper_refs (doc_url);
"""

# The tables a graph is built from. Every row written to them bumps ``content_version`` in
# ``meta`` (triggers, so hand edits with the sqlite3 shell count too); the ``crawls`` log
# does not, since no graph reads it.
CONTENT_TABLES = ("seeds", "hints", "problems", "documents", "links", "papers", "paper_refs",
                  "citations", "cited_papers", "citation_status")
_BUMP = ("UPDATE meta SET value = CAST(value AS INTEGER) + 1"
         " WHERE key = 'content_version'")
CONTENT_TRIGGERS = "".join(
    f"CREATE TRIGGER IF NOT EXISTS bump_{table}_{event.lower()} AFTER {event} ON {table}"
    f" BEGIN {_BUMP}; END;\n"
    for table in CONTENT_TABLES for event in ("INSERT", "UPDATE", "DELETE"))

_JSON_COLUMNS = {"authors", "keywords", "categories", "notes", "note_lines", "stats"}

_COLUMNS = {
    "documents": (
        "url", "final_url", "outcome", "reason", "http_status", "content_type", "kind",
        "title", "authors", "published", "lang", "description", "text", "summary",
        "keywords", "depth", "is_seed", "fetched_via", "archive_timestamp", "fetched_at",
    ),
    "papers": (
        "arxiv_id", "status", "error", "title", "authors", "abstract", "summary", "keywords",
        "primary_category", "categories", "published", "updated", "doi", "journal_ref",
        "comment", "pdf_url", "abs_url", "depth", "fetched_at",
    ),
}


def _json_list(value) -> list:
    try:
        out = json.loads(value) if isinstance(value, str) else value
    except ValueError:
        return []
    return out if isinstance(out, list) else []


class StoreMissing(FileNotFoundError):
    """Raised when a store is opened for reading and does not exist yet."""


def now_iso() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat()


def store_path(data_dir: str | Path) -> Path:
    return Path(data_dir) / STORE_FILENAME


def _encode(column: str, value: Any) -> Any:
    if column in _JSON_COLUMNS and value is not None and not isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    return value


def _decode_row(row: sqlite3.Row | None) -> dict | None:
    if row is None:
        return None
    out = {}
    for key in row.keys():
        value = row[key]
        if key in _JSON_COLUMNS and isinstance(value, str):
            try:
                value = json.loads(value)
            except ValueError:
                pass
        out[key] = value
    return out


class Store:
    """Access to the crawl store. Safe to share between threads (one lock-free connection
    per call is avoided; SQLite serializes writers, ``check_same_thread`` is off and the
    connection is only used under the GIL in short statements)."""

    def __init__(self, path: str | Path, *, create: bool = True, readonly: bool = False):
        self.path = str(path)
        self.readonly = readonly
        if self.path != ":memory:":
            p = Path(self.path)
            if not p.exists() and (readonly or not create):
                raise StoreMissing(self.path)
            if not readonly:
                p.parent.mkdir(parents=True, exist_ok=True)
        if readonly:
            # Readers (the dashboard, the graph build) never write, not even the schema.
            uri = Path(self.path).resolve().as_uri() + "?mode=ro"
            self.conn = sqlite3.connect(uri, uri=True, timeout=30, check_same_thread=False,
                                        isolation_level=None)
            self.conn.row_factory = sqlite3.Row
            return
        self.conn = sqlite3.connect(
            self.path, timeout=30, check_same_thread=False, isolation_level=None
        )
        self.conn.row_factory = sqlite3.Row
        if self.path != ":memory:":
            self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.execute("PRAGMA synchronous=NORMAL")
        self.conn.executescript(SCHEMA)
        self.conn.execute(
            "INSERT OR IGNORE INTO meta (key, value) VALUES ('schema_version', ?)",
            (str(SCHEMA_VERSION),),
        )
        # A random id tells two stores apart whose version counters happen to be equal.
        self.conn.execute("INSERT OR IGNORE INTO meta (key, value) VALUES ('store_id', ?)",
                          (uuid.uuid4().hex,))
        self.conn.execute(
            "INSERT OR IGNORE INTO meta (key, value) VALUES ('content_version', '0')")
        self.conn.executescript(CONTENT_TRIGGERS)

    @classmethod
    def open_existing(cls, data_dir: str | Path, *, readonly: bool = False) -> "Store":
        """Open ``<data_dir>/crawl.sqlite`` for reading; ``StoreMissing`` if there is none."""
        return cls(store_path(data_dir), create=False, readonly=readonly)

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self.conn
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        else:
            self.conn.execute("COMMIT")

    # -- generic upsert -------------------------------------------------------------
    def _upsert(self, table: str, key: str, row: dict, conn=None) -> None:
        cols = [c for c in _COLUMNS[table] if c in row]
        unknown = set(row) - set(_COLUMNS[table])
        if unknown:
            raise ValueError(f"unknown {table} columns: {sorted(unknown)}")
        values = [_encode(c, row[c]) for c in cols]
        updates = ", ".join(f"{c}=excluded.{c}" for c in cols if c != key)
        sql = (
            f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})"
            f" ON CONFLICT({key}) DO " + (f"UPDATE SET {updates}" if updates else "NOTHING")
        )
        (conn or self.conn).execute(sql, values)

    # -- reading list ---------------------------------------------------------------
    def replace_reading_list(self, list_path: str, seeds: Iterable[dict],
                             hints: Iterable[dict], problems: Iterable[dict],
                             papers: Iterable[dict] = ()) -> None:
        """Store the parsed reading list, replacing what an earlier run stored for it.

        seeds: dicts with line, url, listed_url, fragment, raw, heading, heading_line,
        notes (list), note_lines (list). hints: line, text, kind. problems: line, text, reason.
        papers: line, title, authors (list), year, arxiv_id, doi, url, key, heading.
        """
        with self.transaction() as c:
            for table in ("seeds", "hints", "problems", "listed_papers"):
                c.execute(f"DELETE FROM {table} WHERE list_path = ?", (list_path,))
            for p in papers:
                c.execute(
                    "INSERT OR REPLACE INTO listed_papers (list_path, line, title, authors,"
                    " year, arxiv_id, doi, url, key, heading) VALUES (?,?,?,?,?,?,?,?,?,?)",
                    (list_path, p["line"], p.get("title"),
                     _encode("authors", list(p.get("authors") or [])), p.get("year"),
                     p.get("arxiv_id"), p.get("doi"), p.get("url"), p.get("key"),
                     p.get("heading")))
            for s in seeds:
                c.execute(
                    "INSERT OR REPLACE INTO seeds (line, url, listed_url, fragment, raw, heading,"
                    " heading_line, notes, note_lines, list_path) VALUES (?,?,?,?,?,?,?,?,?,?)",
                    (s["line"], s["url"], s["listed_url"], s.get("fragment"), s["raw"],
                     s.get("heading"), s.get("heading_line"),
                     _encode("notes", list(s.get("notes") or [])),
                     _encode("note_lines", list(s.get("note_lines") or [])), list_path),
                )
            for h in hints:
                c.execute(
                    "INSERT OR REPLACE INTO hints (line, text, kind, list_path) VALUES (?,?,?,?)",
                    (h["line"], h["text"], h["kind"], list_path),
                )
            for p in problems:
                c.execute(
                    "INSERT OR REPLACE INTO problems (line, text, reason, list_path)"
                    " VALUES (?,?,?,?)",
                    (p["line"], p["text"], p["reason"], list_path),
                )

    # -- documents ------------------------------------------------------------------
    def upsert_document(self, doc: dict, links: Iterable[tuple[str, str]] | None = None) -> None:
        """Insert or update one document, and replace its links, in one transaction.

        ``links`` are (to_url, anchor) pairs; None leaves stored links untouched.
        """
        doc = dict(doc)
        doc.setdefault("fetched_at", now_iso())
        with self.transaction() as c:
            self._upsert("documents", "url", doc, c)
            if links is not None:
                c.execute("DELETE FROM links WHERE from_url = ?", (doc["url"],))
                c.executemany(
                    "INSERT OR IGNORE INTO links (from_url, to_url, anchor) VALUES (?,?,?)",
                    [(doc["url"], to, anchor) for to, anchor in links],
                )

    def document(self, url: str) -> dict | None:
        return _decode_row(self.conn.execute(
            "SELECT * FROM documents WHERE url = ?", (url,)).fetchone())

    def documents(self, where: str = "", params: tuple = ()) -> Iterator[dict]:
        """All documents (optionally filtered by a SQL ``where`` clause), streamed."""
        sql = "SELECT * FROM documents" + (f" WHERE {where}" if where else "") + " ORDER BY url"
        for row in self.conn.execute(sql, params):
            yield _decode_row(row)

    def links(self) -> Iterator[dict]:
        for row in self.conn.execute("SELECT * FROM links ORDER BY from_url, to_url"):
            yield dict(row)

    # -- papers ---------------------------------------------------------------------
    def add_paper_ref(self, arxiv_id: str, doc_url: str, how: str, evidence: str | None = None,
                      depth: int = 0) -> None:
        """Record that ``doc_url`` points to the paper; creates a pending paper row if new.

        A paper's depth is the smallest depth through which it was reached.
        """
        with self.transaction() as c:
            c.execute(
                "INSERT INTO papers (arxiv_id, status, depth) VALUES (?, 'pending', ?)"
                " ON CONFLICT(arxiv_id) DO UPDATE SET depth = MIN(depth, excluded.depth)",
                (arxiv_id, depth),
            )
            c.execute(
                "INSERT INTO paper_refs (arxiv_id, doc_url, how, evidence) VALUES (?,?,?,?)"
                " ON CONFLICT(arxiv_id, doc_url, how) DO UPDATE SET"
                " evidence = COALESCE(excluded.evidence, evidence)",
                (arxiv_id, doc_url, how, evidence),
            )

    def upsert_paper(self, paper: dict) -> None:
        paper = dict(paper)
        paper.setdefault("fetched_at", now_iso())
        with self.transaction() as c:
            self._upsert("papers", "arxiv_id", paper, c)

    def paper(self, arxiv_id: str) -> dict | None:
        return _decode_row(self.conn.execute(
            "SELECT * FROM papers WHERE arxiv_id = ?", (arxiv_id,)).fetchone())

    def papers(self, status: str | None = None) -> Iterator[dict]:
        if status is None:
            rows = self.conn.execute("SELECT * FROM papers ORDER BY arxiv_id")
        else:
            rows = self.conn.execute(
                "SELECT * FROM papers WHERE status = ? ORDER BY arxiv_id", (status,))
        for row in rows:
            yield _decode_row(row)

    def paper_refs(self) -> Iterator[dict]:
        for row in self.conn.execute("SELECT * FROM paper_refs ORDER BY arxiv_id, doc_url, how"):
            yield dict(row)

    # -- citations ------------------------------------------------------------------
    def _has_table(self, name: str) -> bool:
        # A store written before a table existed, opened read-only, does not have it.
        return self.conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table'"
                                 " AND name = ?", (name,)).fetchone() is not None

    def save_citations(self, citing: str, citations: Iterable[dict],
                       cited_papers: Iterable[dict] = ()) -> None:
        """Replace what ``citing`` cites, and upsert the cited papers, in one transaction.

        citations: dicts with cited, contexts, intents, is_influential, source.
        cited_papers: dicts with key, s2_id, arxiv_id, doi, title, year, authors.

        >>> store = Store(":memory:")
        >>> store.save_citations("arXiv:1504.08083", [{"cited": "arXiv:1311.2524",
        ...     "contexts": ["Fast R-CNN fixes R-CNN."], "source": "https://api/x"}],
        ...     [{"key": "arXiv:1311.2524", "title": "Rich feature hierarchies"}])
        >>> [(c["cited"], c["contexts"]) for c in store.citations()]
        [('arXiv:1311.2524', ['Fast R-CNN fixes R-CNN.'])]
        """
        with self.transaction() as c:
            c.execute("DELETE FROM citations WHERE citing = ?", (citing,))
            c.executemany(
                "INSERT OR REPLACE INTO citations (citing, cited, contexts, intents,"
                " is_influential, source) VALUES (?,?,?,?,?,?)",
                [(citing, r["cited"],
                  json.dumps(list(r.get("contexts") or []), ensure_ascii=False),
                  json.dumps(list(r.get("intents") or [])),
                  None if r.get("is_influential") is None else int(bool(r["is_influential"])),
                  r.get("source")) for r in citations])
            c.executemany(
                "INSERT INTO cited_papers (key, s2_id, arxiv_id, doi, title, year, authors)"
                " VALUES (?,?,?,?,?,?,?) ON CONFLICT(key) DO UPDATE SET"
                " s2_id = COALESCE(excluded.s2_id, s2_id),"
                " arxiv_id = COALESCE(excluded.arxiv_id, arxiv_id),"
                " doi = COALESCE(excluded.doi, doi), title = COALESCE(excluded.title, title),"
                " year = COALESCE(excluded.year, year),"
                " authors = COALESCE(excluded.authors, authors)",
                [(p["key"], p.get("s2_id"), p.get("arxiv_id"), p.get("doi"), p.get("title"),
                  p.get("year"), json.dumps(p["authors"], ensure_ascii=False)
                  if p.get("authors") else None) for p in cited_papers])

    def set_citation_status(self, arxiv_id: str, status: str, error: str | None = None,
                            s2_id: str | None = None,
                            references_count: int | None = None) -> None:
        """Record how fetching a paper's references ended: ok | not_found | failed."""
        with self.transaction() as c:
            c.execute(
                "INSERT OR REPLACE INTO citation_status (arxiv_id, status, error, s2_id,"
                " references_count, fetched_at) VALUES (?,?,?,?,?,?)",
                (arxiv_id, status, error, s2_id, references_count, now_iso()))

    def citations_to_fetch(self, retry_failed: bool = False) -> list[str]:
        """The arXiv ids of papers whose references were not fetched yet (and of those
        whose fetch failed, with ``retry_failed``), sorted.

        >>> s = Store(":memory:"); s.upsert_paper({"arxiv_id": "1504.08083"})
        >>> s.citations_to_fetch()
        ['1504.08083']
        >>> s.set_citation_status("1504.08083", "failed", "HTTP 503")
        >>> s.citations_to_fetch(), s.citations_to_fetch(retry_failed=True)
        ([], ['1504.08083'])
        """
        failed = " OR c.status = 'failed'" if retry_failed else ""
        return [r[0] for r in self.conn.execute(
            "SELECT p.arxiv_id FROM papers p LEFT JOIN citation_status c"
            f" ON c.arxiv_id = p.arxiv_id WHERE c.status IS NULL{failed}"
            " ORDER BY p.arxiv_id")]

    def citation_status(self) -> dict[str, dict]:
        """Every arXiv paper's citation status, by arXiv id."""
        if not self._has_table("citation_status"):
            return {}
        return {r["arxiv_id"]: dict(r) for r in self.conn.execute(
            "SELECT * FROM citation_status ORDER BY arxiv_id")}

    def citations(self) -> Iterator[dict]:
        """Every citation, contexts and intents as lists."""
        if not self._has_table("citations"):
            return
        for row in self.conn.execute("SELECT * FROM citations ORDER BY citing, cited"):
            out = dict(row)
            out["contexts"] = _json_list(out["contexts"])
            out["intents"] = _json_list(out["intents"])
            yield out

    def cited_papers(self) -> Iterator[dict]:
        """What is known of every cited paper, authors as a list."""
        if not self._has_table("cited_papers"):
            return
        for row in self.conn.execute("SELECT * FROM cited_papers ORDER BY key"):
            out = dict(row)
            out["authors"] = _json_list(out["authors"])
            yield out

    # -- reading list rows ----------------------------------------------------------
    def seeds(self) -> list[dict]:
        return [_decode_row(r) for r in self.conn.execute(
            "SELECT * FROM seeds ORDER BY list_path, line")]

    def hints(self) -> list[dict]:
        return [dict(r) for r in self.conn.execute("SELECT * FROM hints ORDER BY list_path, line")]

    def problems(self) -> list[dict]:
        return [dict(r) for r in self.conn.execute(
            "SELECT * FROM problems ORDER BY list_path, line")]

    def listed_papers(self, list_path: str | None = None) -> list[dict]:
        """Papers the list names (BibTeX entries, paper titles), of one list or of all."""
        where, params = ("WHERE list_path = ?", (list_path,)) if list_path else ("", ())
        return [_decode_row(r) for r in self.conn.execute(
            f"SELECT * FROM listed_papers {where} ORDER BY list_path, line", params)]

    def papers_to_resolve(self, list_path: str | None = None) -> list[dict]:
        """Listed papers known only by title (no arXiv id, DOI or link): what a title
        search (e.g. Semantic Scholar's paper/search/match) would resolve."""
        return [p for p in self.listed_papers(list_path)
                if p["title"] and not (p["arxiv_id"] or p["doi"] or p["url"])]

    def seed_outcomes(self, list_path: str | None = None) -> list[dict]:
        """Every seed (of one list, or of all) with the outcome of its URL (None: not
        crawled yet)."""
        where, params = ("WHERE s.list_path = ?", (list_path,)) if list_path else ("", ())
        rows = self.conn.execute(
            "SELECT s.line, s.listed_url, s.url, s.heading, s.notes, d.outcome, d.reason,"
            " d.http_status, d.final_url, d.title, d.fetched_via"
            f" FROM seeds s LEFT JOIN documents d ON d.url = s.url {where}"
            " ORDER BY s.list_path, s.line", params
        )
        return [_decode_row(r) for r in rows]

    # -- crawls ---------------------------------------------------------------------
    def start_crawl(self, list_path: str) -> int:
        with self.transaction() as c:
            cur = c.execute("INSERT INTO crawls (started_at, list_path) VALUES (?, ?)",
                            (now_iso(), list_path))
            return cur.lastrowid

    def unfinished_since(self, list_path: str) -> str | None:
        """When the interrupted crawls of this list began: the start of the earliest of the
        latest run of crawls of it that did not finish (killed, or stopped with Ctrl-C);
        None if its last crawl finished or it was never crawled."""
        since = None
        for row in self.conn.execute(
                "SELECT started_at, finished_at, stats FROM crawls WHERE list_path = ?"
                " ORDER BY id DESC", (list_path,)):
            stats = _decode_row(row)["stats"] or {}
            if row["finished_at"] and stats.get("finish_reason") == "finished":
                break
            since = row["started_at"]
        return since

    def finish_crawl(self, crawl_id: int, stats: dict) -> None:
        with self.transaction() as c:
            c.execute("UPDATE crawls SET finished_at = ?, stats = ? WHERE id = ?",
                      (now_iso(), _encode("stats", stats), crawl_id))

    def content_stamp(self) -> str | None:
        """``'<store id>:<content version>'``: changes whenever anything a graph is built
        from changes, and only then (recording a crawl in ``crawls`` leaves it alone).

        None for a store written before stamps existed.

        >>> s = Store(":memory:"); before = s.content_stamp()
        >>> s.start_crawl("list.txt") and s.content_stamp() == before
        True
        >>> s.upsert_document({"url": "https://a.example/", "outcome": "ok"})
        >>> s.content_stamp() == before
        False
        """
        try:
            meta = dict(self.conn.execute(
                "SELECT key, value FROM meta WHERE key IN ('store_id', 'content_version')"))
        except sqlite3.DatabaseError:
            return None
        if len(meta) != 2:
            return None
        return f"{meta['store_id']}:{meta['content_version']}"

    def counts(self) -> dict[str, int]:
        return {t: self.conn.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]
                if self._has_table(t) else 0
                for t in ("seeds", "hints", "problems", "listed_papers", "documents", "links",
                          "papers", "paper_refs", "citations", "cited_papers")}
