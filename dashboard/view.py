"""The network view: graph elements and styles for the Cytoscape.js component.

The component (st-link-analysis) draws node captions on a canvas, which is safe for any
text, but its side panel writes every node and edge field except ``label`` with
``innerHTML``. So ``label`` carries the raw text (shown as text) and every other field is
HTML-escaped here: a page titled ``<img src=x onerror=alert(1)>`` reads as that text.
Ids are escaped too (they appear in the panel); :func:`node_from_event` maps them back.

>>> import networkx as nx
>>> G = nx.MultiDiGraph(); G.add_node("page:x", kind="page", label="<b>x</b>")
>>> el = elements(G, ["page:x"], {"page:x": 1.0})
>>> el["nodes"][0]["data"]["label"], el["nodes"][0]["data"]["id"]
('<b>x</b>', 'page:x')
"""

from __future__ import annotations

import html
import re
from typing import Any

import networkx as nx

from dashboard.data import kind_of, label_of, weight_of, year_of

# Streamlit's named colours, so the legend (":blue[●] method") matches the drawing.
KIND_COLORS = {
    "page": ("gray", "#a3a8b4"),
    "paper": ("green", "#21c354"),
    "person": ("red", "#ff4b4b"),
    "method": ("blue", "#1c83e1"),
    "topic": ("orange", "#ffa421"),
}
REL_COLORS = {
    "listed_under": "#c9ada7",
    "links_to": "#adb5bd",
    "mentions": "#a8dadc",
    "authored": "#f4a261",
    "introduces": "#2a9d8f",
    "evolved_from": "#1d3557",
    "part_of": "#e9c46a",
    "works_on": "#e76f51",
    "related_to": "#b5838d",
}
OTHER_COLOR = "#6c757d"
LABEL_LIMIT = 60
_MD_SPECIAL = re.compile(r"([!-/:-@\[-`{-~])")  # every ASCII punctuation character


def esc(value: Any) -> str:
    """HTML-escaped text for fields the component writes as HTML.

    >>> esc('<img src=x onerror="alert(1)">')
    '&lt;img src=x onerror=&quot;alert(1)&quot;&gt;'
    """
    return html.escape("" if value is None else str(value), quote=True)


def md(text: Any) -> str:
    """Untrusted text made literal for ``st.markdown``: whitespace collapsed (no code blocks
    or headings from indentation and line starts) and every ASCII punctuation character
    backslash-escaped (no HTML, links, emphasis, ``:color[...]`` or ``$math$``).

    >>> md("<img src=x> **b**")
    '\\\\<img src\\\\=x\\\\> \\\\*\\\\*b\\\\*\\\\*'
    """
    return _MD_SPECIAL.sub(r"\\\1", " ".join(str("" if text is None else text).split()))


def plural(kind: str, n: int = 2) -> str:
    """'1 page', '3 pages', '2 people'.

    >>> plural("person", 2), plural("page", 1)
    ('people', 'page')
    """
    if n == 1:
        return kind
    return {"person": "people"}.get(kind, f"{kind}s")


def node_id(element: dict) -> str:
    """The graph node id of a Cytoscape node element."""
    return html.unescape(element["data"]["id"])


def short(text: str, limit: int = LABEL_LIMIT) -> str:
    """A caption short enough to draw under a node."""
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def node_from_event(value: Any, G: nx.Graph) -> Any:
    """The graph node a component event points at (its ``target_id``), or None.

    >>> G = nx.MultiDiGraph(); G.add_node("page:a&b")
    >>> node_from_event({"action": "pick", "data": {"target_id": "page:a&amp;b"}}, G)
    'page:a&b'
    """
    if not isinstance(value, dict):
        return None
    data = value.get("data") or {}
    target = data.get("target_id") if isinstance(data, dict) else None
    if not isinstance(target, str):
        return None
    node = html.unescape(target)
    return node if node in G else None


