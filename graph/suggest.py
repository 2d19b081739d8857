"""What the graph learned beyond the vocabulary, as vocabulary entries a user can review.

>>> import networkx as nx
>>> G = nx.MultiDiGraph()
>>> G.add_node("method:moco", kind="method", label="MoCo", aliases="Momentum Contrast",
...            origin="abstract", confidence=0.8)
>>> G.add_node("paper:arXiv:1911.05722", kind="paper", arxiv_id="1911.05722")
>>> G.add_edge("paper:arXiv:1911.05722", "method:moco", key="introduces", rel="introduces",
...            evidence="We present Momentum Contrast (MoCo).", source="https://arxiv.org/abs/1911.05722")
'introduces'
>>> [(e["id"], e["aliases"], e["arxiv"], e["documents"]) for e in learned_entries(G)]
[('moco', ['Momentum Contrast'], '1911.05722', 1)]
"""

from __future__ import annotations

import networkx as nx
import yaml

from graph.build import learned_from_reading


def learned_entries(G: nx.MultiDiGraph) -> list[dict]:
    """Learned method and topic nodes, most documents first: id, name, kind, aliases, the
    introducing paper's arXiv id, origin, confidence, how many documents name it, and the
    best evidence with its source."""
    out = []
    for node, data in G.nodes(data=True):
        if data.get("kind") not in ("method", "topic") or not learned_from_reading(data):
            continue
        sources, arxiv, evidence = set(), None, None
        for src, _, key, edge in G.in_edges(node, keys=True, data=True):
            if key not in ("mentions", "introduces", "listed_under"):
                continue
            sources.add(src)
            if key == "introduces":
                arxiv = G.nodes[src].get("arxiv_id") or arxiv
                evidence = (edge.get("evidence"), edge.get("source"))
            elif evidence is None:
                evidence = (edge.get("evidence"), edge.get("source"))
        aliases = [a for a in (data.get("aliases") or "").split("|") if a]
        out.append({"id": node.split(":", 1)[1], "name": data.get("label"),
                    "kind": data["kind"], "aliases": aliases, "arxiv": arxiv,
                    "origin": data.get("origin"), "confidence": data.get("confidence"),
                    "documents": len(sources), "evidence": evidence})
    out.sort(key=lambda e: (-e["documents"], -(e["confidence"] or 0), e["name"] or ""))
    return out


def entries_yaml(entries: list[dict], data_dir) -> str:
    """The entries as a vocabulary file: each with a comment saying where it was learned."""
    lines = [f"# Learned from the crawl in {data_dir}: review these, then keep them in",
             f"# {data_dir}/vocabulary.local.yaml (merged at the next build) or in",
             "# graph/vocabulary.yaml.", "concepts:"]
    if not entries:
        lines[-1] = "concepts: []  # nothing learned beyond the vocabulary"
    for e in entries:
        docs = f"{e['documents']} document" + ("" if e["documents"] == 1 else "s")
        lines.append(f"# {e['name']}: {e['origin']}, confidence {e['confidence']}, {docs}")
        if e["evidence"] and e["evidence"][0]:
            text, source = e["evidence"]
            lines.append(f"#   \"{' '.join(text.split())[:160]}\" ({source})")
        entry = {"id": e["id"], "name": e["name"], "kind": e["kind"]}
        if e["aliases"]:
            entry["aliases"] = e["aliases"]
        if e["arxiv"]:
            entry["arxiv"] = e["arxiv"]
        dumped = yaml.safe_dump([entry], allow_unicode=True, sort_keys=False,
                                default_flow_style=None, width=100)
        lines.append(dumped.rstrip())
    return "\n".join(lines) + "\n"
