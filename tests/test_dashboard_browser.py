"""The dashboard in a real browser: `streamlit run dashboard/app.py` on 127.0.0.1, driven by
Playwright with the system Chromium (no browser download).

It checks what AppTest cannot: the network component draws the graph, clicking a node opens
its details, an injected page title stays text everywhere (no alert fires), the crawl-health
table renders, and a download holds the exact export bytes. A screenshot of the network view
is saved in the test's tmp_path.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from dashboard import data as D
from dashboard.view import esc
from tests.dashboard_fixtures import CHINESE_TITLE, XSS_TITLE, XSS_URL, write_fixture_store

CHROMIUM = Path("/usr/bin/chromium")
REPO = Path(__file__).resolve().parents[1]
APP = REPO / "dashboard" / "app.py"
CHROMIUM_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-component-update"]

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason="needs Chromium at /usr/bin/chromium (apt-get install chromium fonts-noto-cjk)")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_healthy(url: str, proc: subprocess.Popen, log: Path, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited early:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"streamlit did not start in {timeout} s:\n{log.read_text()}")


@pytest.fixture
def dashboard(tmp_path):
    """The app serving a fixture store; yields (base url, data dir)."""
    yield from serve(tmp_path)


@pytest.fixture
def cited_dashboard(tmp_path):
    """The app serving the fixture store with its papers' citations."""
    yield from serve(tmp_path, citations=True)


def serve(tmp_path, citations: bool = False):
    data_dir = tmp_path / "data"
    write_fixture_store(data_dir, citations=citations)
    port = free_port()
    env = dict(os.environ, DATA_DIR=str(data_dir), NO_PROXY="127.0.0.1,localhost",
               no_proxy="127.0.0.1,localhost",
               PYTHONPATH=str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    log = tmp_path / "streamlit.log"
    with open(log, "w") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", str(APP),
             "--server.headless", "true", "--server.port", str(port),
             "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false",
             "--server.fileWatcherType", "none"],
            cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(url, proc, log)
        yield url, data_dir
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


def graph_frame(page):
    """The network component's frame, once Cytoscape has drawn its nodes."""
    page.locator('iframe[title*="st_link_analysis"]').first.wait_for(timeout=60_000)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        for frame in page.frames:
            if "st_link_analysis" in frame.url:
                try:
                    frame.wait_for_function(
                        "() => document.getElementById('cy')?._cyreg?.cy?.nodes().length > 0",
                        timeout=5_000)
                    return frame
                except Exception:  # noqa: BLE001 - the frame may still be loading
                    pass
        time.sleep(0.5)
    raise AssertionError("the network component never drew its nodes")


