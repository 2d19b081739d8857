"""Explore the reading-list knowledge graph in the browser.

    streamlit run dashboard/app.py          # reads $DATA_DIR (default ./data)

Pages: an overview, the network with filters and search, one node's details, how two
things connect, a method's lineage and a topic's reading order, the papers the list's
papers cite that the list lacks, the health of every link
of the reading list, and downloads of the graph. The app only reads the crawl store and
the graph file; before the first crawl it says which command to run.

Text that came from the web (titles, summaries, names, evidence) is shown escaped:
tables and plain text as text, Markdown with every punctuation character backslash-escaped,
and the network's fields HTML-escaped (see ``dashboard/view.py``).
"""

from __future__ import annotations

import hashlib
import sys
from contextlib import contextmanager
from pathlib import Path

# `streamlit run dashboard/app.py` puts dashboard/ on sys.path, not the repository root.
_ROOT = Path(__file__).resolve().parent.parent
if str(_ROOT) not in sys.path:
    sys.path.insert(0, str(_ROOT))

import altair as alt  # noqa: E402
import pandas as pd  # noqa: E402
import streamlit as st  # noqa: E402
from streamlit.runtime.scriptrunner_utils.exceptions import ScriptControlException  # noqa: E402

from dashboard import data as D  # noqa: E402
from dashboard import view as V  # noqa: E402
from dashboard.view import md  # noqa: E402
from graph import analysis  # noqa: E402
from graph.export import EXTENSIONS, FORMATS  # noqa: E402
from graph.store import StoreMissing  # noqa: E402

try:  # the network component; without it the view falls back to tables
    from st_link_analysis import Event, st_link_analysis
except ImportError:  # pragma: no cover - depends on the installation
    st_link_analysis = None

MIME = {"graphml": "application/graphml+xml", "gexf": "application/gexf+xml",
        "json": "application/json", "csv": "application/zip"}
TAB_KEY, NODE_TAB = "tab", "Node"
SEED_HELP = {
    D.OK: "Fetched and read.",
    D.ARCHIVED: "The live page is gone; the web archive's copy was read instead.",
    D.DEAD: "Gone for good: no such host, refused connection, HTTP 404/410, not archived, "
            "or not a URL.",
    D.FAILED: "There, but not usable: timeout, robots.txt, too large, unsupported type, ...",
    D.PENDING: "Listed but not crawled yet.",
}
OUTCOME_WIDTH = 170  # pixels: "connection_refused" in full, with the cell padding
FORMAT_NAMES = {"graphml": "GraphML", "gexf": "GEXF", "json": "JSON", "csv": "CSV (Neo4j, zip)"}


@contextmanager
def section(name: str):
    """Show a failure inside one part of the page as a message, never as a traceback."""
    try:
        yield
    except ScriptControlException:
        raise
    except Exception as exc:  # noqa: BLE001 - the rest of the page must still work
        st.error(f"The {name} could not be shown: {md(type(exc).__name__)}: {md(exc)}")


# -- loading (cached until the store or the graph file changes) -----------------------------
@st.cache_resource(max_entries=4, show_spinner="Reading the graph…")
def load_snapshot(directory: str, signature: tuple) -> D.Snapshot:
    """The store and graph of ``directory``; ``signature`` only keys the cache."""
    return D.read_snapshot(directory)


@st.cache_resource(max_entries=16, show_spinner=False)
def load_view(directory: str, signature: tuple, f: D.Filters) -> object:
    """The filtered graph of one view (never mutated: shared between reruns)."""
    snap = load_snapshot(directory, signature)
    return D.filter_graph(snap.graph, f, snap.seeds)


@st.cache_resource(max_entries=16, show_spinner="Laying the network out…")
def load_positions(directory: str, signature: tuple, f: D.Filters, kept: tuple) -> dict:
    """Node positions of one view: computed once, the same on every rerun."""
    return V.positions(load_view(directory, signature, f), list(kept))


@st.cache_resource(max_entries=4, show_spinner=False)
def load_citations(directory: str, signature: tuple) -> dict:
    """``D.citation_summary`` of the graph: computed once, not on every rerun."""
    return D.citation_summary(load_snapshot(directory, signature).graph)


