"""Entities that the texts name together: pure functions behind the ``related_to`` edges.

Two entities named in one sentence may be related; named together in the sentences of two
or more documents (pages or papers), they are. One document repeating a pair says no more
than once, and a sentence that names more than a handful of entities is a list ("R-CNN,
SPP-net, Fast R-CNN, Faster R-CNN, YOLO and SSD"), not a statement about any two of them.

>>> from graph.linking import Mention
>>> s = "Faster R-CNN uses a ResNet backbone."
>>> pairs = sentence_pairs([Mention("method:faster-r-cnn", 0, 12, "Faster R-CNN", s),
...                         Mention("method:resnet", 20, 26, "ResNet", s)])
>>> pairs
[('method:faster-r-cnn', 'method:resnet', 'Faster R-CNN uses a ResNet backbone.')]
>>> together = {}
>>> count_pairs(together, pairs, "https://a.example/")
>>> count_pairs(together, pairs, "https://b.example/")
>>> [(a, b, n) for a, b, n, _ in related_pairs(together)]
[('method:faster-r-cnn', 'method:resnet', 2)]
"""

from __future__ import annotations

from typing import Iterable, Iterator

# More entities than this in one sentence: a list, not a statement.
MAX_TOGETHER = 5
# Documents that must name a pair together before it is an edge.
MIN_DOCUMENTS = 2
# Sentences kept per pair, as the edge's evidence.
MAX_SNIPPETS = 3


def sentence_pairs(mentions: Iterable) -> list[tuple[str, str, str]]:
    """``(a, b, sentence)`` once per pair of entities (``a < b``) that one sentence of a
    text names together (``graph.linking.Mention``s of that text), with the first sentence
    that does.

    >>> from graph.linking import Mention
    >>> s = "YOLO and SSD are one-stage detectors. YOLO is fast."
    >>> sentence_pairs([Mention("method:yolo", 0, 4, "YOLO", s[:37]),
    ...                 Mention("method:ssd", 9, 12, "SSD", s[:37]),
    ...                 Mention("method:yolo", 38, 42, "YOLO", s[38:])])
    [('method:ssd', 'method:yolo', 'YOLO and SSD are one-stage detectors.')]
    """
    by_sentence: dict[str, set[str]] = {}
    for m in mentions:
        ids = by_sentence.get(m.sentence)
        if ids is None:
            by_sentence[m.sentence] = {m.entity_id}
        else:
            ids.add(m.entity_id)
    out: dict[tuple[str, str], str] = {}
    for sentence, ids in by_sentence.items():
        if len(ids) < 2 or len(ids) > MAX_TOGETHER:
            continue
        ordered = sorted(ids)
        for i, a in enumerate(ordered):
            for b in ordered[i + 1:]:
                out.setdefault((a, b), sentence)
    return [(a, b, sentence) for (a, b), sentence in out.items()]


def count_pairs(together: dict, pairs: Iterable[tuple[str, str, str]],
                source: str | None) -> None:
    """Add one document's :func:`sentence_pairs` to ``together`` (in place):
    ``(a, b) -> [documents, [(sentence, source), ...]]``."""
    for a, b, sentence in pairs:
        entry = together.get((a, b))
        if entry is None:
            together[(a, b)] = [1, [(sentence, source)]]
            continue
        entry[0] += 1
        if len(entry[1]) < MAX_SNIPPETS:
            entry[1].append((sentence, source))


def merge_counts(together: dict, more: dict) -> None:
    """Add the counts of ``more`` (documents read later, e.g. by another process) to
    ``together``, in place: the same as counting their pairs into it.

    >>> a, b = {}, {}
    >>> count_pairs(a, [("x", "y", "X and Y.")], "u1")
    >>> count_pairs(b, [("x", "y", "Y, X.")], "u2")
    >>> merge_counts(a, b)
    >>> a
    {('x', 'y'): [2, [('X and Y.', 'u1'), ('Y, X.', 'u2')]]}
    """
    for key, (documents, snippets) in more.items():
        entry = together.get(key)
        if entry is None:
            together[key] = [documents, list(snippets)]
            continue
        entry[0] += documents
        room = MAX_SNIPPETS - len(entry[1])
        if room > 0:
            entry[1].extend(snippets[:room])


def related_pairs(together: dict, min_documents: int = MIN_DOCUMENTS
                  ) -> Iterator[tuple[str, str, int, list]]:
    """``(a, b, documents, snippets)`` for each pair named together in at least
    ``min_documents`` documents, most documents first."""
    kept = [(a, b, n, snippets) for (a, b), (n, snippets) in together.items()
            if n >= min_documents]
    kept.sort(key=lambda row: (-row[2], row[0], row[1]))
    yield from kept
