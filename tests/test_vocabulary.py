"""The bundled vocabulary: size, consistency, the facts it must hold, and clear errors."""

from __future__ import annotations

import re

import pytest

from graph.vocabulary import (
    DEFAULT_PATH,
    Entity,
    VocabularyError,
    alias_key,
    load_vocabulary,
    normalize_person_name,
    parse_vocabulary,
    slugify,
    strip_accents,
)


@pytest.fixture(scope="module")
def vocab():
    return load_vocabulary()


def test_loads_with_enough_entries(vocab):
    methods, topics, people = vocab.methods, vocab.topics, vocab.people
    print(f"\nvocabulary: {len(methods)} methods, {len(topics)} topics, {len(people)} people")
    assert len(methods) + len(topics) >= 120
    assert len(topics) >= 20
    assert len(people) >= 60
    assert all(isinstance(e, Entity) for e in vocab)


def test_ids_are_prefixed_slugs(vocab):
    for e in vocab:
        kind, slug = e.id.split(":", 1)
        assert kind == e.kind and kind in ("method", "topic", "person")
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", slug), e.id
        assert e.label and e.aliases[0] == e.label


def test_no_alias_is_shared_by_two_entities(vocab):
    owners: dict[str, str] = {}
    for e in vocab:
        for alias in e.aliases:
            owner = owners.setdefault(alias_key(alias), e.id)
            assert owner == e.id, f"{alias!r} names both {owner} and {e.id}"


def test_every_relation_target_exists_with_the_right_kind(vocab):
    for e in vocab:
        for target in e.evolved_from:
            assert vocab[target].kind == "method", (e.id, target)
        for target in e.part_of:
            assert vocab[target].kind == "topic", (e.id, target)
        for target in e.introduced_by:
            assert vocab[target].kind == "person", (e.id, target)
        for target in e.works_on:
            assert vocab[target].kind in ("method", "topic"), (e.id, target)
    for rel in vocab.relations():
        assert rel["source"] == "vocabulary" and rel["evidence"] and rel["weight"] == 1.0
        if rel["rel"] == "introduces":
            assert rel["src"].startswith("paper:arXiv:")
        else:
            assert rel["src"] in vocab
        assert rel["dst"] in vocab


def test_every_method_belongs_to_a_topic(vocab):
    assert [m.id for m in vocab.methods if not m.part_of] == []


def test_topic_hierarchy_has_no_cycles(vocab):
    def ancestors(eid, seen=()):
        for parent in vocab[eid].part_of:
            assert parent not in seen, f"cycle through {parent}"
            ancestors(parent, (*seen, parent))
    for e in vocab:
        ancestors(e.id, (e.id,))


def test_evolution_has_no_cycles(vocab):
    def walk(eid, path):
        for parent in vocab[eid].evolved_from:
            assert parent not in path, f"evolved_from cycle: {path + [parent]}"
            walk(parent, path + [parent])
    for m in vocab.methods:
        walk(m.id, [m.id])


# arXiv ids of the papers the reading list points to (shared/facts/arxiv-papers.json) and
# others that are certain.
KNOWN_ARXIV = {
    "R-CNN": "1311.2524", "Fast R-CNN": "1504.08083", "Faster R-CNN": "1506.01497",
    "Mask R-CNN": "1703.06870", "YOLO": "1506.02640", "SSD": "1512.02325",
    "ResNet": "1512.03385", "GoogLeNet": "1409.4842", "Batch Normalization": "1502.03167",
    "Capsule Network": "1710.09829", "NASNet": "1707.07012", "ShuffleNet": "1707.01083",
    "VGG": "1409.1556", "DenseNet": "1608.06993", "Adam": "1412.6980", "DCGAN": "1511.06434",
    "GAN": "1406.2661", "FPN": "1612.03144", "SPP-Net": "1406.4729", "YOLOv3": "1804.02767",
    "RetinaNet": "1708.02002", "MobileNet": "1704.04861", "Xception": "1610.02357",
}