# Room per node in the drawing, in Cytoscape's pixels: labels are up to LABEL_LIMIT
# characters, drawn at about 6 px each.
SPACING = 110
GRID_CELL = (LABEL_LIMIT * 5, 60)


def positions(G: nx.Graph, nodes: list) -> dict:
    """Where each of ``nodes`` is drawn: ``{node: (x, y)}``, the same for the same view.

    Connected nodes get a force-directed layout with a fixed seed (so a filter change and
    back draws the same picture, and no node is left at the origin); nodes with no edge in
    the view (typically dead links) go in rows below it, each label with room of its own.

    >>> G = nx.path_graph(["a", "b", "c"]); G.add_node("lonely")
    >>> pos = positions(G, ["a", "b", "c", "lonely"])
    >>> len({xy for xy in pos.values()}) == 4 and pos == positions(G, ["a", "b", "c", "lonely"])
    True
    """
    keep = list(dict.fromkeys(nodes))
    H = nx.Graph()
    H.add_nodes_from(keep)
    wanted = set(keep)
    H.add_edges_from((u, v) for u, v in G.subgraph(keep).edges() if u != v and u in wanted)
    linked = sorted((n for n in keep if H.degree(n)), key=str)
    alone = sorted((n for n in keep if not H.degree(n)), key=str)
    out: dict = {}
    bottom = 0.0
    if linked:
        core = H.subgraph(linked)
        scale = SPACING * max(1.0, len(linked) ** 0.5)
        # networkx orders nodes by insertion; a sorted copy makes the seed mean the same.
        ordered = nx.Graph()
        ordered.add_nodes_from(linked)
        ordered.add_edges_from(sorted(core.edges(), key=lambda e: (str(e[0]), str(e[1]))))
        layout = nx.spring_layout(ordered, seed=0, scale=scale, iterations=80)
        for n, (x, y) in layout.items():
            out[n] = (round(float(x), 1), round(float(y), 1))
        bottom = max(y for _, y in out.values()) + SPACING
    if alone:
        per_row = max(1, int(len(alone) ** 0.5 * 1.5))
        width = (per_row - 1) * GRID_CELL[0]
        for i, n in enumerate(alone):
            row, col = divmod(i, per_row)
            out[n] = (round(col * GRID_CELL[0] - width / 2, 1),
                      round(bottom + row * GRID_CELL[1], 1))
    # Two nodes on one point would hide each other: nudge any exact repeat.
    seen: set = set()
    for n in keep:
        x, y = out[n]
        while (x, y) in seen:
            x, y = x + 7.0, y + 7.0
        out[n] = (x, y)
        seen.add((x, y))
    return out


def centred_on(where: dict, focus: Any) -> dict:
    """The positions stretched on each side of ``focus`` so that it sits in the middle of
    the drawing: fitting the whole drawing to the frame then centres the frame on it, with
    every node still inside. Order along each axis is kept, so nothing lands on anything.

    >>> centred_on({"a": (0, 0), "b": (10, 0), "c": (40, 0)}, "b")["a"]
    (-20.0, 0.0)
    """
    if focus not in where:
        return where
    fx, fy = where[focus]

    def stretch(values, centre):
        low = centre - min(values)
        high = max(values) - centre
        reach = max(low, high)
        return (reach / low if low else 1.0), (reach / high if high else 1.0)

    xs, ys = [p[0] for p in where.values()], [p[1] for p in where.values()]
    (xl, xh), (yl, yh) = stretch(xs, fx), stretch(ys, fy)
    out = {}
    for n, (x, y) in where.items():
        dx, dy = x - fx, y - fy
        out[n] = (round(fx + dx * (xl if dx < 0 else xh), 1),
                  round(fy + dy * (yl if dy < 0 else yh), 1))
    return out