def test_dashboard_in_chromium(dashboard, browser, tmp_path):
    url, data_dir = dashboard
    page = browser.new_page(viewport={"width": 1500, "height": 1000}, accept_downloads=True)
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(url)
    page.get_by_text("Reading-list knowledge graph").first.wait_for(timeout=90_000)
    page.get_by_text("seeds dead").first.wait_for(timeout=30_000)  # the overview's counts

    # The network: drawn by Cytoscape, with the nodes' labels, English and Chinese.
    page.get_by_role("tab", name="Network").click()
    frame = graph_frame(page)
    labels = frame.evaluate(
        "() => document.getElementById('cy')._cyreg.cy.nodes().map(n => n.data('label'))")
    assert "Kaiming He" in labels and "Ross Girshick" in labels
    assert XSS_TITLE in labels and CHINESE_TITLE[:20] in {label[:20] for label in labels}
    time.sleep(1.5)  # let the layout settle before the picture
    shot = tmp_path / "dashboard-network.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 20_000

    # Tapping the injected node: its panel shows the title as text, and the app opens it.
    node_id = esc(f"page:{XSS_URL}")  # the component's ids are HTML-escaped
    frame.evaluate("id => { const n = document.getElementById('cy')._cyreg.cy.getElementById(id);"
                   " n.select(); n.emit('tap'); }", node_id)
    frame.locator("#infopanelLabel").wait_for(timeout=10_000)
    assert frame.locator("#infopanelLabel").inner_text().strip() == XSS_TITLE
    assert "xss-title" in frame.locator("#infopanelProps").inner_text()
    assert frame.locator("#infopanel img").count() == 0
    page.get_by_role("tab", name="Node").click()
    title = page.get_by_text(XSS_TITLE, exact=True).first
    title.wait_for(timeout=30_000)
    assert title.is_visible()
    page.screenshot(path=str(tmp_path / "dashboard-node.png"), full_page=True)

    # Crawl health: the table of every seed, with the dead links named by line.
    page.get_by_role("tab", name="Crawl health").click()
    page.get_by_text("2 dead URLs: fix or replace them. Reading-list lines 3, 11.").wait_for(
        timeout=30_000)
    health = page.locator('[role="tabpanel"]:visible [data-testid="stDataFrame"]').first
    health.wait_for(timeout=30_000)
    # The grid draws on a canvas and mirrors its cells in an accessible table: read that.
    cells = health.locator('[role="gridcell"]')
    cells.filter(has_text="dns_error").first.wait_for(state="attached", timeout=30_000)
    assert XSS_TITLE in cells.all_text_contents()  # the cell holds the title as text
    page.screenshot(path=str(tmp_path / "dashboard-health.png"), full_page=True)

    # Export: the downloaded file holds exactly the export bytes of the graph.
    page.get_by_role("tab", name="Export").click()
    with page.expect_download(timeout=60_000) as download:
        page.get_by_role("button", name="GraphML").click()
    body = Path(download.value.path()).read_bytes()
    snap = D.read_snapshot(data_dir)
    assert body == D.export_view(snap.graph, D.Filters(), snap.seeds, "graphml")
    assert download.value.suggested_filename == "graph.graphml"

    assert page.locator('img[src="x"]').count() == 0
    assert dialogs == []  # no injected script ran
    assert not errors, errors



def test_missing_papers_link_out_and_explain_in_chromium(cited_dashboard, browser):
    url, _ = cited_dashboard
    page = browser.new_page(viewport={"width": 1500, "height": 1000})
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(url)
    page.get_by_text("Reading-list knowledge graph").first.wait_for(timeout=90_000)
    page.get_by_role("tab", name="Missing from your list").click()
    table = page.locator('[role="tabpanel"]:visible [data-testid="stDataFrame"]').first
    table.wait_for(timeout=30_000)
    cells = table.locator('[role="gridcell"]')
    cells.filter(has_text="ImageNet").first.wait_for(state="attached", timeout=30_000)
    texts = cells.all_text_contents()
    assert texts.index("ImageNet: A large-scale hierarchical image database") < \
        texts.index("Selective Search for Object Recognition")
    choose(page, "Why is it missing?", index=1)
    page.get_by_text("is cited by 3 papers of the list").wait_for(timeout=30_000)
    link = page.get_by_role("link", name="Open the paper")
    assert link.get_attribute("href") == "https://doi.org/10.1109/cvpr.2009.5206848"
    page.get_by_role("button", name="Its references and citations").click()
    page.get_by_text("References (0) · cited by (3)").wait_for(timeout=30_000)
    assert not errors, errors


_VIEW_JS = """() => {
  const cy = document.getElementById('cy')._cyreg.cy;
  return {w: cy.width(), h: cy.height(), zoom: cy.zoom(),
          selected: cy.nodes(':selected').map(n => n.id()),
          nodes: cy.nodes(':visible').map(n => [n.id(), n.renderedPosition().x,
                                                 n.renderedPosition().y])};
}"""