@st.cache_resource(max_entries=4, show_spinner="Ranking and grouping nodes…")
def load_analysis(directory: str, signature: tuple) -> dict:
    G = load_snapshot(directory, signature).graph
    n = G.number_of_nodes()
    return {
        "scores": dict(analysis.rank_nodes(G, by="pagerank", top=n)) if n else {},
        "communities": analysis.communities(G, seed=0) if n else [],
    }


# -- pages ---------------------------------------------------------------------------------
def welcome(directory: Path, empty: bool = False, problems: list[dict] = ()) -> None:
    st.title("Reading-list knowledge graph")
    if empty and problems:
        st.warning(f"The crawl store holds no links: all {len(problems)} link line(s) of "
                   "the reading list were rejected. Fix them and crawl again.")
        st.dataframe(D.display_rows([{"line": p["line"], "text": p["text"],
                                      "reason": p["reason"]} for p in problems]),
                     hide_index=True, key="rejected_table",
                     column_config={"text": st.column_config.TextColumn(width="large"),
                                    "reason": st.column_config.TextColumn(width="large")})
    elif empty:
        st.info("The crawl store is there but holds nothing yet: the crawl has not run "
                "or found no links.")
    else:
        st.info("Nothing has been crawled yet, so there is no graph to explore.")
    st.markdown("Run these from the repository root, then reload this page:")
    st.code(D.first_run_commands(directory), language="bash")
    st.caption("Looking for the data in:")
    st.code(str(directory.resolve()), language=None)
    st.caption("Set `DATA_DIR` to read another data directory.")


def overview(snap: D.Snapshot, scores: dict, cited: dict) -> None:
    G = snap.graph
    kinds = D.kind_counts(G)
    cols = st.columns(len(kinds) + 1)
    for col, (kind, count) in zip(cols, kinds.items()):
        col.metric(V.plural(kind), count)
    cols[-1].metric("edges", G.number_of_edges())
    health = D.seed_summary(snap.seeds)
    for col, state in zip(st.columns(len(health)), health):
        col.metric(f"seeds {state}", health[state], help=SEED_HELP[state])
    st.caption(D.url_line_note(snap.seeds))
    st.caption(D.source_line(snap))
    if cited["edges"]:
        st.caption(D.citation_line(cited))

    st.subheader("Most central")
    for col, kind in zip(st.columns(3), ("person", "method", "paper")):
        with col:
            st.markdown(f"**{V.plural(kind).capitalize()}**")
            ranked = [(n, s) for n, s in sorted(scores.items(), key=lambda kv: -kv[1])
                      if D.kind_of(G, n) == kind][:10]
            if ranked:
                st.dataframe(D.ranking_rows(G, ranked), hide_index=True,
                             column_order=("name", "score", "degree"), key=f"top_{kind}")
            else:
                st.caption(f"No {V.plural(kind)} in the graph yet.")
    rels = D.relation_counts(G)
    if rels:
        st.subheader("Edges by relation")
        st.bar_chart({"edges": rels}, horizontal=True, height=240)


def sidebar_filters(snap: D.Snapshot, comms: list[dict]) -> tuple[D.Filters, int]:
    G = snap.graph
    sb = st.sidebar
    sb.header("Filters")
    present_kinds = [k for k, c in D.kind_counts(G).items() if c]
    kinds = sb.multiselect("Node kinds", present_kinds, default=present_kinds, key="kinds")
    present_rels = list(D.relation_counts(G))
    rels = sb.multiselect("Relations", present_rels, default=present_rels, key="rels")
    topics = D.nodes_of_kind(G, "topic")
    topic = sb.selectbox("Topic", [None] + topics, key="topic",
                         format_func=lambda n: "any topic" if n is None else D.label_of(G, n))
    comm_ids = [None] + [c["id"] for c in comms]
    by_id = {c["id"]: c for c in comms}
    community = sb.selectbox(
        "Community", comm_ids, key="community",
        format_func=lambda i: "any community" if i is None
        else D.community_name(G, by_id[i]))
    heads = D.headings(snap.seeds)
    heading = sb.selectbox("Reading-list heading", [None] + heads, key="heading",
                           format_func=lambda h: "any heading" if h is None else h)
    provenance = sb.radio("Show", list(D.PROVENANCE), key="provenance",
                          format_func=D.PROVENANCE.get,
                          help="The vocabulary file states some methods, topics, people and "
                               "edges by itself; 'what the crawl found' hides those that no "
                               "crawled page or paper supports.")
    min_weight = sb.number_input("Minimum edge weight", min_value=0.0, value=0.0, step=0.5,
                                 key="min_weight")
    limit = int(sb.number_input("Most nodes drawn", min_value=10, max_value=5000,
                                value=D.VIEW_LIMIT, step=50, key="limit"))
    # All kinds (or relations) chosen is no filter at all: keep Filters canonical.
    f = D.Filters(
        kinds=tuple(kinds) if set(kinds) != set(present_kinds) else None,
        rels=tuple(rels) if set(rels) != set(present_rels) else None,
        topic=topic,
        community=tuple(by_id[community]["nodes"]) if community is not None else (),
        heading=heading,
        min_weight=float(min_weight),
        provenance=provenance,
    )
    return f, limit


