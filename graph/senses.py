"""What the vocabulary's names mean in one document: pure functions over a text and the
mentions the linker found in it.

- A definition holds in its document: a page that defines "SSDs" as solid-state drives or
  "MAE" as mean absolute error does not mean the SSD detector or the masked autoencoder.
- A name inside the long form of another abbreviation is part of that name: "Convolutional
  Networks" in "Graph Convolutional Networks (GCN)" is not the CNN.
- A one-word method name followed by another capitalised word ("Adam Trischler", "Inception
  Score") is part of that other name.
- A plural abbreviation of one specific model ("consider using SSDs") is not that model:
  people write "CNNs" and "GANs" for families, never "SSDs" or "YOLOs" for a detector.
- An alias that is also an ordinary word (the vocabulary's ``ambiguous``: "小样本" is
  few-shot learning, or just "a small sample") means the entity only where the text also
  names it another way.
- Citation forms name people: "Ren et al.", "K. He et al.", "Ren等人", "(Ioffe & Szegedy,
  2015)", "K. He, X. Zhang, S. Ren" link to the vocabulary's person when the surname (and
  the initial, when given) is one person's.
"""

from __future__ import annotations

import bisect
import re
from functools import lru_cache

from graph.discover import (METHOD_HEADS, acronym_definitions, inside_other_names,
                             names_a_method)
from graph.linking import Mention
from graph.vocabulary import Vocabulary

# A capitalised word after a one-word method name makes it part of another name:
# "Adam Trischler" (a person), "Inception Score" (a metric). These words keep it a method.
_METHOD_FOLLOWERS = {"optimizer", "optimiser", "algorithm", "method", "module", "network",
                     "networks", "model", "models", "architecture", "block", "blocks",
                     "layer", "layers", "net", "v1", "v2", "v3", "v4", "loss", "paper"}
_NEXT_WORD = re.compile(r"[ \t]+([A-Z][a-z]+)\b")


def _content_words(text: str) -> set[str]:
    return {w for w in re.findall(r"[a-z]+", text.lower())
            if w not in METHOD_HEADS and len(w) > 2} | set(re.findall(r"[\u4e00-\u9fff]", text))


def _same_words(long: str, entity) -> bool:
    """Whether a long form shares a word (other than "network", "model" ...) with one of
    the entity's multi-word names: "Single Shot Detector" is the SSD of "Single Shot
    MultiBox Detector", "diffusion probabilistic models" is not the DPM of "deformable part
    models"."""
    words = _content_words(long)
    return any(words & _content_words(alias) for alias in entity.aliases
               if " " in alias or re.search(r"[\u4e00-\u9fff]", alias))


def local_senses(text: str, mentions: list, vocab: Vocabulary) -> list:
    """The mentions that mean the vocabulary's entity in this document.

    A definition holds in its document: where a page defines "SSDs" as solid-state drives
    or "MAE" as mean absolute error, those abbreviations are not the SSD detector or the
    masked autoencoder there. A one-word method name followed by another capitalised word
    ("Adam Trischler", "Inception Score") is part of that other name.

    >>> from graph.vocabulary import load_vocabulary
    >>> from graph.linking import link_entities
    >>> v = load_vocabulary()
    >>> t = "Use solid-state drives (SSDs). SSDs are fast. Thanks to Adam Trischler."
    >>> [m.surface for m in local_senses(t, link_entities(t, v), v)]
    []
    """
    blocked: set[tuple[str, str]] = set()
    if "(" in text or "（" in text:
        definitions = acronym_definitions(text)
        inside = inside_other_names(text, [(m.start, m.end, m.entity_id) for m in mentions],
                                    definitions, vocab)
        if inside:
            mentions = [m for i, m in enumerate(mentions) if i not in inside]
        for d in definitions:
            entity = vocab.lookup(d.short)
            if entity is None:
                continue
            meant = vocab.lookup(d.long)
            if meant is not None and meant.id == entity.id:
                continue
            if meant is not None or not names_a_method(d) or \
                    not _same_words(d.long, entity):
                blocked.add((entity.id, d.short.lower()))
    out = []
    families = _families(vocab)
    ordinary, caseless, cased = _ordinary_words(vocab)
    if ordinary and (any(w in text for w in caseless)
                     or (cased and any(w in text.lower() for w in cased))):
        mentions = _named_otherwise(mentions, ordinary)
    for m in mentions:
        if blocked:
            surface = m.surface.lower()
            if (m.entity_id, surface) in blocked or (m.entity_id, surface.rstrip("s")) in blocked:
                continue
        if m.entity_id.startswith("method:") and m.surface[:1].isupper() \
                and m.surface[1:].islower():
            follower = _NEXT_WORD.match(text, m.end)
            if follower and follower.group(1).lower() not in _METHOD_FOLLOWERS:
                continue
        if m.entity_id.startswith("method:") and m.surface.endswith("s") and \
                m.surface[:-1].isupper() and m.entity_id not in families:
            continue
        out.append(m)
    return _with_citations(text, out, vocab)


