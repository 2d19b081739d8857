"""``scrapy crawl``, checking the ``seeds`` spider's arguments and reading list before
Scrapy starts, so a user's mistake is one clear line and a non-zero exit, never a
traceback."""

from __future__ import annotations

import sys

from scrapy.commands.crawl import Command as ScrapyCrawlCommand

from crawler.reading_list import ReadingListError, read_reading_list
from crawler.spiders.seeds import SpiderArgumentError, crawl_options
from crawler.warc import settings_problem

KNOWN_ARGUMENTS = ("seeds", "depth", "max_pages", "max_papers", "format", "restart",
                   "citations", "max_references")


def check_seeds_arguments(spargs: dict) -> None:
    """Raise ``SpiderArgumentError`` or ``ReadingListError`` with a one-line message."""
    unknown = sorted(set(spargs) - set(KNOWN_ARGUMENTS))
    if unknown:
        raise SpiderArgumentError(
            f"unknown argument -a {unknown[0]}=...; known: {', '.join(KNOWN_ARGUMENTS)}")
    args = dict(spargs)
    args["list_format"] = args.pop("format", None)
    options = crawl_options(**args)
    read_reading_list(options.seeds, options.list_format)


class Command(ScrapyCrawlCommand):
    """``scrapy crawl``; for ``seeds``, exit 2 on bad arguments or an unreadable list
    (nothing runs) and 1 when the list gave no link to crawl (what it has is stored)."""

    def _create_crawler(self, spidercls):
        self._crawler = super()._create_crawler(spidercls)
        return self._crawler

    def run(self, args, opts):
        super().run(args, opts)
        from crawler.extensions import CrawlSummary

        crawler = getattr(self, "_crawler", None)
        summary = crawler.get_extension(CrawlSummary) if crawler is not None else None
        if summary is not None and summary.warning:
            # After Scrapy's closing log lines, so it is the last thing a user sees.
            print(summary.warning, file=sys.stderr, flush=True)
            self.exitcode = self.exitcode or 1

    def process_options(self, args, opts):
        super().process_options(args, opts)
        # Runs before Scrapy sets up logging and the crawler, so the error stands alone.
        if args and args[0] == "seeds":
            try:
                check_seeds_arguments(opts.spargs)
            except (SpiderArgumentError, ReadingListError) as exc:
                print(f"Error: {exc}", file=sys.stderr)
                sys.exit(2)
            problem = settings_problem(self.settings)
            if problem:
                print(f"Error: {problem}", file=sys.stderr)
                sys.exit(2)
