"""Scrapy settings of the reading-list crawler.

Every setting here can be changed for one run with ``-s NAME=VALUE``; the spider's own
switches are ``-a`` arguments (see ``crawler/spiders/seeds.py``).
"""

BOT_NAME = "readinglist-graph"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"
COMMANDS_MODULE = "crawler.commands"

PROJECT_URL = "https://github.com/readinglist-graph/readinglist-graph"
USER_AGENT = f"readinglist-graph/0.1 (+{PROJECT_URL})"

# -- where things go -------------------------------------------------------------------
DATA_DIR = "data"                 # crawl.sqlite, graph.graphml, httpcache/ live here
WRITE_GRAPH = True                # write DATA_DIR/graph.graphml when the crawl ends

# -- politeness ------------------------------------------------------------------------
ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 2
# Items processed at once per response. Scrapy 2.19 starts this many asyncio tasks for
# every response (default 100; github.com/scrapy/scrapy/issues/5182) while the store
# pipeline writes synchronously, so more buys nothing: at 2,000 pages the crawler
# process's CPU time fell from 10.9 s to 6.6 s with 8.
CONCURRENT_ITEMS = 8
DOWNLOAD_DELAY = 1.0
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0

# -- limits ----------------------------------------------------------------------------
DOWNLOAD_TIMEOUT = 30
DNS_TIMEOUT = 15
DOWNLOAD_MAXSIZE = 20 * 1024 * 1024       # bytes after decompression, too
DOWNLOAD_WARNSIZE = 5 * 1024 * 1024
RETRY_ENABLED = True
RETRY_TIMES = 2
RETRY_BACKOFF_BASE = 1.0          # seconds; doubled on each retry
RETRY_BACKOFF_MAX = 30.0
# A host name that does not resolve is not retried, and nothing more is sent to that host
# in this crawl (its links are recorded dns_error at once); the arXiv client likewise.
# False: retry DNS failures like other connection errors (a flaky resolver).
DNS_FAILURES_ARE_FINAL = True
REDIRECT_MAX_TIMES = 10
# A link that stays dead is recorded with its outcome and counted in the summary.
RETRY_GIVE_UP_LOG_LEVEL = "WARNING"

# -- re-runs ---------------------------------------------------------------------------
HTTPCACHE_ENABLED = True
HTTPCACHE_DIR = None              # None: DATA_DIR/httpcache
HTTPCACHE_EXPIRATION_SECS = 7 * 24 * 3600
HTTPCACHE_IGNORE_HTTP_CODES = [408, 429, 500, 502, 503, 504, 522, 524]
HTTPCACHE_GZIP = True

# GitHub "blob" pages are fetched as the raw file from here.
GITHUB_RAW_BASE = "https://raw.githubusercontent.com"

# -- arXiv -----------------------------------------------------------------------------
ARXIV_API_URL = "https://export.arxiv.org/api/query"
ARXIV_DELAY_SECONDS = 3.0         # arXiv's terms: at most one request every 3 seconds
ARXIV_TIMEOUT = 30
ARXIV_RETRIES = 3
ARXIV_BACKOFF = 2.0              # seconds; doubled on each retry
ARXIV_BATCH_SIZE = 100           # ids per API request (the API takes up to 100 well)

# -- citations: Semantic Scholar Graph API (a key, if you have one, in the S2_API_KEY
# environment variable; it is sent as x-api-key and never written to a WARC file) -------
SEMANTIC_SCHOLAR_API_URL = "https://api.semanticscholar.org/graph/v1"
SEMANTIC_SCHOLAR_DELAY_SECONDS = 1.0   # the public API's rate: about one request a second
SEMANTIC_SCHOLAR_TIMEOUT = 30
SEMANTIC_SCHOLAR_RETRIES = 3
SEMANTIC_SCHOLAR_BACKOFF = 2.0         # seconds; doubled on each retry

# -- content processing ----------------------------------------------------------------
# Worker processes that decode and extract pages, so both cores work while the reactor
# thread keeps downloading. 0 = process on the reactor thread (small lists, debugging).
EXTRACT_PROCESSES = 2

# -- reproducibility and dead links ----------------------------------------------------
# See crawler/warc.py, crawler/archive.py, crawler/safety.py and crawler/resume.py.
WARC_OUTPUT = None                # path of a .warc.gz recording every request and response
WARC_REPLAY = None                # path of a .warc.gz to serve every response from
ARCHIVE_FALLBACK = True           # dead seeds (DNS error, refused, 404, 410): archived copy
ARCHIVE_API_URL = "https://archive.org/wayback/available"
ARCHIVE_TIMESTAMP = None          # YYYYMMDD to ask the archive about; None: the list's mtime
ALLOW_PRIVATE_LINKS = False       # links found in pages may reach private addresses
# JOBDIR = "jobs/run1"            # -s JOBDIR=...: a killed crawl resumes where it stopped
SCHEDULER = "crawler.resume.StoreScheduler"

DOWNLOADER = "crawler.downloader.PoliteDownloader"

DOWNLOADER_MIDDLEWARES = {
    "crawler.safety.LinkGuardMiddleware": 60,
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
    "crawler.middlewares.ConsistentRobotsTxtMiddleware": 100,
    # After robots.txt, which every first request to a host waits for.
    "crawler.middlewares.DeadHostMiddleware": 110,
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "crawler.middlewares.BackoffRetryMiddleware": 550,
    # Closest to the download handler: records bodies before decompression, each redirect
    # hop and retry; off unless WARC_OUTPUT is set.
    "crawler.warc.WarcRecorderMiddleware": 950,
}

# Only http and https: a page or a redirect must not make the crawler read local files.
DOWNLOAD_HANDLERS = {"file": None, "data": None, "ftp": None, "s3": None}
# WARC_REPLAY swaps the http/https handlers for the archive and turns the HTTP cache off.
ADDONS = {"crawler.warc.WarcAddon": 0}
# Scrapy's resolver, answering with the address the link check approved (DNS rebinding).
TWISTED_DNS_RESOLVER = "crawler.safety.PinningResolver"

ITEM_PIPELINES = {
    "crawler.pipelines.StorePipeline": 300,
}

EXTENSIONS = {
    "crawler.warc.WarcArchive": 300,
    "crawler.extensions.ArxivMetadata": 400,
    "crawler.citations.CitationFetch": 450,
    "crawler.extensions.CrawlSummary": 500,
}

LOG_LEVEL = "INFO"
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
FEED_EXPORT_ENCODING = "utf-8"

# No inbound control ports: the crawl is driven from the command line only.
TELNETCONSOLE_ENABLED = False
REMOTE_CONTROL_ENABLED = False