def sidebar_search(G) -> object:
    """The search box: finds nodes by label or any alias; returns the picked node."""
    sb = st.sidebar
    sb.header("Search")

    def forget_click():
        st.session_state.pop("clicked", None)

    query = sb.text_input("Name, title or alias (English or 中文)", key="search",
                          placeholder="e.g. 何恺明, Faster RCNN, LeCun", on_change=forget_click)
    if not query.strip():
        return None
    matches = analysis.find_nodes(G, query.strip(), limit=20)
    if not matches:
        sb.info("No node matches that name.")
        return None
    return sb.selectbox(f"{len(matches)} match(es)", matches, key="search_pick",
                        format_func=lambda n: D.display_name(G, n), on_change=forget_click)


def open_node_tab() -> None:
    st.session_state[TAB_KEY] = NODE_TAB


def sidebar_focus(G, focus) -> None:
    """What is picked (by search or by a click in the network), with a way to its details."""
    if focus is None or focus not in G:
        return
    st.sidebar.caption(f"Picked: {md(D.display_name(G, focus))}")
    st.sidebar.button("Open its details", on_click=open_node_tab, key="open_details",
                      icon=":material/info:")


def network(snap: D.Snapshot, H, scores: dict, limit: int, focus, f=None,
            place=None) -> None:
    """The network view; ``place(kept)`` gives the (cached) node positions."""
    G = snap.graph
    if H.number_of_nodes() == 0:
        if f is not None and f.provenance == "learned" and not any(
                D.is_learned(G, n) for n in G):
            st.info("The graph learned no concept beyond the vocabulary from this crawl: "
                    "everything in it is listed in the vocabulary. `python -m graph "
                    "vocabulary suggest` shows what discovery found and why.")
        else:
            st.info("Nothing matches these filters.")
        return
    kept, left_out = D.cap_view(H, scores, limit)
    if focus in H and focus not in kept:
        kept = kept[:-1] + [focus]  # the picked node is always drawn
    drawn = set(kept)
    shown_edges = sum(1 for u, v in H.edges() if u in drawn and v in drawn)
    note = (f"Showing {len(kept)} of {H.number_of_nodes()} nodes and {shown_edges} of "
            f"{H.number_of_edges()} edges, most central first.")
    if left_out:
        parts = ", ".join(f"{n} {V.plural(k, n)}" for k, n in left_out.items())
        note += f" Left out: {parts} (raise *Most nodes drawn* or narrow the filters)."
    st.caption(note)
    st.markdown(V.legend_markdown([k for k in V.KIND_COLORS if any(
        D.kind_of(H, n) == k for n in kept)]))
    where = place(kept) if place is not None else V.positions(H, kept)
    els = V.elements(H, kept, scores, focus=focus, where=where)
    # Names the view: a new filter, limit or focus makes the component lay out and fit
    # again (Cytoscape keeps its zoom and adds new nodes at the origin otherwise).
    view_key = hashlib.sha1(repr((f, limit, tuple(kept), focus)).encode()).hexdigest()[:12]
    if st_link_analysis is None:
        st.warning("The graph component is not installed (`pip install st-link-analysis`); "
                   "showing the nodes as a table.")
        st.dataframe([{"name": n["data"]["label"], "kind": D.kind_of(H, V.node_id(n))}
                      for n in els["nodes"]], hide_index=True)
        return

    def on_pick():
        node = V.node_from_event(st.session_state.get("network"), G)
        if node is not None:
            st.session_state["clicked"] = node

    st_link_analysis(
        els,
        layout=V.network_layout(view_key),
        node_styles=V.node_styles(), edge_styles=V.edge_styles(), height=640,
        key="network", on_change=on_pick, events=[Event("pick", "tap", "node")],
    )
    st.caption("Click a node to see its details in the *Node* tab; the panel on the graph "
               "shows its fields. Scroll to zoom, drag to move.")


