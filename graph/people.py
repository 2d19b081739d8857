"""One person, however a byline writes the name: initials, order and script.

Bylines and author lists write the same person as "Kaiming He", "He Kaiming", "K. He" or
"何恺明". Name order is already one key (:func:`graph.vocabulary.normalize_person_name`);
this module decides when an initial form or a Chinese name is a full Latin name of the
graph. Two names of different people can look alike ("K. He" could be anyone surnamed He),
so a short form merges only when the context fits: exactly one person of the graph has that
surname and initial, or that romanized name, and the two share a neighbour in the graph
(the page whose byline says "K. He" mentions Kaiming He; both wrote on the same method).

>>> names = {"person:k-he": "K. He", "person:kaiming-he": "Kaiming He",
...          "person:何恺明": "何恺明", "person:s-ren": "S. Ren"}
>>> neighbours = {"person:k-he": {"page:a"}, "person:kaiming-he": {"page:a", "page:b"},
...               "person:何恺明": {"page:b"}, "person:s-ren": {"page:c"}}
>>> merge_people(names, neighbours)
{'person:k-he': 'person:kaiming-he', 'person:何恺明': 'person:kaiming-he'}
"""

from __future__ import annotations

import re
from typing import Mapping

from graph.vocabulary import normalize_person_name

_CJK = re.compile(r"^[\u4e00-\u9fff\u3400-\u4dbf]{2,4}$")
# Two-character surnames: the rest of a name is the given name.
_COMPOUND_SURNAMES = frozenset(
    "欧阳 司马 上官 诸葛 东方 皇甫 令狐 慕容 夏侯 尉迟 公孙 长孙 宇文 司徒 端木 西门 独孤 南宫".split())


def romanized(name: str) -> str | None:
    """The pinyin of a Chinese personal name as a Latin name key, or None.

    >>> romanized("何恺明"), romanized("欧阳修"), romanized("Kaiming He")
    ('kaiming he', 'xiu ouyang', None)
    """
    text = re.sub(r"[\s\u00b7\u30fb.]+", "", name or "")
    if not _CJK.match(text):
        return None
    from pypinyin import lazy_pinyin  # only Chinese names need it

    cut = 2 if text[:2] in _COMPOUND_SURNAMES else 1
    surname = "".join(lazy_pinyin(text[:cut]))
    given = "".join(lazy_pinyin(text[cut:]))
    return normalize_person_name(f"{given} {surname}") if given else None


def initial_key(name: str) -> tuple[str, str] | None:
    """(surname, first initial) of a name written with initials only, else None.

    >>> initial_key("K. He"), initial_key("He, K."), initial_key("R. B. Girshick")
    (('he', 'k'), ('he', 'k'), ('girshick', 'r'))
    >>> initial_key("Kaiming He") is None
    True
    """
    tokens = normalize_person_name(name).split()
    if len(tokens) < 2 or len(tokens[-1]) < 2 or any(len(t) != 1 for t in tokens[:-1]):
        return None
    return tokens[-1], tokens[0]


def full_key(name: str) -> tuple[str, str] | None:
    """(surname, first initial) of a full Latin name, else None.

    >>> full_key("Ross B. Girshick"), full_key("K. He")
    (('girshick', 'r'), None)
    """
    tokens = normalize_person_name(name).split()
    if len(tokens) < 2 or len(tokens[0]) < 2 or len(tokens[-1]) < 2 or not tokens[0].isascii():
        return None
    return tokens[-1], tokens[0][0]


def merge_people(names: Mapping[str, str | list[str]], neighbours: Mapping[str, set],
                 candidates: Mapping[str, str] | None = None) -> dict[str, str]:
    """Which person nodes are other forms of another person node.

    ``names``: person node -> its name (or all its names, label first); ``neighbours``:
    person node -> the nodes it shares an edge with. Returns short form -> full form, for
    initial forms ("K. He") and Chinese names ("何恺明") whose full Latin form is a single
    person of ``names`` with a neighbour in common. Full names never merge with each other
    here: "Kaiming He" and "Kai He" stay two people. ``candidates``: what
    :func:`merge_candidates` gives for ``names``, when the caller has it already.
    """
    if candidates is None:
        candidates = merge_candidates(names)
    return {short: full for short, full in candidates.items()
            if neighbours.get(short, set()) & neighbours.get(full, set())}


def merge_candidates(names: Mapping[str, str | list[str]]) -> dict[str, str]:
    """Short form -> the one full form it could be, before any context is asked: what
    :func:`merge_people` then checks for a shared neighbour (so a caller needs the
    neighbours of these nodes only).

    >>> merge_candidates({"person:k-he": "K. He", "person:kaiming-he": "Kaiming He",
    ...                   "person:s-ren": "S. Ren"})
    {'person:k-he': 'person:kaiming-he'}
    """
    def all_names(node):
        value = names[node]
        return [value] if isinstance(value, str) else list(value)

    by_initial: dict[tuple[str, str], set] = {}
    by_full: dict[str, set] = {}
    for node in names:
        for name in all_names(node):
            key = full_key(name)
            if key:
                by_initial.setdefault(key, set()).add(node)
                by_full.setdefault(normalize_person_name(name), set()).add(node)
    out: dict[str, str] = {}
    for node in names:
        label = all_names(node)[0]
        if full_key(label):
            continue
        key = initial_key(label)
        roman = romanized(label) if key is None else None
        candidates = (by_initial.get(key, set()) if key else
                      by_full.get(roman, set()) if roman else set()) - {node}
        if len(candidates) != 1:
            continue  # nobody, or several people it could be: keep it apart
        (out[node],) = candidates
    return out
