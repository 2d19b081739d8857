"""Entity linking: a gold set (precision/recall), the traps, headings, people, the reading
list's own relations, and speed."""

from __future__ import annotations

import random
import time
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from graph.linking import (
    Mention,
    _matcher,
    link_entities,
    link_heading,
    reading_list_relations,
    resolve_person,
    resolve_person_entity,
)
from graph.vocabulary import load_vocabulary

HERE = Path(__file__).resolve().parent
READING_LIST = HERE.parent / "crawler" / "reading-list.txt"
GOLD = yaml.safe_load((HERE / "fixtures" / "linking_gold.yaml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def vocab():
    return load_vocabulary()


def ids(text, vocab, **kw):
    return [m.entity_id for m in link_entities(text, vocab, **kw)]


def _is_chinese(text: str) -> bool:
    return any("\u4e00" <= c <= "\u9fff" for c in text)


# -- the gold set ------------------------------------------------------------------------

def test_gold_set_is_big_enough_and_half_chinese():
    sentences = GOLD["sentences"]
    chinese = [s for s in sentences if _is_chinese(s["text"])]
    assert len(sentences) >= 30
    assert len(chinese) * 2 >= len(sentences)


def test_gold_entities_exist(vocab):
    for s in GOLD["sentences"]:
        for eid in [*s["expected"], *s.get("context", [])]:
            assert eid in vocab, eid


def test_precision_and_recall_on_gold_set(vocab):
    totals = {"all": [0, 0, 0], "en": [0, 0, 0], "zh": [0, 0, 0]}
    errors = []
    for s in GOLD["sentences"]:
        got = set(ids(s["text"], vocab, context_entities=frozenset(s.get("context", []))))
        expected = set(s["expected"])
        tp, fp, fn = len(got & expected), len(got - expected), len(expected - got)
        for key in ("all", "zh" if _is_chinese(s["text"]) else "en"):
            totals[key][0] += tp
            totals[key][1] += fp
            totals[key][2] += fn
        if got != expected:
            errors.append(f"{s['text'][:50]!r}: extra {sorted(got - expected)}, "
                          f"missing {sorted(expected - got)}")
    report = {}
    for key, (tp, fp, fn) in totals.items():
        report[key] = (tp / (tp + fp) if tp + fp else 1.0, tp / (tp + fn) if tp + fn else 1.0)
        print(f"\nlinking gold [{key}]: precision {report[key][0]:.3f} "
              f"recall {report[key][1]:.3f} (tp {tp}, fp {fp}, fn {fn})", end="")
    print("\n" + "\n".join(errors))
    precision, recall = report["all"]
    assert precision >= 0.95, errors
    assert recall >= 0.90, errors


def test_mentions_point_into_the_original_text(vocab):
    for s in GOLD["sentences"]:
        text = "前言。 " + s["text"] + "\n后记 and more."
        for m in link_entities(text, vocab, context_entities=frozenset(s.get("context", []))):
            assert isinstance(m, Mention)
            assert text[m.start:m.end] == m.surface
            assert m.surface in m.sentence and len(m.sentence) <= 300
            assert "后记" not in m.sentence and "前言" not in m.sentence


# -- the traps ---------------------------------------------------------------------------

def test_pronoun_he_is_not_kaiming_he(vocab):
    assert ids("He proposed a deeper network. He was right.", vocab) == []
    assert ids("He proposed it.", vocab, context_entities=frozenset({"person:kaiming-he"})) == []
    assert ids("as shown by He et al. and by Kaiming He", vocab) == ["person:kaiming-he"]
    with_context = ids("as shown by He et al.", vocab,
                       context_entities=frozenset({"person:kaiming-he"}))
    assert with_context == ["person:kaiming-he"]


def test_ng_in_training_is_not_andrew_ng(vocab):
    assert ids("training, tuning and testing with ng-style templates", vocab) == []
    assert ids("Andrew Ng and 吴恩达", vocab) == ["person:andrew-ng", "person:andrew-ng"]
    assert ids("Ng said so", vocab) == []
    assert ids("see Ng (2004)", vocab, context_entities=frozenset({"person:andrew-ng"})) == [
        "person:andrew-ng"]


def test_longest_match_without_overlap(vocab):
    mentions = link_entities("Faster R-CNN builds on Fast R-CNN and R-CNN.", vocab)
    assert [(m.surface, m.entity_id) for m in mentions] == [
        ("Faster R-CNN", "method:faster-r-cnn"), ("Fast R-CNN", "method:fast-r-cnn"),
        ("R-CNN", "method:r-cnn")]
    assert ids("self-supervised learning vs supervised learning", vocab) == [
        "topic:self-supervised-learning", "topic:supervised-learning"]
    assert ids("自监督学习和无监督学习", vocab) == [
        "topic:self-supervised-learning", "topic:unsupervised-learning"]


@pytest.mark.parametrize("text,expected", [
    ("R-CNN系列", ["method:r-cnn"]),
    ("何恺明的ResNet", ["person:kaiming-he", "method:resnet"]),
    ("RCNN and Fast RCNN", ["method:r-cnn", "method:fast-r-cnn"]),
    ("Resnet, resnet, RESNET and ResNets", ["method:resnet"] * 4),
    ("googLeNet比较好的介绍", ["method:googlenet"]),
    ("Yolo, YOLO and yolo", ["method:yolo"] * 3),
    ("From resnet to nasnet", ["method:resnet", "method:nasnet"]),
    ("CNNs and GANs", ["method:cnn", "method:gan"]),
    ("ResNet-50, VGG16, DenseNet121 and SSD300", ["method:resnet", "method:vgg",
                                                  "method:densenet", "method:ssd"]),
    ("YOLOv3 and YOLO9000", ["method:yolov3", "method:yolov2"]),
    ("faster_rcnn.py", ["method:faster-r-cnn"]),
    ("the gan of an organ", []),
    ("since its inception", []),
    ("the map and mAP", ["method:mean-average-precision"]),
    ("Adams and Adam", ["method:adam"]),
    ("reinforce the REINFORCE estimator", ["method:reinforce"]),
    ("Piotr Dollár = Piotr Dollar, but a Dollar is money", ["person:piotr-dollar"] * 2),
    ("Geoffrey E. Hinton, 辛顿 and Hinton's capsules", ["person:geoffrey-hinton"] * 3
     + ["method:capsule-network"]),
    ("孙剑、任少卿和张祥雨",
     ["person:jian-sun", "person:shaoqing-ren", "person:xiangyu-zhang"]),
    ("The sun rose. Li and Zhang left.", []),
    ("conv2d and resnet_block", ["method:resnet"]),
])
def test_surface_forms(vocab, text, expected):
    assert ids(text, vocab) == expected


def test_sentence_is_the_one_containing_the_mention(vocab):
    text = "First we read. Then YOLO runs fast! 然后是Faster R-CNN。最后"
    sentences = {m.surface: m.sentence for m in link_entities(text, vocab)}
    assert sentences == {"YOLO": "Then YOLO runs fast!", "Faster R-CNN": "然后是Faster R-CNN。"}
    long = "word " * 200 + "ResNet" + " word" * 200
    (m,) = link_entities(long, vocab)
    assert len(m.sentence) <= 300 and "ResNet" in m.sentence


def test_matcher_is_built_once_per_vocabulary(vocab):
    assert _matcher(vocab) is _matcher(vocab)
    assert _matcher(load_vocabulary()) is _matcher(vocab)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(
    ["Faster R-CNN", "R-CNN", "RCNN", "He", "Kaiming", "何恺明", "的", "系列", "ResNet", "-",
     "GANs", "gan", " ", "  ", "\n", "。", ".", "training", "Ng", "自监督学习",
     "监督学习",
     "Yolo", "s", "50", "_", "（", "）"]), max_size=30))
