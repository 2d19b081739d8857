"""Method-to-method relations a sentence states: "Fast R-CNN builds on R-CNN",
"基于ResNet的Mask R-CNN". Pure functions of a text and the mentions linked in it.

Only a cue standing alone between two method names counts, and never one that would make a
method build on a later one: a relation learned from text must be as trustworthy as one
from the vocabulary, so recall is given up for precision.
"""

from __future__ import annotations

import re
from operator import attrgetter
from typing import Iterable, Mapping

# X <cue> Y: X evolved from Y. The gap between the two names must be exactly one of these.
_EN_GAP = re.compile(
    r"\s*,?\s*(?:which\s+|that\s+)?(?:directly\s+|simply\s+|largely\s+)?(?:"
    r"builds?\s+(?:up)?on|built\s+(?:up)?on|is\s+built\s+(?:up)?on|was\s+built\s+(?:up)?on"
    r"|extends|extended|is\s+an\s+extension\s+of|was\s+an\s+extension\s+of"
    r"|improves\s+(?:up)?on|improved\s+(?:up)?on"
    r"|(?:is|was)\s+based\s+on|(?:is|was)\s+derived\s+from)"
    r"\s+(?:the\s+)?", re.I)
_ZH_GAP = re.compile(r"\s*(?:是|则|也)?(?:基于|源于|改进自)\s*")        # X基于Y
_ZH_ON_GAP = re.compile(r"\s*(?:是|则|也)?在\s*")                     # X在Y的基础上
_ZH_ON_TAIL = re.compile(r"\s*的基础上")
_ZH_OF_GAP = re.compile(r"\s*的\s*")                                  # 基于Y的X
_ZH_BASED_BEFORE = re.compile(r"基于\s*$")
_START = attrgetter("start")


def stated_relations(text: str, mentions: Iterable,
                     entities: Mapping) -> list[tuple[str, str, str]]:
    """``(newer, older, sentence)`` for each "newer builds on older" a sentence of ``text``
    states between two method mentions (``graph.linking.Mention``), in either language.

    ``entities`` maps entity ids to ``graph.vocabulary.Entity`` (its kind and year): a
    relation whose older method has the later year, or that the vocabulary states the other
    way round, is dropped.

    >>> from graph.linking import Mention
    >>> from graph.vocabulary import Entity
    >>> text = "Fast R-CNN builds on R-CNN."
    >>> ms = [Mention("method:fast_rcnn", 0, 10, "Fast R-CNN", text),
    ...       Mention("method:rcnn", 21, 26, "R-CNN", text)]
    >>> known = {"method:fast_rcnn": Entity("method:fast_rcnn", "method", "Fast R-CNN", year=2015),
    ...          "method:rcnn": Entity("method:rcnn", "method", "R-CNN", year=2014)}
    >>> stated_relations(text, ms, known)
    [('method:fast_rcnn', 'method:rcnn', 'Fast R-CNN builds on R-CNN.')]
    """
    def year(eid: str):
        return getattr(entities.get(eid), "year", None)

    get = entities.get
    ms = sorted((m for m in mentions
                 if getattr(get(m.entity_id), "kind", None) == "method"), key=_START)
    out: list[tuple[str, str, str]] = []
    seen: set[tuple[str, str]] = set()

    def keep(newer, older) -> None:
        a, b = newer.entity_id, older.entity_id
        ya, yb = year(a), year(b)
        reverse = a in getattr(entities.get(b), "evolved_from", ())
        if a == b or (a, b) in seen or reverse or (ya and yb and yb > ya):
            return
        seen.add((a, b))
        out.append((a, b, newer.sentence))

    for first, second in zip(ms, ms[1:]):
        if first.end > second.start:
            continue
        gap = text[first.end:second.start]
        if _EN_GAP.fullmatch(gap) or _ZH_GAP.fullmatch(gap):
            keep(first, second)
        elif _ZH_ON_GAP.fullmatch(gap) and _ZH_ON_TAIL.match(text, second.end):
            keep(first, second)
        elif _ZH_OF_GAP.fullmatch(gap) and _ZH_BASED_BEFORE.search(
                text, max(0, first.start - 8), first.start):
            keep(second, first)
    return out