def settled_view(page, expect_nodes=None, timeout=30.0) -> dict:
    """The network as drawn once it stops moving (and shows ``expect_nodes`` nodes)."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        try:
            view = graph_frame(page).evaluate(_VIEW_JS)
        except Exception:  # noqa: BLE001 - the frame reloads while Streamlit reruns
            time.sleep(0.3)
            continue
        if (expect_nodes is None or len(view["nodes"]) == expect_nodes) and view == last:
            return view
        last = view
        time.sleep(0.6)
    raise AssertionError(f"the network never settled (last: {last and len(last['nodes'])} "
                         f"nodes, expected {expect_nodes})")


def assert_readable(view: dict, step: str) -> None:
    """No two visible nodes on one point, every visible node inside the frame."""
    points = [(x, y) for _, x, y in view["nodes"]]
    assert points, step
    for i, (x, y) in enumerate(points):
        assert -1 <= x <= view["w"] + 1 and -1 <= y <= view["h"] + 1, (step, view["nodes"][i])
        for x2, y2 in points[i + 1:]:
            assert abs(x - x2) + abs(y - y2) > 2, (step, "two nodes share a position")


def choose(page, label: str, option: str | None = None, index: int | None = None) -> None:
    box = page.get_by_role("combobox", name=label, exact=True)
    box.locator("xpath=..").get_by_role("button", name="Open").click()
    options = page.get_by_role("option")
    options.first.wait_for(timeout=10_000)
    if option is not None:
        options.filter(has_text=re.compile(rf"^\s*{re.escape(option)}\s*$")).first.click()
        assert box.input_value() == option
    else:
        options.nth(index).click()
    time.sleep(1.0)


def caption_count(page) -> int:
    text = page.get_by_text("Showing ").first.inner_text()
    return int(text.split()[1])


def test_network_stays_readable_through_filters_search_zoom_and_tabs(dashboard, browser,
                                                                      tmp_path):
    url, _ = dashboard
    shots = Path(os.environ.get("DASHBOARD_SCREENSHOTS", tmp_path))
    shots.mkdir(parents=True, exist_ok=True)
    page = browser.new_page(viewport={"width": 1500, "height": 1000})
    page.goto(url)
    page.get_by_text("Reading-list knowledge graph").first.wait_for(timeout=90_000)
    page.get_by_role("tab", name="Network").click()
    graph_frame(page)
    views = {}

    def step(name: str) -> dict:
        view = settled_view(page, caption_count(page))
        assert_readable(view, name)
        page.screenshot(path=str(shots / f"network-{len(views):02d}-{name}.png"), full_page=True)
        views[name] = view
        return view

    first = step("all")
    choose(page, "Topic", "Object detection")
    few = step("topic")
    assert len(few["nodes"]) < len(first["nodes"])
    choose(page, "Topic", "any topic")
    back = step("topic-back")
    # The same filters draw the same picture.
    assert sorted(back["nodes"]) == sorted(first["nodes"])
    choose(page, "Reading-list heading", "RCNN")
    step("heading")
    choose(page, "Reading-list heading", "ResNet")
    step("heading-2")
    choose(page, "Reading-list heading", "any heading")
    step("heading-back")
    choose(page, "Community", index=1)
    step("community")
    choose(page, "Community", "any community")
    step("community-back")

    # A mouse-wheel zoom, then a filter change: the new view is fitted again.
    box = page.locator('iframe[title*="st_link_analysis"]').first.bounding_box()
    page.mouse.move(box["x"] + box["width"] * 0.8, box["y"] + box["height"] * 0.8)
    for _ in range(5):
        page.mouse.wheel(0, -400)
        time.sleep(0.2)
    choose(page, "Topic", "Object detection")
    step("zoomed-then-topic")
    choose(page, "Topic", "any topic")
    step("zoomed-back")

    # Search: the found node is selected, and the view centres on it and its neighbours.
    search = page.get_by_label("Name, title or alias (English or 中文)")
    search.fill("Kaiming He")
    search.press("Enter")
    time.sleep(1.5)
    found = step("search")
    node = esc("person:kaiming-he")
    assert found["selected"] == [node]
    x, y = next((x, y) for n, x, y in found["nodes"] if n == node)
    assert abs(x - found["w"] / 2) < 5 and abs(y - found["h"] / 2) < 5
    assert graph_frame(page).locator("#infopanelLabel").inner_text().strip() == "Kaiming He"

    # Another tab and back: still readable.
    page.get_by_role("tab", name="Overview").click()
    time.sleep(1.0)
    page.get_by_role("tab", name="Network").click()
    step("tabs")