def node_page(snap: D.Snapshot, node) -> None:
    G = snap.graph
    if node is None or node not in G:
        st.info("Search for a name in the sidebar, or click a node in the network.")
        return
    d = D.node_details(G, node, snap.seeds)
    st.subheader(md(d["label"]))
    meta = [f"kind: **{md(d['kind'])}**"]
    if d["year"]:
        meta.append(f"year: **{d['year']}**")
    if d["origin"]:
        meta.append(md(d["origin"]))
    if d["status"]:
        meta.append(f"status: **{md(d['status'])}**")
    if d["kind"] == "paper" and "in_list" in G.nodes[node]:
        meta.append("in your list" if analysis.is_true(G.nodes[node]["in_list"])
                    else "not in your list")
    if d["listed_at"]:
        meta.append("reading list line " + ", ".join(str(n) for n in d["listed_at"]))
    st.markdown(" · ".join(meta))
    if d["dead"]:
        st.error(f"Dead link ({md(d['status'])}). {md(d['reason'])}".strip())
    elif d["state"] == D.FAILED:
        st.warning(f"Could not be used ({md(d['status'])}). {md(d['reason'])}".strip())
    elif d["state"] == D.ARCHIVED:
        st.info("The live page is gone: this is the web archive's copy "
                f"{md(G.nodes[node].get('archive_timestamp') or '')}".strip())
    elif d["state"] == D.PENDING:
        st.info("Listed in the reading list but not crawled yet.")
    elif d["kind"] == "paper" and d["status"] not in ("", "ok"):
        st.warning(f"arXiv metadata: {md(d['status'])}")
    url = D.safe_url(d["url"])
    if url:
        st.link_button("Open the source", url)
        st.caption(md(url))
    if d["summary"]:
        st.markdown(md(d["summary"]))
    if d["authors"]:
        st.markdown("**Authors:** " + md(", ".join(d["authors"])))
    if d["keywords"]:
        st.markdown("**Keywords:** " + md(", ".join(d["keywords"])))
    if d["headings"]:
        st.markdown("**Listed under:** " + md(" / ".join(d["headings"])))
    if d["notes"]:
        st.markdown("**Notes in the reading list:** " + md(" / ".join(d["notes"])))
    if d["aliases"]:
        st.markdown("**Also known as:** " + md(", ".join(d["aliases"])))
    if d["other"]:
        with st.expander("All attributes"):
            st.dataframe([{"attribute": k, "value": str(v)} for k, v in d["other"].items()],
                         hide_index=True)

    cites = paper_citations(G, node) if d["kind"] == "paper" else []
    groups = D.neighbours(G, node)
    if d["kind"] == "paper":  # shown above with their sentences
        groups.pop("cites", None)
    st.markdown(f"#### Neighbours ({sum(len(r) for r in groups.values())})")
    if not groups:
        st.caption("No edges.")
    for rel, rows in groups.items():
        with st.expander(f"{md(rel)} · {len(rows)}", expanded=len(groups) <= 4):
            st.dataframe(rows, hide_index=True, key=f"nb_{rel}",
                         column_order=("direction", "node", "kind", "evidence", "source",
                                       "more evidence"))

    others = list(dict.fromkeys([r["id"] for rows in groups.values() for r in rows] + cites))
    if others:
        def go():
            target = st.session_state.get("neighbour_pick")
            if target:
                st.session_state["clicked"] = target
            st.session_state["neighbour_pick"] = None

        st.selectbox("Go to a neighbour", [None] + others, key="neighbour_pick", on_change=go,
                     format_func=lambda n: "—" if n is None else D.display_name(G, n))


CITATION_COLUMNS = ("paper", "year", "in list", "sentence", "intents", "influential", "url")
CITATION_CONFIG = {"url": st.column_config.LinkColumn("link", display_text="open"),
                   "sentence": st.column_config.TextColumn(width="large")}


