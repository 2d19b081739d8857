"""One person however a byline writes the name: "K. He", "何恺明" and "Kaiming He" are one
node where the context fits, and two different people stay two."""

from __future__ import annotations

from graph.build import build_graph
from graph.people import initial_key, merge_people, romanized
from graph.store import Store

MOCO = "1911.05722"


def _store() -> Store:
    store = Store(":memory:")
    store.upsert_paper({"arxiv_id": MOCO, "status": "ok",
                        "title": "Momentum Contrast for Unsupervised Visual Representation "
                                 "Learning",
                        "authors": ["Kaiming He", "Haoqi Fan", "Yuxin Wu", "Saining Xie",
                                    "Ross Girshick"],
                        "abstract": "We present Momentum Contrast (MoCo) for unsupervised "
                                    "visual representation learning.",
                        "published": "2019-11-13T00:00:00"})
    pages = [
        # The byline's initials, and the text names the paper's first author.
        ("https://blog.example/moco", "MoCo explained", ["H. Fan"],
         "Haoqi Fan and colleagues present MoCo, a queue of negative keys."),
        # A Chinese byline whose page cites the paper: the same person in another script.
        ("https://zhuanlan.example/p/1", "MoCo 论文笔记", ["吴育昕"],
         "本文介绍 arXiv:1911.05722 提出的 MoCo 方法。"),
        # Initials with nothing in common with the paper's people: kept apart.
        ("https://other.example/post", "Cooking notes", ["S. Xu"],
         "A recipe for bread, nothing about learning."),
        # A surname and initial that fit two people of the graph: ambiguous, kept apart.
        ("https://blog.example/two", "Two people", ["Y. Wu"],
         "Yuxin Wu and Yonghui Wu wrote about MoCo and translation."),
    ]
    for url, title, authors, text in pages:
        store.upsert_document({"url": url, "outcome": "ok", "kind": "html", "title": title,
                               "authors": authors, "text": text, "lang": "en"})
    store.add_paper_ref(MOCO, "https://zhuanlan.example/p/1", "text", "arXiv:1911.05722")
    store.upsert_document({"url": "https://blog.example/yonghui", "outcome": "ok",
                           "kind": "html", "title": "GNMT", "authors": ["Yonghui Wu"],
                           "text": "Neural machine translation, and MoCo for comparison.",
                           "lang": "en"})
    return store


def test_initials_and_chinese_bylines_join_the_full_name_when_the_context_fits():
    G = build_graph(_store())
    people = {n: d for n, d in G.nodes(data=True) if d["kind"] == "person"}
    assert "person:h-fan" not in people and "person:吴育昕" not in people
    fan = people["person:haoqi-fan"]
    assert fan["aliases"] == "H. Fan"
    assert people["person:yuxin-wu"]["aliases"] == "吴育昕"
    # The byline edge moved to the full name, with its evidence.
    assert G.has_edge("person:haoqi-fan", "page:https://blog.example/moco")
    assert G["person:haoqi-fan"]["page:https://blog.example/moco"]["authored"][
        "evidence"] == "byline: H. Fan"
    assert G.has_edge("person:yuxin-wu", "page:https://zhuanlan.example/p/1")
    # No shared context, or two candidates: separate people.
    assert {"person:s-xu", "person:y-wu"} <= set(people)


def test_the_rules_on_their_own():
    assert initial_key("Fan, H.") == ("fan", "h") and initial_key("Haoqi Fan") is None
    assert romanized("吴育昕") == "yuxin wu" and romanized("司马光") == "guang sima"
    names = {"person:k-he": "K. He", "person:kaiming-he": "Kaiming He",
             "person:kai-he": "Kai He"}
    everywhere = {n: {"page:x"} for n in names}
    assert merge_people(names, everywhere) == {}          # Kaiming or Kai: not said
    assert merge_people({"person:kaiming-he": "Kaiming He", "person:kai-he": "Kai He"},
                        everywhere) == {}                 # full names never merge here