@pytest.mark.parametrize("name,arxiv_id", sorted(KNOWN_ARXIV.items()))
def test_arxiv_ids_of_introducing_papers(vocab, name, arxiv_id):
    entity = vocab.lookup(name)
    assert entity is not None, name
    assert entity.arxiv_id == arxiv_id


def test_introduced_by_matches_the_papers_authors(vocab):
    assert set(vocab["method:faster-r-cnn"].introduced_by) == {
        "person:shaoqing-ren", "person:kaiming-he", "person:ross-girshick", "person:jian-sun"}
    assert set(vocab["method:r-cnn"].introduced_by) == {
        "person:ross-girshick", "person:jeff-donahue", "person:trevor-darrell",
        "person:jitendra-malik"}
    assert set(vocab["method:capsule-network"].introduced_by) == {
        "person:sara-sabour", "person:nicholas-frosst", "person:geoffrey-hinton"}


REQUIRED_METHODS = """
LeNet AlexNet ZFNet VGG GoogLeNet ResNet ResNeXt DenseNet Xception MobileNet ShuffleNet
SqueezeNet NASNet SENet EfficientNet
Inception v2|Inception v3|Inception v4|Inception-ResNet
R-CNN|Fast R-CNN|Faster R-CNN|Mask R-CNN|SPP-Net|YOLO|YOLOv2|YOLOv3|SSD|FPN|RPN|RetinaNet
RoI pooling|RoI Align|NMS|selective search|anchor boxes|IoU|bounding-box regression
convolution|1x1 convolution|dilated convolution|depthwise separable convolution|pooling
max pooling|batch normalization|dropout|ReLU|softmax|residual connection|backpropagation
SGD|momentum|Nesterov|AdaGrad|RMSProp|Adam
GAN|DCGAN|WGAN|conditional GAN|CycleGAN|VAE|autoencoder|capsule network|dynamic routing
MDP|Bellman equation|value iteration|policy iteration|Q-learning|SARSA|DQN|policy gradient
REINFORCE|actor-critic|A3C|Monte Carlo methods|TD learning
TensorFlow|PyTorch|Keras|Caffe|autograd|computational graph|tensor storage|CUDA
"""

REQUIRED_TOPICS = """
supervised learning|unsupervised learning|self-supervised learning|few-shot learning
transfer learning|generalization|meta-learning|object detection|image classification
semantic segmentation|computer vision|deep learning|reinforcement learning
generative models|CNN architectures|optimization|deep learning frameworks
"""


def _names(block: str) -> list[str]:
    return [n.strip() for line in block.strip().splitlines()
            for n in (line.split("|") if "|" in line else line.split()) if n.strip()]


@pytest.mark.parametrize("name", _names(REQUIRED_METHODS))
def test_required_methods_are_there(vocab, name):
    entity = vocab.lookup(name)
    assert entity is not None and entity.kind == "method", name


@pytest.mark.parametrize("name", _names(REQUIRED_TOPICS))
def test_required_topics_are_there(vocab, name):
    entity = vocab.lookup(name)
    assert entity is not None and entity.kind == "topic", name


@pytest.mark.parametrize("alias,entity_id", [
    ("卷积神经网络", "method:cnn"), ("目标检测", "topic:object-detection"),
    ("残差网络", "method:resnet"), ("强化学习", "topic:reinforcement-learning"),
    ("小样本学习", "topic:few-shot-learning"), ("泛化", "topic:generalization"),
    ("自监督学习", "topic:self-supervised-learning"), ("生成对抗网络", "method:gan"),
    ("胶囊网络", "method:capsule-network"), ("批归一化", "method:batch-normalization"),
    ("RCNN", "method:r-cnn"), ("Faster RCNN", "method:faster-r-cnn"), ("CNNs", None),
])
def test_chinese_and_abbreviated_aliases(vocab, alias, entity_id):
    entity = vocab.lookup(alias)
    assert (entity.id if entity else None) == entity_id


