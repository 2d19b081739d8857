"""Items the spider hands to the store pipeline."""

import scrapy


class DocumentItem(scrapy.Item):
    """One fetched URL (or a failure to fetch it): a row of the ``documents`` table."""

    url = scrapy.Field()
    final_url = scrapy.Field()
    outcome = scrapy.Field()
    reason = scrapy.Field()
    http_status = scrapy.Field()
    content_type = scrapy.Field()
    kind = scrapy.Field()
    title = scrapy.Field()
    authors = scrapy.Field()
    published = scrapy.Field()
    lang = scrapy.Field()
    description = scrapy.Field()
    text = scrapy.Field()
    summary = scrapy.Field()
    keywords = scrapy.Field()
    depth = scrapy.Field()
    is_seed = scrapy.Field()
    fetched_via = scrapy.Field()
    archive_timestamp = scrapy.Field()
    links = scrapy.Field()          # [(to_url, anchor)] from the main content; None: unknown


class PaperRefItem(scrapy.Item):
    """A document points to an arXiv paper (a seed, a link, or a citation in its text)."""

    arxiv_id = scrapy.Field()
    doc_url = scrapy.Field()
    how = scrapy.Field()            # 'seed' | 'link' | 'text'
    evidence = scrapy.Field()
    depth = scrapy.Field()


class ReadingListItem(scrapy.Item):
    """The parsed reading list: its seeds, hint lines and the lines it could not use."""

    list_path = scrapy.Field()
    reading_list = scrapy.Field()
