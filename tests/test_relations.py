"""Method-to-method relations the crawled text states ("X builds on Y", "基于Y的X"), as
evolved_from edges with their sentence, and the sentences that must state nothing."""

from __future__ import annotations

import pytest

from graph.build import build_graph, link_document
from graph.store import Store
from graph.vocabulary import load_vocabulary


@pytest.fixture(scope="module")
def vocab():
    return load_vocabulary()


@pytest.mark.parametrize("text, expected", [
    ("YOLO builds on GoogLeNet.", [("method:yolo", "method:googlenet")]),
    ("Mask R-CNN extends Faster R-CNN by adding a mask branch.",
     [("method:mask-r-cnn", "method:faster-r-cnn")]),
    ("ResNeXt is based on ResNet.", [("method:resnext", "method:resnet")]),
    ("SSD, which improves on YOLO, is fast.", [("method:ssd", "method:yolo")]),
    ("YOLO基于GoogLeNet。", [("method:yolo", "method:googlenet")]),
    ("基于ResNet的Mask R-CNN效果很好。", [("method:mask-r-cnn", "method:resnet")]),
    ("Faster R-CNN在Fast R-CNN的基础上加入了RPN。",
     [("method:faster-r-cnn", "method:fast-r-cnn")]),
])
def test_a_sentence_that_says_one_method_builds_on_another(vocab, text, expected):
    relations = link_document(text, vocab)[1]
    assert [(a, b) for a, b, _ in relations] == expected
    assert all(sentence == text for *_, sentence in relations)


@pytest.mark.parametrize("text", [
    "YOLO and GoogLeNet are both fast.",             # no cue
    "YOLO is faster than GoogLeNet.",                # a comparison, not a lineage
    "GoogLeNet builds on YOLO.",                     # GoogLeNet (2014) predates YOLO (2015)
    "R-CNN builds on Fast R-CNN.",                   # the vocabulary says the reverse
    "YOLO builds on ideas. GoogLeNet is deep.",      # two sentences
    "ResNet builds on ResNet blocks.",               # one method
])
def test_sentences_that_state_no_relation(vocab, text):
    assert link_document(text, vocab)[1] == []


def test_a_stated_relation_becomes_an_evolved_from_edge_with_its_sentence(vocab):
    store = Store(":memory:")
    url = "https://blog.example.com/yolo"
    store.upsert_document({"url": url, "outcome": "ok", "kind": "html", "title": "YOLO notes",
                           "text": "Our detector is YOLO. YOLO builds on GoogLeNet, with 24"
                                   " convolutional layers.", "lang": "en"})
    G = build_graph(store, vocab, workers=0)
    edge = G.edges["method:yolo", "method:googlenet", "evolved_from"]
    assert edge["source"] == url
    assert edge["evidence"] == "YOLO builds on GoogLeNet, with 24 convolutional layers."
    # The vocabulary's own lineage is still there beside it.
    assert G.has_edge("method:googlenet", "method:network-in-network", "evolved_from")


def test_module_examples():
    import doctest

    from graph import build, relations

    for module in (relations, build):
        result = doctest.testmod(module)
        assert result.failed == 0 and result.attempted > 0, module.__name__