def test_mentions_never_overlap_and_match_the_text(vocab, parts):
    text = "".join(parts)
    mentions = link_entities(text, vocab, context_entities=frozenset({"person:kaiming-he"}))
    previous_end = 0
    for m in mentions:
        assert text[m.start:m.end] == m.surface and m.start >= previous_end
        previous_end = m.end
    for m in link_heading(text, vocab):
        assert text[m.start:m.end] == m.surface


# -- headings ----------------------------------------------------------------------------

@pytest.mark.parametrize("heading,expected", [
    ("REINFOCEMENT-Learning", ["topic:reinforcement-learning"]),
    ("From resnet to nasnet", ["method:resnet", "method:nasnet"]),
    ("RCNN", ["method:r-cnn"]),
    ("Object Detection", ["topic:object-detection"]),
    ("PyTorch internal", ["method:pytorch"]),
    (" 小样本/泛化       Ng", ["topic:few-shot-learning", "topic:generalization",
                            "person:andrew-ng"]),
    ("self-supervised  Yann Lecun", ["topic:self-supervised-learning", "person:yann-lecun"]),
    ("excellent review on CNN arch", ["topic:cnn-architectures"]),
    ("Ross Girshick from facebook （RCNN+Yolo） + He Kaiming (ResNet + RCNN) etc",
     ["person:ross-girshick", "method:r-cnn", "method:yolo", "person:kaiming-he",
      "method:resnet", "method:r-cnn"]),
    ("Genrative Adversarial Networks", ["method:gan"]),
    ("面试的问题，可以作为一个指导", []),
    ("He said so", []),
    ("Resnt", []),  # too short to guess
])
def test_link_heading(vocab, heading, expected):
    assert [m.entity_id for m in link_heading(heading, vocab)] == expected