def paper_citations(G, node) -> list:
    """A paper's references and the papers citing it, each with the citing sentence;
    returns the ids shown, so the page can go to them."""
    rows = D.citation_rows(G, node)
    status = D.citation_status_text(G.nodes[node])
    st.markdown(f"#### References ({len(rows['references'])}) · "
                f"cited by ({len(rows['cited_by'])})")
    if status:
        st.caption(status)
    for part, title in (("references", "What it cites"), ("cited_by", "What cites it")):
        if rows[part]:
            with st.expander(f"{title} · {len(rows[part])}", expanded=True):
                st.dataframe(D.display_rows(rows[part]), hide_index=True, key=f"cite_{part}",
                             column_order=CITATION_COLUMNS, column_config=CITATION_CONFIG)
    return [r["id"] for part in ("references", "cited_by") for r in rows[part]]


def node_picker(G, label: str, key: str, placeholder: str):
    query = st.text_input(label, key=key, placeholder=placeholder)
    if not query.strip():
        return None
    matches = analysis.find_nodes(G, query.strip(), limit=10)
    if not matches:
        st.warning("No node matches that name.")
        return None
    return st.selectbox("Match", matches, key=f"{key}_pick",
                        format_func=lambda n: D.display_name(G, n))


def path_page(snap: D.Snapshot, cited: dict) -> None:
    G = snap.graph
    st.markdown("How do two things connect? Every hop shows the sentence or line behind it.")
    c1, c2 = st.columns(2)
    with c1:
        a = node_picker(G, "From", "path_from", "e.g. LeCun")
    with c2:
        b = node_picker(G, "To", "path_to", "e.g. Girshick")
    if a is None or b is None:
        return
    relations = analysis.MEANINGFUL_RELATIONS
    if cited["edges"] and not st.toggle(
            "Through citations", value=True, key="path_cites",
            help="Let the path go from a paper to a paper it cites (Semantic Scholar)."):
        relations = tuple(r for r in relations if r != "cites")
    if a == b:
        st.info("Pick two different things.")
        return
    hops = analysis.explain_path(G, a, b, relations=relations)
    if hops is None:
        st.warning(f"No connection between {md(D.label_of(G, a))} and "
                   f"{md(D.label_of(G, b))} in this graph.")
        return
    rows = D.path_rows(G, hops)
    st.success(f"{md(D.label_of(G, a))} connects to {md(D.label_of(G, b))} "
               f"in {len(rows)} hop{'s' if len(rows) != 1 else ''}.")
    for r in rows:
        st.markdown(f"**{r['hop']}.** {md(r['from'])} — *{md(r['relation'])}* → {md(r['to'])}")
        if r["evidence"]:
            st.caption(f"“{md(r['evidence'])}” — {md(r['source'])}")
    st.dataframe(rows, hide_index=True, key="path_table")


def lineage_page(snap: D.Snapshot, scores: dict, cited: dict) -> None:
    G = snap.graph
    left, right = st.columns(2)
    with left:
        st.subheader("Lineage of a method")
        methods = sorted(D.nodes_of_kind(G, "method"), key=lambda n: -scores.get(n, 0.0))
        relations, name = analysis.LINEAGE_RELATIONS, "method"
        if cited["edges"] and st.toggle(
                "Follow citations", key="lineage_cites",
                help="Papers too: what a paper cites, what those cite, and what cites it."):
            relations, name = tuple(analysis.LINEAGE_RELATIONS) + ("cites",), "name"
            methods = sorted(cited["citing"], key=lambda n: (-scores.get(n, 0.0), str(n))) \
                + methods
        if not methods:
            st.caption("No methods in the graph.")
        else:
            m = st.selectbox("Method" if name == "method" else "Paper or method", methods,
                             key="lineage_method", format_func=lambda n: D.short_name(G, n))
            rows = D.lineage_rows(G, analysis.lineage(G, m, relations=relations), name=name)
            st.dataframe(D.display_rows(rows), hide_index=True,
                         column_order=("year", name), key="lineage_table")
            dated = D.year_points(rows)
            if len(dated) > 1:  # with no year at all the axis would have no extent
                # A timeline: one row per method, oldest at the top, labelled in place.
                chart = alt.Chart(pd.DataFrame(
                    [{"year": r["year"], "method": r[name]} for r in dated],
                    columns=["year", "method"])).encode(
                    x=alt.X("year:Q", scale=alt.Scale(zero=False, nice=False,
                                                      padding=30),
                            axis=alt.Axis(format="d", tickMinStep=1, title=None)),
                    y=alt.Y("method:N", sort=None, axis=None),
                    tooltip=["method:N", "year:Q"])
                st.altair_chart(
                    (chart.mark_circle(size=90)
                     + chart.mark_text(align="left", dx=9).encode(text="method:N"))
                    # A fixed height: a row-per-method axis cannot also "fit" the frame.
                    .properties(height=24 * len(dated) + 20),
                    width="stretch")
    with right:
        st.subheader("Reading order for a topic")
        by_score = lambda n: -scores.get(n, 0.0)  # noqa: E731 - most central first
        topics = sorted(D.nodes_of_kind(G, "topic"), key=by_score) + \
            sorted(D.nodes_of_kind(G, "method"), key=by_score)
        if not topics:
            st.caption("No topics in the graph.")
        else:
            t = st.selectbox("Topic or method", topics, key="reading_topic",
                             format_func=lambda n: D.display_name(G, n))
            rows = D.reading_rows(G, analysis.reading_order(G, t))
            if rows:
                st.dataframe(D.display_rows(rows), hide_index=True, key="reading_table",
                             column_config={"url": st.column_config.TextColumn("url")})
            else:
                st.caption("Nothing is filed under it yet.")


