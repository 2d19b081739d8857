"""Resume a crawl that was stopped or killed: ``-s JOBDIR=DIR``, run the same command again.

Scrapy's own job state does not survive a kill: its on-disk request queue writes its index
only on a clean close, and its duplicate filter marks a request as seen when it is queued,
not when it is done, so the requests that were waiting when the process died would be
filtered out for good. The store, on the other hand, commits every document as it arrives.
So the store is the record of what is done, and the crawl is re-derived from it:

- ``JOBDIR/readinglist-job.json`` is written when a job first starts; finding it means
  the run resumes that job, and documents stored since it started are done;
- done seeds are not fetched again, and neither are done pages found at depth >= 1; the
  links and arXiv references of done pages are read back from the store and followed as
  they were the first time, so everything not yet done is requested;
- :class:`StoreScheduler` keeps Scrapy's queue and duplicate filter in memory, so nothing
  stale from the killed run is replayed on top.

A URL that was being downloaded at the kill is fetched again (its document was not stored).

>>> state = job_state("/tmp/job")                 # doctest: +SKIP
>>> state["resumed"], state["started_at"]         # doctest: +SKIP
(True, '2026-11-25T10:00:00+00:00')
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from scrapy.core.scheduler import Scheduler
from scrapy.dupefilters import RFPDupeFilter
from scrapy.utils.misc import load_object

from graph.arxiv_ids import arxiv_id_from_url, arxiv_ids_in_text
from graph.store import Store, now_iso

JOB_FILE = "readinglist-job.json"


def job_state(jobdir: str | Path, reading_list: str = "") -> dict:
    """The job's state: ``started_at`` and ``resumed`` (False the first time)."""
    path = Path(jobdir) / JOB_FILE
    if path.is_file():
        try:
            state = json.loads(path.read_text(encoding="utf-8"))
            return {**state, "resumed": True}
        except ValueError:
            pass  # torn by a kill while it was written: start the job afresh
    path.parent.mkdir(parents=True, exist_ok=True)
    state = {"started_at": now_iso(), "reading_list": reading_list}
    tmp = path.with_suffix(".tmp")
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(state, f)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)
    return {**state, "resumed": False}


def stored_result(text: str | None, links: list[tuple[str, str]]) -> dict:
    """What ``process_download`` returned for a page, rebuilt from its stored row: its links
    and its arXiv references (from link targets, then from the text), for following again."""
    refs: dict[tuple[str, str], str] = {}
    for to, anchor in links:
        arxiv_id = arxiv_id_from_url(to)
        if arxiv_id:
            refs.setdefault((arxiv_id, "link"), anchor or to)
    for arxiv_id, sentence in arxiv_ids_in_text(text or ""):
        refs.setdefault((arxiv_id, "text"), sentence)
    return {"links": links,
            "paper_refs": [(aid, how, evidence) for (aid, how), evidence in refs.items()]}


def done_documents(store: Store, since: str) -> dict[str, dict]:
    """Documents finished (any outcome but pending) since ``since``, by URL, each with the
    :func:`stored_result` to follow (empty unless the page was read)."""
    links: dict[str, list[tuple[str, str]]] = {}
    for row in store.conn.execute(
            "SELECT l.from_url, l.to_url, l.anchor FROM links l JOIN documents d"
            " ON d.url = l.from_url WHERE d.fetched_at >= ? ORDER BY l.rowid", (since,)):
        links.setdefault(row["from_url"], []).append((row["to_url"], row["anchor"] or ""))
    done = {}
    for row in store.conn.execute(
            "SELECT url, outcome, text FROM documents WHERE outcome != 'pending'"
            " AND fetched_at >= ?", (since,)):
        ok = row["outcome"] == "ok"
        done[row["url"]] = stored_result(row["text"] if ok else None,
                                         links.get(row["url"], []) if ok else [])
    return done


class StoreScheduler(Scheduler):
    """Scrapy's scheduler with its queue and duplicate filter kept in memory even when
    ``JOBDIR`` is set: on a resumed job the spider re-derives the work from the store."""

    @classmethod
    def from_crawler(cls, crawler):
        settings = crawler.settings
        return cls(
            dupefilter=RFPDupeFilter(None, settings.getbool("DUPEFILTER_DEBUG"),
                                     fingerprinter=crawler.request_fingerprinter),
            jobdir=None,
            dqclass=load_object(settings["SCHEDULER_DISK_QUEUE"]),
            mqclass=load_object(settings["SCHEDULER_MEMORY_QUEUE"]),
            logunser=settings.getbool("SCHEDULER_DEBUG"),
            stats=crawler.stats,
            pqclass=load_object(settings["SCHEDULER_PRIORITY_QUEUE"]),
            crawler=crawler,
        )