def test_fuzzy_heading_mention_keeps_offsets(vocab):
    (m,) = link_heading("## REINFOCEMENT-Learning notes", vocab)
    assert m.surface == "REINFOCEMENT-Learning" and m.start == 3


# -- people ------------------------------------------------------------------------------

@pytest.mark.parametrize("names,expected", [
    (["Kaiming He", "He Kaiming", "何恺明", "kaiming he", "Kai-Ming He"], "person:kaiming-he"),
    (["Yann Lecun", "Yann LeCun", "LeCun, Yann", "杨立昆"], "person:yann-lecun"),
    (["Geoffrey E. Hinton", "Geoffrey Hinton", "Geoff Hinton"], "person:geoffrey-hinton"),
    (["Piotr Dollár", "Piotr Dollar", "piotr dollar"], "person:piotr-dollar"),
    (["Jeff  Donahue", "jeff donahue"], "person:jeff-donahue"),
    (["Antonio  Torralba", "antonio torralba", "Torralba, Antonio"], "person:antonio-torralba"),
    (["Zhang  San", "San Zhang"], "person:san-zhang"),
])
def test_resolve_person(vocab, names, expected):
    assert {resolve_person(n, vocab) for n in names} == {expected}


def test_resolve_person_entity_says_whether_known(vocab):
    node, entity = resolve_person_entity("He Kaiming", vocab)
    assert node == "person:kaiming-he" and entity is vocab["person:kaiming-he"]
    assert resolve_person_entity("Antonia  Smithee", vocab) == ("person:antonia-smithee", None)
    assert resolve_person_entity("", vocab) == ("", None)
    assert resolve_person_entity("...", vocab) == ("", None)


# -- the reading list's own relations ----------------------------------------------------

def _line(n: int) -> str:
    return READING_LIST.read_text(encoding="utf-8").splitlines()[n - 1].strip()


def _hand_built():
    """Seeds and hints of lines 6-7, 37-46, 52-53 as the reading-list parser stores them."""
    seeds = [
        {"line": n, "url": url, "heading": "RCNN", "heading_line": 37, "notes": [],
         "note_lines": []}
        for n, url in [(38, "https://mohitjain.me/2018/03/20/faster-r-cnn/"),
                       (39, "https://cv-tricks.com/object-detection/faster-r-cnn-yolo-ssd/"),
                       (40, "https://lilianweng.github.io/lil-log/2017/12/31/"
                            "object-recognition-for-dummies-part-3.html"),
                       (41, "https://blog.csdn.net/gentelyang/article/details/80469553"),
                       (42, "https://imlogm.github.io/%E6%B7%B1%E5%BA%A6%E5%AD%A6%E4%B9%A0/rcnn/")]
    ]
    seeds += [
        {"line": n, "url": url, "heading": "REINFOCEMENT-Learning", "heading_line": 44,
         "notes": [], "note_lines": []}
        for n, url in [(45, "https://mpatacchiola.github.io/blog/2016/12/09/"
                            "dissecting-reinforcement-learning.html"),
                       (46, "https://skymind.ai/wiki/deep-reinforcement-learning")]
    ]
    seeds.append({"line": 53, "url": "http://www.rossgirshick.info/", "heading": _line(52),
                  "heading_line": 52, "notes": [], "note_lines": []})
    seeds.append({"line": 28, "url": "https://www.cnblogs.com/skyfsm/p/6806246.html",
                  "heading": None, "heading_line": None, "notes": ["R-CNN系列"],
                  "note_lines": [28]})
    hints = [{"line": 6, "text": _line(6), "kind": "hint"},
             {"line": 7, "text": _line(7), "kind": "hint"},
             {"line": 52, "text": _line(52), "kind": "heading"}]
    return seeds, hints