def missing_page(snap: D.Snapshot, cited: dict) -> None:
    if not cited["edges"]:  # our own sentence, with the commands in code spans
        st.info(D.citation_notice(snap.graph))
        return
    rows = cited["missing"]
    if not rows:
        st.success("Every paper the list's papers cite is in the list.")
        return
    st.markdown(
        f"{len(rows)} paper{'s' if len(rows) != 1 else ''} that the papers of your list cite "
        "but the list does not hold: cited by the most listed papers first, then by how many "
        "of those citations Semantic Scholar marks influential. *why* names the citing "
        "papers and their sentences.")
    st.dataframe(D.display_rows([{k: v for k, v in r.items() if k != "reasons"}
                                 for r in rows]), hide_index=True, key="missing_table",
                 column_order=("#", "title", "year", "cited by", "influential", "why", "url"),
                 column_config={
                     "url": st.column_config.LinkColumn("link", display_text="open"),
                     "why": st.column_config.TextColumn(width="large"),
                     "cited by": st.column_config.NumberColumn(
                         help="How many papers of the list cite it"),
                     "influential": st.column_config.NumberColumn(
                         help="How many of those citations Semantic Scholar marks "
                              "influential")})
    by_id = {r["id"]: r for r in rows}
    pick = st.selectbox("Why is it missing?", [None] + list(by_id), key="missing_pick",
                        format_func=lambda n: "—" if n is None else
                        f"{by_id[n]['#']}. {by_id[n]['title']}")
    if pick is None:
        return
    row = by_id[pick]
    st.markdown(f"**{md(row['title'])}** ({md(row['year'] or 'year unknown')}) is cited by "
                f"{row['cited by']} paper{'s' if row['cited by'] != 1 else ''} of the list:")
    for name, sentence in row["reasons"]:
        st.markdown(f"- **{md(name)}**" + (f": “{md(sentence)}”" if sentence else
                                           " (Semantic Scholar gives no sentence)"))
    c1, c2 = st.columns(2)
    if row["url"]:
        c1.link_button("Open the paper", row["url"])

    def details():
        st.session_state["clicked"] = pick
        open_node_tab()

    c2.button("Its references and citations", on_click=details, key="missing_details")


def health_page(snap: D.Snapshot) -> None:
    if not snap.has_store:
        st.info("There is no crawl store, so nothing to report about the reading list.")
        return
    summary = D.seed_summary(snap.seeds)
    for col, state in zip(st.columns(len(summary)), summary):
        col.metric(state, summary[state], help=SEED_HELP[state])
    st.caption(D.url_line_note(snap.seeds))
    for _state, message in D.health_warnings(snap.seeds):
        st.warning(message)
    only = st.toggle("Only links that need attention", key="only_problems", value=False)
    rows = D.display_rows(D.seed_rows(snap.seeds, only_problems=only))
    st.dataframe(rows, hide_index=True, key="seed_table",
                 column_order=("line", "state", "outcome", "listed_url", "reason",
                               "http_status", "title", "heading", "final_url", "fetched_via"),
                 column_config={
                     "http_status": st.column_config.TextColumn("HTTP", width="small"),
                     # wide enough for the longest outcome, "connection_refused"
                     "outcome": st.column_config.TextColumn(width=OUTCOME_WIDTH),
                     "listed_url": st.column_config.TextColumn("listed URL", width="large"),
                     "reason": st.column_config.TextColumn(width="medium"),
                 })
    if snap.problems:
        st.subheader("Lines that could not be used")
        st.dataframe(D.display_rows([{"line": p["line"], "text": p["text"],
                                      "reason": p["reason"]} for p in snap.problems]),
                     hide_index=True, key="problem_table")