def elements(G: nx.Graph, nodes: list, scores: dict, focus: Any = None,
             where: dict | None = None) -> dict:
    """Cytoscape elements for ``nodes`` of ``G`` and the edges between them.

    Node size follows centrality (``size`` from 0 to 1, relative to the view's most central
    node). The ``focus`` node is drawn selected, in the middle of the drawing. ``where``
    gives each node's position (see :func:`positions`).
    """
    keep = set(nodes)
    if where and focus in keep:
        where = centred_on(where, focus)
    top = max((float(scores.get(n, 0.0)) for n in nodes), default=0.0) or 1.0
    out_nodes = []
    for n in nodes:
        data = G.nodes[n]
        item = {
            "id": esc(n),
            "label": short(label_of(G, n)),     # raw: drawn on canvas, shown as innerText
            "kind": esc(kind_of(G, n)),
            "size": round(float(scores.get(n, 0.0)) / top, 4),
        }
        year = year_of(data.get("year"))
        if year:
            item["year"] = year
        for name in ("url", "status"):
            if data.get(name):
                item[name] = esc(data[name])
        element = {"data": item}
        if where and n in where:
            element["position"] = {"x": where[n][0], "y": where[n][1]}
        if n == focus:
            element["selected"] = True
        out_nodes.append(element)
    out_edges = []
    for i, (u, v, d) in enumerate(G.edges(data=True)):
        if u not in keep or v not in keep:
            continue
        item = {
            "id": f"e{i}",
            "source": esc(u),
            "target": esc(v),
            "label": str(d.get("rel") or "related"),
            "weight": weight_of(d),
        }
        if d.get("evidence"):
            item["evidence"] = esc(short(d["evidence"], 300))
        if d.get("source"):
            item["from"] = esc(d["source"])   # 'source' is taken by Cytoscape
        out_edges.append({"data": item})
    return {"nodes": out_nodes, "edges": out_edges}


class Style:
    """One Cytoscape style rule in the shape the component takes (anything with ``dump``).

    The component's own NodeStyle selects on ``label``; here ``label`` is the caption, so
    rules select on ``kind`` and ``label`` (edges: the relation) instead.
    """

    def __init__(self, selector: str, style: dict):
        self.selector, self.style = selector, style

    def dump(self) -> dict:
        return {"selector": self.selector, "style": self.style}


def _quoted(value: str) -> str:
    return value.replace("\\", "\\\\").replace("'", "\\'")


def node_styles(kinds=tuple(KIND_COLORS)) -> list[Style]:
    base = Style("node", {
        "label": "data(label)",
        "width": "mapData(size, 0, 1, 14, 46)",
        "height": "mapData(size, 0, 1, 14, 46)",
        "font-size": 9,
        "min-zoomed-font-size": 6,
        "text-wrap": "ellipsis",
        "text-max-width": 120,
        "background-color": OTHER_COLOR,
    })
    return [base] + [Style(f"node[kind='{_quoted(k)}']",
                           {"background-color": KIND_COLORS.get(k, ("", OTHER_COLOR))[1]})
                     for k in kinds]


def edge_styles(rels=tuple(REL_COLORS)) -> list[Style]:
    base = Style("edge", {"target-arrow-shape": "triangle", "curve-style": "bezier",
                          "width": "mapData(weight, 0, 3, 0.6, 3)"})
    return [base] + [Style(f"edge[label='{_quoted(r)}']", {
        "line-color": REL_COLORS.get(r, OTHER_COLOR),
        "target-arrow-color": REL_COLORS.get(r, OTHER_COLOR),
    }) for r in rels]


def network_layout(view_key: str) -> dict:
    """The component's layout: the positions given in the elements, fitted to the frame.

    ``view_key`` names the view (its filters, nodes and focus); when it changes, the
    component runs the layout again, so a filter change re-fits the drawing even after a
    mouse-wheel zoom.
    """
    return {"name": "preset", "fit": True, "padding": 30, "animate": False, "view": view_key}


def legend_markdown(kinds=tuple(KIND_COLORS)) -> str:
    """A colour legend for the node kinds.

    >>> legend_markdown(("person",))
    ':red[●] person'
    """
    return "  ".join(f":{KIND_COLORS.get(k, ('gray', ''))[0]}[●] {k}" for k in kinds)