EXPECTED_WORKS_ON = {
    ("person:yann-lecun", "topic:self-supervised-learning", "reading-list:L6"),
    ("person:andrew-ng", "topic:few-shot-learning", "reading-list:L7"),
    ("person:andrew-ng", "topic:generalization", "reading-list:L7"),
    ("person:ross-girshick", "method:r-cnn", "reading-list:L52"),
    ("person:ross-girshick", "method:yolo", "reading-list:L52"),
    ("person:kaiming-he", "method:resnet", "reading-list:L52"),
    ("person:kaiming-he", "method:r-cnn", "reading-list:L52"),
}


def _check_reading_list_edges(edges):
    for e in edges:
        assert set(e) == {"src", "dst", "rel", "source", "evidence", "weight"}
        assert e["weight"] == 1.0 and 0 < len(e["evidence"]) <= 300
        # The evidence is the heading, note or hint text of the line the source names.
        line = int(e["source"].removeprefix("reading-list:L"))
        assert e["evidence"] in _line(line)
    works_on = {(e["src"], e["dst"], e["source"]) for e in edges if e["rel"] == "works_on"}
    assert works_on == EXPECTED_WORKS_ON
    listed = {(e["src"], e["dst"], e["source"]) for e in edges if e["rel"] == "listed_under"}
    for url in ("https://mohitjain.me/2018/03/20/faster-r-cnn/",
                "https://blog.csdn.net/gentelyang/article/details/80469553"):
        assert (f"page:{url}", "method:r-cnn", "reading-list:L37") in listed
    assert ("page:https://skymind.ai/wiki/deep-reinforcement-learning",
            "topic:reinforcement-learning", "reading-list:L44") in listed
    assert ("page:https://www.cnblogs.com/skyfsm/p/6806246.html", "method:r-cnn",
            "reading-list:L28") in listed
    girshick = {dst for src, dst, _ in listed if src == "page:http://www.rossgirshick.info/"}
    assert girshick == {"method:r-cnn", "method:yolo", "method:resnet"}
    assert not any(dst.startswith("person:") for _, dst, _ in listed)
    keys = [(e["src"], e["dst"], e["rel"], e["source"]) for e in edges]
    assert len(keys) == len(set(keys))


def test_reading_list_relations_hand_built(vocab):
    seeds, hints = _hand_built()
    edges = reading_list_relations(seeds, hints, vocab)
    _check_reading_list_edges(edges)
    rcnn_pages = {e["src"] for e in edges if e["source"] == "reading-list:L37"}
    assert len(rcnn_pages) == 5
    rl = {e["src"] for e in edges if e["source"] == "reading-list:L44"}
    assert len(rl) == 2


def test_reading_list_relations_on_the_bundled_list(vocab):
    reading_list = pytest.importorskip("crawler.reading_list")
    parsed = reading_list.parse_reading_list(READING_LIST.read_text(encoding="utf-8"))
    edges = reading_list_relations([s.as_row() for s in parsed.seeds],
                                   [h.as_row() for h in parsed.hints], vocab)
    _check_reading_list_edges(edges)
    listed = {(e["src"], e["dst"]) for e in edges if e["rel"] == "listed_under"}
    assert ("page:https://www.cnblogs.com/bonelee/p/9029934.html", "method:nasnet") in listed
    assert any(dst == "topic:object-detection" for _, dst in listed)
    assert any(dst == "method:pytorch" for _, dst in listed)