def export_page(snap: D.Snapshot, H, f: D.Filters) -> None:
    whole = f == D.Filters()
    st.markdown(
        f"Download {'the whole graph' if whole else 'the graph of the current filters'}: "
        f"{H.number_of_nodes()} nodes, {H.number_of_edges()} edges (the drawing cap does not "
        "apply). With no filters the files hold the same bytes as "
        "`python -m graph export -f FORMAT`.")
    cols = st.columns(len(FORMATS))
    for col, fmt in zip(cols, FORMATS):
        ext = EXTENSIONS.get(fmt) or ".zip"
        col.download_button(
            FORMAT_NAMES.get(fmt, fmt),
            data=lambda fmt=fmt: D.export_view(snap.graph, f, snap.seeds, fmt),
            file_name=f"graph{ext}", mime=MIME.get(fmt), key=f"download_{fmt}",
            on_click="ignore", icon=":material/download:")


def main() -> None:
    st.set_page_config(page_title="Reading-list graph", page_icon="🕸️", layout="wide")
    with section("dashboard"):  # the last safety net: a message, never a traceback
        dashboard()


def dashboard() -> None:
    directory = D.data_dir()
    signature = D.signature(directory)
    try:
        snap = load_snapshot(str(directory), signature)
    except StoreMissing:
        welcome(directory)
        return
    except Exception as exc:  # noqa: BLE001 - a broken file gets a message, not a traceback
        st.title("Reading-list knowledge graph")
        st.error(f"Could not read the data in {md(directory)}: "
                 f"{md(type(exc).__name__)}: {md(exc)}")
        st.markdown(f"Re-run `{D.CRAWL_COMMAND}` or `{D.BUILD_COMMAND}` and reload.")
        return
    if snap.is_empty:
        welcome(directory, empty=True, problems=snap.problems)
        return
    G = snap.graph
    try:
        extra = load_analysis(str(directory), signature)
        scores, comms = extra["scores"], extra["communities"]
    except Exception as exc:  # noqa: BLE001 - the graph is still worth showing unranked
        st.warning(f"Ranking failed ({md(type(exc).__name__)}: {md(exc)}); nodes are "
                   "shown unranked.")
        scores, comms = {}, []

    st.title("Reading-list knowledge graph")
    if snap.notice:
        st.warning(md(snap.notice))
    picked = sidebar_search(G)
    clicked = st.session_state.get("clicked")
    focus = clicked if clicked in G else picked
    sidebar_focus(G, focus)
    f, limit = sidebar_filters(snap, comms)
    H = load_view(str(directory), signature, f)
    cited = load_citations(str(directory), signature)

    parts = {
        "Overview": lambda: overview(snap, scores, cited),
        "Network": lambda: network(
            snap, H, scores, limit, focus, f,
            lambda kept: load_positions(str(directory), signature, f, tuple(kept))),
        NODE_TAB: lambda: node_page(snap, focus),
        "Path finder": lambda: path_page(snap, cited),
        "Lineage & reading order": lambda: lineage_page(snap, scores, cited),
        "Missing from your list": lambda: missing_page(snap, cited),
        "Crawl health": lambda: health_page(snap),
        "Export": lambda: export_page(snap, H, f),
    }
    # Only the open tab runs (and the URL names it): a hidden tab would lay the network
    # out in a zero-sized frame, and nothing is computed for tabs nobody looks at.
    tabs = st.tabs(list(parts), key=TAB_KEY, on_change="rerun", bind="query-params")
    for tab, (name, render) in zip(tabs, parts.items()):
        if tab.open:
            with tab, section(name.lower()):
                render()


main()