REQUIRED_PEOPLE = {
    "person:kaiming-he": ["Kaiming He", "He Kaiming", "何恺明"],
    "person:yann-lecun": ["Yann LeCun", "Yann Lecun", "杨立昆"],
    "person:andrew-ng": ["Andrew Ng", "吴恩达"],
    "person:ross-girshick": ["Ross Girshick"],
    "person:geoffrey-hinton": ["Geoffrey Hinton", "Geoffrey E. Hinton", "辛顿"],
    "person:jian-sun": ["Jian Sun", "孙剑"],
    "person:shaoqing-ren": ["Shaoqing Ren", "任少卿"],
    "person:xiangyu-zhang": ["Xiangyu Zhang", "张祥雨"],
    "person:fei-fei-li": ["Fei-Fei Li", "李飞飞"],
    "person:piotr-dollar": ["Piotr Dollár", "Piotr Dollar"],
    "person:quoc-le": ["Quoc V. Le", "Quoc Le"],
}


@pytest.mark.parametrize("person_id,names", sorted(REQUIRED_PEOPLE.items()))
def test_people_by_every_spelling(vocab, person_id, names):
    for name in names:
        assert vocab.person_by_name(name) is vocab[person_id], name


def test_people_named_by_the_list_are_there(vocab):
    names = ["Yoshua Bengio", "Ian Goodfellow", "Christian Szegedy", "Joseph Redmon",
             "Ali Farhadi", "Jitendra Malik", "Trevor Darrell", "Jeff Donahue",
             "Georgia Gkioxari", "Wei Liu", "Sergey Ioffe", "Sara Sabour", "Nicholas Frosst",
             "Barret Zoph", "Alex Krizhevsky", "Ilya Sutskever", "Karen Simonyan",
             "Andrew Zisserman", "Richard Sutton", "David Silver", "Volodymyr Mnih",
             "Diederik Kingma", "Andrej Karpathy", "Justin Johnson", "Lilian Weng",
             "Jessica Yung", "Christian Perone", "Svetlana Lazebnik"]
    missing = [n for n in names if vocab.person_by_name(n) is None]
    assert missing == []


def test_people_fields(vocab):
    he = vocab["person:kaiming-he"]
    assert he.chinese_name == "何恺明" and he.surname == "He"
    assert "method:resnet" in he.works_on and "Facebook AI Research" in he.affiliation
    assert vocab["person:andrew-ng"].surname == "Ng"
    assert vocab["person:laurens-van-der-maaten"].surname == "van der Maaten"


def test_relations_in_graph_shape(vocab):
    rels = {(r["src"], r["rel"], r["dst"]) for r in vocab.relations()}
    assert ("method:fast-r-cnn", "evolved_from", "method:r-cnn") in rels
    assert ("method:yolo", "part_of", "topic:object-detection") in rels
    assert ("paper:arXiv:1506.01497", "introduces", "method:faster-r-cnn") in rels
    assert ("person:kaiming-he", "works_on", "method:resnet") in rels


def test_default_load_is_cached():
    assert load_vocabulary() is load_vocabulary(DEFAULT_PATH)


# -- names and slugs ---------------------------------------------------------------------

@pytest.mark.parametrize("a,b", [
    ("He Kaiming", "Kaiming He"), ("Piotr Dollár", "Piotr Dollar"),
    ("Geoffrey E. Hinton", "Geoffrey Hinton"), ("Yann Lecun", "Yann LeCun"),
    ("LeCun, Yann", "Yann LeCun"), ("Jeff  Donahue", "jeff donahue"),
    ("Li Fei-Fei", "Fei-Fei Li"), ("Dr. Andrew Ng", "Andrew Ng"),
    ("Christopher J. C. H. Watkins", "Christopher Watkins"),
])
def test_normalize_person_name_equal(a, b):
    assert normalize_person_name(a) == normalize_person_name(b)


@pytest.mark.parametrize("a,b", [("Wei Liu", "Zhuang Liu"), ("Kaiming He", "Kaiming Hu")])
def test_normalize_person_name_different(a, b):
    assert normalize_person_name(a) != normalize_person_name(b)


