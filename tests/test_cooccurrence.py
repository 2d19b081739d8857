"""related_to: entities that sentences of two or more documents name together; origin=text
on the relations the crawled text states."""

from __future__ import annotations

import pytest

from graph.build import link_document
from graph.cooccurrence import MAX_TOGETHER, count_pairs, related_pairs
from graph.vocabulary import load_vocabulary
from tests import graph_fixtures as fx


@pytest.fixture(scope="module")
def vocab():
    return load_vocabulary()


@pytest.fixture(scope="module")
def G(tmp_path_factory):
    return fx.build_fixture_graph(tmp_path_factory.mktemp("crawl"))


def _pairs(text, vocab):
    return [(a, b) for a, b, _ in link_document(text, vocab)[2]]


def test_a_pair_is_named_in_one_sentence(vocab):
    text = "Mask R-CNN extends Faster R-CNN. YOLO is a one-stage detector."
    assert link_document(text, vocab)[2] == [
        ("method:faster-r-cnn", "method:mask-r-cnn", "Mask R-CNN extends Faster R-CNN.")]


def test_names_in_different_sentences_are_no_pair(vocab):
    assert _pairs("Faster R-CNN is a detector. ResNet is a backbone.", vocab) == []


def test_a_list_of_names_is_no_statement_about_any_two(vocab):
    listing = "We compare R-CNN, Fast R-CNN, Faster R-CNN, Mask R-CNN, YOLO and SSD."
    assert len({eid for eid, _, _ in link_document(listing, vocab)[0]}) > MAX_TOGETHER
    assert _pairs(listing, vocab) == []
    five = "R-CNN, Fast R-CNN, Faster R-CNN, Mask R-CNN and YOLO are detectors."
    assert len(_pairs(five, vocab)) == 10  # 5 names: still a statement, every pair


def test_a_pair_repeated_in_one_document_counts_once(vocab):
    text = "Mask R-CNN extends Faster R-CNN. Faster R-CNN came before Mask R-CNN."
    pairs = link_document(text, vocab)[2]
    assert pairs == [("method:faster-r-cnn", "method:mask-r-cnn",
                      "Mask R-CNN extends Faster R-CNN.")]
    together = {}
    count_pairs(together, pairs, "https://a.example/")
    assert list(related_pairs(together)) == []  # one document is not enough


def test_two_documents_make_an_edge_weighted_by_documents():
    together = {}
    count_pairs(together, [("a", "b", "A and B.")], "https://one.example/")
    count_pairs(together, [("a", "b", "B beats A."), ("a", "c", "A or C.")],
                "https://two.example/")
    count_pairs(together, [("a", "b", "A, then B.")], "https://three.example/")
    assert list(related_pairs(together)) == [
        ("a", "b", 3, [("A and B.", "https://one.example/"),
                       ("B beats A.", "https://two.example/"),
                       ("A, then B.", "https://three.example/")])]
    assert [row[:3] for row in related_pairs(together, min_documents=1)] == [
        ("a", "b", 3), ("a", "c", 1)]


def test_related_to_edges_of_the_test_crawl(G):
    related = {(u, v): d for u, v, k, d in G.edges(keys=True, data=True) if k == "related_to"}
    assert len(related) == 16
    edge = related[("method:faster-r-cnn", "method:mask-r-cnn")]
    # Three documents: the Mask R-CNN abstract and two pages.
    assert edge["weight"] == 3.0 and edge["origin"] == "text"
    assert edge["evidence"].startswith("Mask R-CNN extends Faster R-CNN by adding a branch")
    assert len({edge["source"], edge["source_2"], edge["source_3"]}) == 3
    people = related[("person:kaiming-he", "person:ross-girshick")]
    assert people["weight"] == 2.0
    for (u, v), d in related.items():
        assert u < v and d["weight"] >= 2 and d["evidence"] and d["source"] != "vocabulary"
        assert d["rel"] == "related_to"
        assert G.nodes[u]["kind"] in ("method", "topic", "person")
        assert G.nodes[v]["kind"] in ("method", "topic", "person")


def test_relations_the_text_states_say_so(G):
    stated = [(u, v, d) for u, v, k, d in G.edges(keys=True, data=True)
              if k == "evolved_from" and d.get("origin") == "text"]
    assert stated, "the fixture's pages state lineages"
    for u, v, d in stated:
        sources = [d[k] for k in d if k.startswith("source")]
        assert any(s != "vocabulary" for s in sources)
    # What only the vocabulary says carries no text origin.
    only_vocabulary = [d for _, _, k, d in G.edges(keys=True, data=True)
                       if k == "evolved_from" and d.get("source") == "vocabulary"
                       and "source_2" not in d]
    assert only_vocabulary and all("origin" not in d for d in only_vocabulary)