@lru_cache(maxsize=8)
def _ordinary_words(vocab: Vocabulary
                    ) -> tuple[dict[str, frozenset[str]], tuple[str, ...], tuple[str, ...]]:
    """Entity id -> its aliases that are also ordinary words (the vocabulary's
    ``ambiguous``), lower case; and those words to look for in a text: without case
    (小样本), found as written, and the others, found in the lower-cased text."""
    by_entity = {e.id: frozenset(a.lower() for a in e.ambiguous) for e in vocab if e.ambiguous}
    words = sorted({w for ws in by_entity.values() for w in ws})
    return (by_entity, tuple(w for w in words if w.upper() == w.lower()),
            tuple(w for w in words if w.upper() != w.lower()))


def _named_otherwise(mentions: list, ordinary: dict[str, frozenset[str]]) -> list:
    """Drop mentions by an ordinary-word alias ("在小样本的情况下": a small sample) unless the
    text also names the entity another way ("小样本学习", "few-shot")."""
    plain = [m.entity_id in ordinary
             and " ".join(m.surface.lower().split()) in ordinary[m.entity_id]
             for m in mentions]
    if not any(plain):
        return mentions
    named = {m.entity_id for m, p in zip(mentions, plain) if not p}
    return [m for m, p in zip(mentions, plain) if not p or m.entity_id in named]


@lru_cache(maxsize=8)
def _families(vocab: Vocabulary) -> frozenset[str]:
    """Methods that name a family of models (others evolve from them or are part of them,
    or they carry no paper of their own): their plural is normal ("CNNs", "GANs")."""
    parents = {p for e in vocab.methods for p in (*e.evolved_from, *e.part_of)}
    return frozenset(e.id for e in vocab.methods if e.id in parents or not e.arxiv_id)


@lru_cache(maxsize=8)
def _people_by_surname(vocab: Vocabulary) -> dict[str, list]:
    index: dict[str, list] = {}
    for e in vocab.people:
        surname = (e.surname or e.label.split()[-1]).lower()
        index.setdefault(surname, []).append(e)
    return index


_SURNAME = r"([A-Z][a-z]+(?:[A-Z][a-z]+)?)"
_ET_AL = re.compile(rf"\b((?:[A-Z]\.\s?){{1,2}})?{_SURNAME}\s*(?:et\s+al\b|等)")
_INITIALS = re.compile(rf"((?:[A-Z]\.\s?){{1,2}}){_SURNAME}\b")
_AUTHOR_YEAR = re.compile(rf"\(\s*(){_SURNAME}(?:\s*(?:&|and)\s*{_SURNAME})?,\s*"
                          r"(?:19|20)\d\d\s*\)")


def _citation_matches(text: str):
    """Matches of the three citation forms; each pattern runs only where its cue is, since
    pages are long and citations few."""
    for cue in ("et al", "等"):
        at = text.find(cue)
        while at >= 0:
            window_start = max(0, at - 40)
            for m in _ET_AL.finditer(text, window_start, at + len(cue) + 4):
                yield m
            at = text.find(cue, at + 1)
    # An initial is a capital and a dot: try the pattern only there (what finditer would
    # find, without running the regex engine over the whole page).
    at, resume = text.find("."), 0
    while at >= 0:
        if at > resume and "A" <= text[at - 1] <= "Z":
            m = _INITIALS.match(text, at - 1)
            if m is not None:
                yield m
                resume = m.end()
        at = text.find(".", max(at + 1, resume))
    if ", 19" in text or ", 20" in text:
        for m in _AUTHOR_YEAR.finditer(text):
            yield m


def _cited_person(vocab: Vocabulary, initials: str | None, surname: str):
    people = _people_by_surname(vocab).get(surname.lower(), [])
    if initials:
        first = initials.strip()[0]
        people = [p for p in people if p.label[:1] == first]
    return people[0] if len(people) == 1 else None


def _with_citations(text: str, mentions: list, vocab: Vocabulary) -> list:
    # Mentions do not overlap: sorted by start, a span clashes only with the last one
    # that starts before it ends.
    taken = sorted((m.start, m.end) for m in mentions)
    found = []
    for m in _citation_matches(text):
        groups = m.groups()
        initials, names = groups[0], [g for g in groups[1:] if g]
        for name in names:
            start = text.find(name, m.start())
            end = start + len(name)
            i = bisect.bisect_left(taken, (end,))
            if i and taken[i - 1][1] > start:
                continue
            person = _cited_person(vocab, initials if name == names[0] else None, name)
            if person is None:
                continue
            taken.insert(i, (start, end))
            found.append(Mention(person.id, start, end, name, _sentence_of(text, start)))
    if not found:
        return mentions
    return sorted(mentions + found, key=lambda m: m.start)


def _sentence_of(text: str, at: int) -> str:
    lo = max(text.rfind(c, 0, at) for c in ".。!?！？\n") + 1
    ends = [i for i in (text.find(c, at) for c in ".。!?！？\n") if i >= 0]
    return text[lo:(min(ends) + 1 if ends else len(text))].strip()[:300]