def test_slugify_and_accents():
    assert slugify("Faster R-CNN") == "faster-r-cnn"
    assert slugify("  Jürgen   Schmidhuber ") == "jurgen-schmidhuber"
    assert slugify("何恺明") == "何恺明"
    assert strip_accents("Dollár Łukasz") == "Dollar Lukasz"


# -- validation --------------------------------------------------------------------------

GOOD = """
concepts:
- {id: object-detection, name: Object detection, kind: topic, zh: [目标检测]}
- {id: r-cnn, name: R-CNN, kind: method, arxiv: "1311.2524", part_of: [object-detection],
   introduced_by: [ross-girshick]}
- {id: fast-r-cnn, name: Fast R-CNN, kind: method, evolved_from: [r-cnn],
   part_of: [topic:object-detection]}
people:
- {id: ross-girshick, name: Ross Girshick, works_on: [r-cnn, object-detection]}
"""


def test_small_vocabulary_parses():
    v = parse_vocabulary(GOOD, "small.yaml")
    assert v["method:fast-r-cnn"].evolved_from == ("method:r-cnn",)
    assert v["method:fast-r-cnn"].part_of == ("topic:object-detection",)
    assert v["person:ross-girshick"].works_on == ("method:r-cnn", "topic:object-detection")
    assert v.lookup("目标检测").id == "topic:object-detection"


@pytest.mark.parametrize("change,message", [
    (("evolved_from: [r-cnn]", "evolved_from: [rcnn]"),
     r"concepts\[3\] 'fast-r-cnn': evolved_from target 'rcnn' is not defined"),
    (("part_of: [object-detection],", "part_of: [r-cnn],"),
     r"'r-cnn': part_of target 'r-cnn' must be a topic|'r-cnn': part_of points to itself"),
    (("introduced_by: [ross-girshick]", "introduced_by: [kaiming-he]"),
     r"'r-cnn': introduced_by target 'kaiming-he' is not defined"),
    (("kind: topic", "kind: subject"),
     r"'object-detection': kind 'subject' must be 'method' or 'topic'"),
    (("id: fast-r-cnn", "id: r-cnn"), r"'r-cnn': duplicate id"),
    (("name: Fast R-CNN", "name: Fast R-CNN, aliases: [R-CNN]"),
     r"alias clash: 'R-CNN' of method:fast-r-cnn is already an alias of method:r-cnn"),
    (('arxiv: "1311.2524"', "arxiv: 1311.25"), r"'r-cnn': arxiv '1311.25' is not"),
    (("kind: method, evolved_from", "kind: method, evolve_from"),
     r"'fast-r-cnn': unknown field\(s\) evolve_from"),
    (("id: ross-girshick", "id: Ross Girshick"), r"people\[1\].*id must be a slug"),
])
def test_validation_errors_name_the_entry(change, message):
    text = GOOD.replace(*change)
    assert text != GOOD
    with pytest.raises(VocabularyError, match=message):
        parse_vocabulary(text, "bad.yaml")


def test_every_problem_is_reported_at_once():
    text = GOOD.replace("evolved_from: [r-cnn]", "evolved_from: [nope]").replace(
        "kind: topic", "kind: thing")
    with pytest.raises(VocabularyError) as info:
        parse_vocabulary(text, "bad.yaml")
    message = str(info.value)
    assert message.startswith("bad.yaml: ") and "'nope'" in message and "'thing'" in message


def test_unreadable_and_malformed_files(tmp_path):
    with pytest.raises(VocabularyError, match="cannot read"):
        load_vocabulary(tmp_path / "missing.yaml")
    broken = tmp_path / "broken.yaml"
    broken.write_text("concepts: [\n", encoding="utf-8")
    with pytest.raises(VocabularyError, match="not valid YAML"):
        load_vocabulary(broken)
    good = tmp_path / "good.yaml"
    good.write_text(GOOD, encoding="utf-8")
    assert len(load_vocabulary(good)) == 4
