"""The knowledge-graph core: the crawl store, text work, vocabulary and entity linking,
graph building, analysis and export. Imports neither Scrapy nor Streamlit."""
