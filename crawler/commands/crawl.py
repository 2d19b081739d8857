"""``scrapy crawl``, checking the ``seeds`` spider's arguments and reading list first, so a
user's mistake is one clear line and a non-zero exit, never a traceback."""

from __future__ import annotations

import sys

from scrapy.commands.crawl import Command as ScrapyCrawlCommand

from crawler.reading_list import ReadingListError, read_reading_list
from crawler.spiders.seeds import SpiderArgumentError, crawl_options


class Command(ScrapyCrawlCommand):
    def run(self, args, opts):
        if args and args[0] == "seeds":
            try:
                options = crawl_options(**_known(opts.spargs))
                read_reading_list(options.seeds)
            except (SpiderArgumentError, ReadingListError) as exc:
                print(f"Error: {exc}", file=sys.stderr)
                self.exitcode = 2
                return
            except TypeError as exc:
                print(f"Error: unknown spider argument ({exc}). Known: seeds, depth,"
                      " max_pages, max_papers", file=sys.stderr)
                self.exitcode = 2
                return
        super().run(args, opts)


def _known(spargs: dict) -> dict:
    unknown = set(spargs) - {"seeds", "depth", "max_pages", "max_papers"}
    if unknown:
        raise SpiderArgumentError(
            f"unknown argument -a {sorted(unknown)[0]}=...; known: seeds, depth,"
            " max_pages, max_papers")
    return spargs
