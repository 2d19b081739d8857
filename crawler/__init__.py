"""The reading-list crawler: a Scrapy project (``scrapy crawl seeds``)."""

from pathlib import Path

#: The reading list that ships with the project, crawled when no ``-a seeds=`` is given.
BUNDLED_READING_LIST = Path(__file__).with_name("reading-list.txt")
