"""Concepts the graph learns from what it reads, beyond the vocabulary: pure functions.

- :func:`acronym_definitions`: "momentum contrast (MoCo)", "MoCo (momentum contrast)",
  "残差网络（ResNet）", "ResNet（残差网络）", found in the manner of Schwartz and Hearst
  (2003): the short form's letters, in order, start words of the long form.
- :func:`introduced_methods`: what a paper presents, from its title ("VICReg: Variance-
  Invariance-...", "Barlow Twins: ...") and from its abstract's "we present / propose /
  introduce ..." sentences (English) and "我们提出了..." (Chinese), each with its sentence.
- :func:`learn_concepts`: those of every paper, merged with the vocabulary where an alias
  matches (a learned "Faster R-CNN" is the vocabulary's node), as entities to link with.

Precision over recall: an acronym becomes a method only when its long form ends like a
method ("... network", "... learning", "... contrast") or a paper says it proposes it;
"graphics processing unit (GPU)", "mean absolute error (MAE)" and "solid-state drives
(SSDs)" never become methods.

>>> [(d.short, d.long) for d in acronym_definitions("We present Momentum Contrast (MoCo) for learning.")]
[('MoCo', 'Momentum Contrast')]
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Iterable

from graph.vocabulary import Entity, Vocabulary, alias_key, extend_vocabulary

# Last words of a long form that names a method, model or technique.
METHOD_HEADS = {
    "network", "networks", "net", "nets", "learning", "model", "models", "algorithm",
    "transformer", "transformers", "encoder", "encoders", "autoencoder", "autoencoders",
    "decoder", "machine", "machines", "regression", "regularization", "optimization",
    "optimizer", "attention", "descent", "estimation", "contrast", "embedding", "embeddings",
    "convolution", "convolutions", "pooling", "normalization", "classifier", "detector",
    "method", "framework", "architecture", "search", "sampling", "propagation", "policy",
    "inference", "distillation", "augmentation", "clustering", "process", "processes",
    "field", "fields", "forest", "forests", "tree", "trees", "memory", "units",
    "pretraining", "pre-training", "training", "twins", "adversarial", "diffusion",
    "representations", "representation", "gan", "cnn", "rnn", "lstm", "vae", "mixture",
    "kernel", "kernels", "game", "bootstrapping", "prediction", "matching", "alignment",
}
# Heads of Chinese long forms that name a method.
ZH_METHOD_HEADS = ("网络", "学习", "模型", "算法", "机制", "编码器", "自编码器", "机", "方法",
                   "框架", "变换器", "注意力", "卷积", "池化", "归一化", "蒸馏", "扩散")
# Short forms that are never a method of this field, whatever their long form says.
NOT_METHODS = {
    "GPU", "GPUS", "CPU", "CPUS", "TPU", "EU", "US", "UK", "AI", "ML", "DL", "CV", "NLP",
    "API", "URL", "PDF", "SOTA", "IEEE", "ACM", "PHD", "RAM", "SSD", "SSDS", "HDD", "FPS",
    "IOU", "MAP", "MSE", "MAE", "RMSE", "AUC", "ROC", "FLOPS", "FLOP", "OOD", "IID", "RGB",
    "HTTP", "JSON", "CSV", "SQL", "OS", "QA", "FAQ", "USA", "PRC", "CEO", "RL", "SGD",
}
_GENERIC_NAMES = {
    "introduction", "a survey", "survey", "review", "overview", "tutorial", "deep learning",
    "machine learning", "the proposed method", "our method", "our approach", "this paper",
    "abstract", "preface", "appendix", "lecture notes", "notes", "part", "chapter",
}
_STOP_WORDS = {"a", "an", "the", "of", "for", "and", "to", "in", "on", "with", "by", "via",
               "from", "we", "our", "is", "are", "this", "that", "as", "at", "or"}

_SENTENCES = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"(])|(?<=[。！？；])|\n+")
_PAREN = re.compile(r"[(（]\s*([^()（）]{1,80}?)\s*[)）]")
_SHORT_FORM = re.compile(r"^[A-Za-z0-9][A-Za-z0-9\-+.²]{1,11}$")
_CJK = re.compile(r"[\u4e00-\u9fff]")
_CJK_TAIL = re.compile(r"([\u4e00-\u9fff]{2,14})$")
_ZH_BREAK = re.compile(r".*(?:[的了是在和与及用将把对从被为一种一个提出使用采用基于称作称为叫做即]|我们)")
_LATIN_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9\-+.]*(?: [A-Za-z0-9][A-Za-z0-9\-+.]*){0,3}$")
_PROPOSE = re.compile(
    r"\b(?:we|this (?:paper|work)|here,? we|in this (?:paper|work),? we)\b[^.]{0,60}?\b"
    r"(?:present|propose|introduce|develop|describe|call|term|dub|name)", re.I)
_CALLED = re.compile(r"\b(?:called|named|dubbed|termed|coined)\s+[\"“]?([A-Z][\w\-+.]*"
                     r"(?:\s+[A-Z][\w\-+.]*){0,2})")
# "This paper presents SimCLR: ...", "we propose DETR, ...": a distinctive name (CamelCase
# or capitals) right after the verb.
_PROPOSED_NAME = re.compile(r"\b(?:present|propose|introduce|develop)s?\s+"
                            r"([A-Z][a-z]*[A-Z][A-Za-z0-9\-+]*|[A-Z]{2,}[A-Za-z0-9\-+]*)\b")
_ZH_PROPOSE = re.compile(r"(?:我们|本文|该文|作者)(?:提出|设计|引入|介绍)了?")
_TITLE_NAME = re.compile(r"^\s*([^:：]{2,40}?)\s*[:：]\s*(\S.*)$")
# "GANs: An Overview": a paper about the method, not the one that brought it.
_ABOUT_SUBTITLE = re.compile(r"^(?:an?\s+)?(?:overview|survey|review|tutorial|introduction|"
                             r"primer|retrospective|comparison|analysis|empirical study)\b",
                             re.I)


@dataclass(frozen=True)
class Definition:
    """An abbreviation and its long form, as one sentence defines them."""
    short: str
    long: str
    sentence: str


@dataclass
class LearnedConcept:
    """A method learned from text: its names, where it came from, how sure we are."""
    label: str
    aliases: list[str]
    origin: str                    # title | abstract | acronym
    confidence: float
    evidence: str
    source: str | None = None      # the paper's URL
    paper: str | None = None       # node id of the paper that introduces it
    entity_id: str | None = None   # set by learn_concepts: the vocabulary's or a new one
    papers: list[tuple[str, str, str]] = field(default_factory=list)


def sentences(text: str) -> list[str]:
    """Sentences of an English or Chinese text.

    >>> sentences("We propose X. It works。好的")
    ['We propose X.', 'It works。', '好的']
    """
    return [s.strip() for s in _SENTENCES.split(text or "") if s and s.strip()]


def _letters_match(short: str, long: str) -> str | None:
    """The shortest end of ``long`` whose words spell ``short`` (Schwartz-Hearst), or None."""
    s, i = len(short) - 1, len(long) - 1
    while s >= 0:
        c = short[s].lower()
        if not c.isalnum():
            s -= 1
            continue
        # The short form's first letter must start a word of the long form.
        while i >= 0 and (long[i].lower() != c or (s == 0 and i > 0 and long[i - 1].isalnum())):
            i -= 1
        if i < 0:
            return None
        i -= 1
        s -= 1
    start = long.rfind(" ", 0, i + 1) + 1
    return long[start:].strip()


def _is_short_form(text: str) -> bool:
    return bool(_SHORT_FORM.match(text)) and any(c.isupper() for c in text) and \
        sum(c.isalpha() for c in text) >= 2


def _long_form_before(before: str, short: str) -> str | None:
    words = before.split()
    limit = min(len(short) + 5, len(short) * 2)
    candidate = " ".join(words[-limit:])
    found = _letters_match(short, candidate)
    if not found:
        return None
    words = found.split()
    while words and words[0].lower() in _STOP_WORDS:
        words = words[1:]
    found = " ".join(words).strip(",;:")
    if len(found) <= len(short) or len(words) < 2 or short.lower() in found.lower().split():
        return None
    return found


def acronym_definitions(text: str) -> list[Definition]:
    """Abbreviations defined in ``text``, English and Chinese, in order, once each.

    >>> [(d.short, d.long) for d in acronym_definitions("ResNet（残差网络）很深。图注意力网络（GAT）也是。")]
    [('ResNet', '残差网络'), ('GAT', '图注意力网络')]
    """
    out: dict[str, Definition] = {}
    if "(" not in text and "（" not in text:
        return []
    for m0 in _PAREN.finditer(text):
        # Only the sentence around each bracket is read: pages are long, brackets few.
        lo = max(text.rfind(". ", 0, m0.start()), text.rfind("\n", 0, m0.start()),
                 *(text.rfind(c, 0, m0.start()) for c in "。！？；")) + 1
        hi_candidates = [i for i in (text.find(". ", m0.end()), text.find("\n", m0.end()),
                                     *(text.find(c, m0.end()) for c in "。！？；")) if i >= 0]
        hi = min(hi_candidates) + 1 if hi_candidates else len(text)
        sentence = text[lo:hi].strip()
        inside = m0.group(1).strip()
        before = text[lo:m0.start()].rstrip()
        definition = None
        if _is_short_form(inside) and not _CJK.search(inside):
            if _CJK.search(before[-1:] or ""):
                tail = _CJK_TAIL.search(before)
                if tail:
                    zh = _ZH_BREAK.sub("", tail.group(1)) or tail.group(1)
                    if len(zh) >= 2:
                        definition = Definition(inside, zh, sentence)
            else:
                long = _long_form_before(before, inside)
                if long:
                    definition = Definition(inside, long, sentence)
        elif _CJK.search(inside) and not _CJK.search(before[-1:] or "x"):
            # "ResNet（残差网络）": an English name, its Chinese name in brackets.
            name = re.search(r"([A-Za-z][A-Za-z0-9\-+.]*)$", before)
            if name and len(inside) <= 14 and not re.search(r"[，,。\s]", inside):
                definition = Definition(name.group(1), inside, sentence)
        elif " " in inside and not _CJK.search(inside):
            # "MoCo (momentum contrast)": the short form first.
            short = re.search(r"([A-Za-z0-9][A-Za-z0-9\-+.]*)$", before)
            if short and _is_short_form(short.group(1)):
                long = _letters_match(short.group(1), inside)
                if long and long == inside and len(inside.split()) >= 2:
                    definition = Definition(short.group(1), inside, sentence)
        if definition and re.fullmatch(r"[A-Z0-9\-]{2,}s", definition.short):
            # "GATs", "CNNs": the plural of the abbreviation.
            definition = Definition(definition.short[:-1], definition.long, sentence)
        if definition and definition.short.upper() not in out:
            out[definition.short.upper()] = definition
    return list(out.values())


def inside_other_names(text: str, spans: list, definitions: list[Definition],
                       vocab: Vocabulary) -> set[int]:
    """Indexes of ``spans`` (``(start, end, entity id)``) that lie inside the long form of
    an abbreviation defined for something else: "Convolutional Networks" in "Graph
    Convolutional Networks (GCN)" is part of GCN's name, not the CNN.

    >>> from graph.vocabulary import load_vocabulary
    >>> t = "Graph Convolutional Networks (GCN) pass messages."
    >>> inside_other_names(t, [(6, 28, "method:cnn")], acronym_definitions(t), load_vocabulary())
    {0}
    """
    if not definitions or not spans:
        return set()
    out: set[int] = set()
    for d in definitions:
        at = text.find(d.long, max(0, text.find(d.sentence)))
        if at < 0:
            continue
        stop = at + len(d.long)
        named = {e.id for e in (vocab.lookup(d.short), vocab.lookup(d.long)) if e is not None}
        for i, (start, end, entity_id) in enumerate(spans):
            if at <= start and end <= stop and (start, end) != (at, stop) \
                    and entity_id not in named:
                out.add(i)
    return out


def names_a_method(definition: Definition) -> bool:
    """True when the long form reads like a method's name, not a unit, metric or place.

    >>> names_a_method(Definition("MoCo", "momentum contrast", ""))
    True
    >>> names_a_method(Definition("GPU", "graphics processing unit", ""))
    False
    """
    if definition.short.upper().rstrip("S") in NOT_METHODS or \
            definition.short.upper() in NOT_METHODS:
        return False
    long = definition.long
    if _CJK.search(long):
        return long.endswith(ZH_METHOD_HEADS)
    last = re.sub(r"[^a-z\-]", "", long.split()[-1].lower())
    return last in METHOD_HEADS


def _title_name(title: str) -> str | None:
    m = _TITLE_NAME.match(title or "")
    if not m:
        return None
    name = m.group(1).strip()
    if _ABOUT_SUBTITLE.match(m.group(2)):
        return None
    if name.lower() in _GENERIC_NAMES or not _LATIN_NAME.match(name) or \
            len(name.split()) > 3 or not any(c.isupper() for c in name):
        return None
    if name.upper() in NOT_METHODS:
        return None
    return name


def introduced_methods(title: str, abstract: str | None) -> list[LearnedConcept]:
    """The methods a paper presents, each with the sentence that shows it.

    >>> [(c.label, c.aliases, c.origin) for c in introduced_methods(
    ...     "Momentum Contrast for Unsupervised Visual Representation Learning",
    ...     "We present Momentum Contrast (MoCo) for unsupervised visual representation learning.")]
    [('MoCo', ['MoCo', 'Momentum Contrast'], 'abstract')]
    """
    found: dict[str, LearnedConcept] = {}

    def offer(label: str, aliases: list[str], origin: str, confidence: float, evidence: str):
        key = alias_key(label)
        if key in _GENERIC_NAMES or not key:
            return
        concept = next((c for c in found.values()
                        if {alias_key(a) for a in c.aliases} & {alias_key(a) for a in aliases}),
                       None)
        if concept is None:
            found[key] = LearnedConcept(label, list(dict.fromkeys(aliases)), origin,
                                        confidence, evidence[:300])
        else:
            for alias in aliases:
                if alias_key(alias) not in {alias_key(a) for a in concept.aliases}:
                    concept.aliases.append(alias)
            concept.confidence = max(concept.confidence, confidence)

    name = _title_name(title)
    if name:
        offer(name, [name], "title", 0.9, title)
    for sentence in sentences(abstract or ""):
        proposes = _PROPOSE.search(sentence) or _ZH_PROPOSE.search(sentence)
        if not proposes:
            continue
        tail = sentence[proposes.start():]
        for d in acronym_definitions(tail):
            if d.short.upper() in NOT_METHODS:
                continue
            offer(d.short, [d.short, d.long], "abstract", 0.8, sentence)
        for pattern in (_CALLED, _PROPOSED_NAME):
            named = pattern.search(tail)
            if named and named.group(1).upper() not in NOT_METHODS:
                offer(named.group(1), [named.group(1)], "abstract", 0.7, sentence)
    # A title name that the abstract defines takes the abstract's long form as an alias.
    return list(found.values())


def page_methods(text: str) -> list[LearnedConcept]:
    """Methods a page defines by abbreviation, when the long form names a method."""
    return [LearnedConcept(d.short, [d.short, d.long], "acronym", 0.6, d.sentence)
            for d in acronym_definitions(text) if names_a_method(d)]


def _slug(label: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", label.lower()).strip("-")
    return slug or "x" + format(abs(hash(label)) % 10**8, "d")


def _globally_linkable(alias: str) -> bool:
    # A bare all-caps abbreviation of three letters or fewer means different things on
    # different pages (MAE, SSL, GAT); only its long form and distinctive names link
    # everywhere.
    letters = re.sub(r"[^A-Za-z]", "", alias)
    return not (alias.isupper() and len(letters) <= 3)


def _known_entity(vocab: Vocabulary, concept: LearnedConcept) -> Entity | None:
    """The vocabulary's entity the concept is, judged by its long names when it has them:
    "diffusion probabilistic models (DPMs)" is not the vocabulary's DPM (deformable part
    models) although the abbreviation is the same."""
    short, *long_names = concept.aliases
    for name in long_names:
        entity = vocab.lookup(name)
        if entity is not None:
            return entity
    if long_names:
        return None
    return vocab.lookup(short)


def learn_concepts(vocab: Vocabulary, papers: Iterable[dict],
                   pages: Iterable[tuple[str, str]] = ()) -> tuple[Vocabulary, list[LearnedConcept]]:
    """Methods introduced by ``papers`` (dicts with node, url, title, abstract) and defined
    on ``pages`` ((url, text) pairs), and the vocabulary extended with the new ones.

    A concept whose alias the vocabulary knows is that entity (``entity_id`` is its id,
    no new entity). New entities get ids ``method:<slug>``.
    """
    learned: list[LearnedConcept] = []
    for p in papers:
        for concept in introduced_methods(p.get("title") or "", p.get("abstract")):
            concept.paper, concept.source = p["node"], p.get("url")
            learned.append(concept)
    for url, text in pages:
        for concept in page_methods(text or ""):
            concept.source = url
            learned.append(concept)
    new: dict[str, Entity] = {}
    merge_keys: dict[str, str] = {}   # every name of a learned concept, linkable or not
    taken = set(vocab.entities)
    out: list[LearnedConcept] = []
    for concept in learned:
        known = _known_entity(vocab, concept)
        if known is not None:
            concept.entity_id = known.id
            out.append(concept)
            continue
        existing = next((merge_keys[k] for a in concept.aliases
                         if (k := alias_key(a)) in merge_keys), None)
        if existing is None:
            eid = f"method:{_slug(concept.label)}"
            n = 2
            while eid in taken:
                eid = f"method:{_slug(concept.label)}-{n}"
                n += 1
            taken.add(eid)
            free = [a for a in concept.aliases if vocab.lookup(a) is None]
            # An abbreviation the vocabulary gives another entity names this one only in
            # its own documents: the node is called by its long form.
            label = concept.label if concept.label in free else (free or concept.aliases)[0]
            aliases = [a for a in free if _globally_linkable(a)] or [label]
            if label not in aliases:
                aliases.insert(0, label)
            new[eid] = Entity(eid, "method", label, tuple(aliases))
            existing = eid
        else:
            entity = new[existing]
            extra = tuple(a for a in concept.aliases if _globally_linkable(a)
                          and alias_key(a) not in {alias_key(x) for x in entity.aliases})
            if extra:
                new[existing] = Entity(entity.id, "method", entity.label,
                                       entity.aliases + extra)
        for a in concept.aliases:
            merge_keys.setdefault(alias_key(a), existing)
        concept.entity_id = existing
        out.append(concept)
    return extend_vocabulary(vocab, new.values()), out