def test_people_pairing_before_names(vocab):
    hints = [{"line": 3, "text": "GAN: Goodfellow; VAE: Kingma", "kind": "hint"},
             {"line": 4, "text": "no people here: ResNet", "kind": "hint"}]
    pairs = {(e["src"], e["dst"]) for e in reading_list_relations([], hints, vocab)}
    assert pairs == {("person:ian-goodfellow", "method:gan"),
                     ("person:diederik-kingma", "method:vae")}


# -- speed -------------------------------------------------------------------------------

def _corpus(size: int) -> str:
    rng = random.Random(7)
    filler = ("the model is trained on a large data set and we report results on the "
              "validation split while tuning hyper parameters for each experiment ").split()
    zh_filler = "我们在大规模数据集上训练模型并在验证集上报告结果"
    gold = [s["text"] for s in GOLD["sentences"]]
    parts: list[str] = []
    n = 0
    while n < size:
        piece = (rng.choice(gold) if rng.random() < 0.3 else
                 zh_filler[: rng.randint(5, 20)] + "。" if rng.random() < 0.4 else
                 " ".join(rng.choice(filler) for _ in range(rng.randint(8, 30))) + ".")
        parts.append(piece)
        n += len(piece) + 1
    return " ".join(parts)


def test_linking_speed(vocab):
    text = _corpus(1_000_000)
    docs = [text[i:i + 5000] for i in range(0, len(text), 5000)]
    size = sum(len(d.encode("utf-8")) for d in docs)
    link_entities("warm up", vocab)
    best = float("inf")
    count = 0
    for _ in range(3):
        start = time.perf_counter()
        count = sum(len(link_entities(d, vocab)) for d in docs)
        best = min(best, time.perf_counter() - start)
    rate = size / best / 1e6
    print(f"\nlinking speed: {rate:.2f} MB/s ({len(docs)} documents of 5 KB, "
          f"{count} mentions)")
    assert count > 1000
    assert rate > 1.0


# -- the harder gold set: real-style sentences, through the path pages take --------------
HARD_GOLD = yaml.safe_load((HERE / "fixtures" / "linking_gold_hard.yaml")
                           .read_text(encoding="utf-8"))
# Measured on this set when it was written; the test fails if linking gets worse.
HARD_FLOOR = {"precision": 0.95, "recall": 0.95}


def test_precision_and_recall_on_the_harder_gold_set(vocab):
    from graph.build import link_text

    tp = fp = fn = 0
    errors = []
    for s in HARD_GOLD["sentences"]:
        got = {eid for eid, _, _ in link_text(s["text"], vocab)}
        expected = set(s["expected"])
        tp, fp, fn = tp + len(got & expected), fp + len(got - expected), fn + len(expected - got)
        if got != expected:
            errors.append(f"{s['text'][:60]!r}: extra {sorted(got - expected)}, "
                          f"missing {sorted(expected - got)}")
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    print(f"\nharder linking gold ({len(HARD_GOLD['sentences'])} texts): precision "
          f"{precision:.3f} recall {recall:.3f} (tp {tp}, fp {fp}, fn {fn})")
    print("\n".join(errors))
    assert precision >= HARD_FLOOR["precision"] and recall >= HARD_FLOOR["recall"], errors


# -- ordinary words and names inside other names ---------------------------------------------
def test_an_ordinary_word_alias_needs_the_entity_named_another_way(vocab):
    from graph.build import link_text

    assert link_text("在小样本的情况下，数据增强很有用。", vocab) == [
        ("method:data-augmentation", 1, ["在小样本的情况下，数据增强很有用。"])]
    found = dict((eid, n) for eid, n, _ in link_text(
        "小样本学习只看几个样本。小样本的难点在于泛化。", vocab))
    assert found["topic:few-shot-learning"] == 2
    # A heading takes it as it is: the list's "小样本/泛化" is about few-shot learning.
    assert [m.entity_id for m in link_heading("小样本", vocab)] == ["topic:few-shot-learning"]


def test_a_name_inside_the_long_form_of_another_abbreviation_is_not_linked(vocab):
    from graph.build import link_text

    assert link_heading("Graph Convolutional Networks (GCN)", vocab) == []
    text = "Graph Convolutional Networks (GCN) pass messages. Convolutional networks see pixels."
    assert link_text(text, vocab) == [("method:cnn", 1, ["Convolutional networks see pixels."])]
