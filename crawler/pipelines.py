"""Item pipeline: every item is written to the store in its own transaction."""

from __future__ import annotations

from graph.store import Store, store_path

from .items import DocumentItem, PaperRefItem, ReadingListItem


class StorePipeline:
    """Writes documents, their links and paper references to ``DATA_DIR/crawl.sqlite``.

    Writes are upserts, so re-running a crawl updates rows instead of duplicating them,
    and each item is committed as it arrives, so a crash loses at most the item in flight.
    """

    def __init__(self, data_dir: str):
        self.data_dir = data_dir
        self.store: Store | None = None

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler.settings.get("DATA_DIR", "data"))

    def open_spider(self, spider=None):
        self.store = Store(store_path(self.data_dir))

    def close_spider(self, spider=None):
        if self.store is not None:
            self.store.close()
            self.store = None

    def process_item(self, item, spider=None):
        if isinstance(item, ReadingListItem):
            parsed = item["reading_list"]
            self.store.replace_reading_list(
                item["list_path"], [s.as_row() for s in parsed.seeds],
                [h.as_row() for h in parsed.hints], [p.as_row() for p in parsed.problems],
                [p.as_row() for p in parsed.papers])
        elif isinstance(item, DocumentItem):
            row = {k: v for k, v in item.items() if k != "links"}
            self.store.upsert_document(row, links=item.get("links"))
        elif isinstance(item, PaperRefItem):
            self.store.add_paper_ref(item["arxiv_id"], item["doc_url"], item["how"],
                                     item.get("evidence"), depth=item.get("depth", 0))
        return item
