"""Entity linking: find the vocabulary's methods, topics and people in English and Chinese text.

One compiled matcher per :class:`~graph.vocabulary.Vocabulary` (built once, cached) scans a
text in a single pass of the regular-expression engine: a trie of every alias key, longest
match first, no overlaps. Chinese aliases match anywhere (Chinese has no spaces); English
aliases match whole words, where a Chinese character also ends a word ("R-CNN系列",
"何恺明的ResNet").

>>> from graph.vocabulary import load_vocabulary
>>> vocab = load_vocabulary()
>>> [m.entity_id for m in link_entities("何恺明的ResNet和Faster R-CNN", vocab)]
['person:kaiming-he', 'method:resnet', 'method:faster-r-cnn']
>>> [m.entity_id for m in link_entities("He trained it with Adam.", vocab)]
['method:adam']
"""

from __future__ import annotations

import bisect
import json
import re
import unicodedata
import weakref
from dataclasses import dataclass
from typing import Any, Iterable, Mapping, NamedTuple, Sequence

from graph.discover import acronym_definitions, inside_other_names
from graph.vocabulary import (
    Entity,
    Vocabulary,
    alias_key,
    alias_variants,
    normalize_person_name,
    slugify,
)

__all__ = [
    "Mention",
    "link_entities",
    "link_heading",
    "resolve_person",
    "resolve_person_entity",
    "reading_list_relations",
]

MAX_SENTENCE = 300

# Letters and digits that continue an English word. CJK characters are not in it: they
# end an English word, so "ResNet" is found in "何恺明的ResNet".
_WORD_CHARS = "A-Za-z0-9\u00c0-\u024f"
_WORD_CHAR_RE = re.compile(f"[{_WORD_CHARS}]")
# What may stand between the words of an alias in a text: "R-CNN", "R CNN", "faster_rcnn".
_SEP = r"[\s\-_\u2010-\u2015\u00b7\u30fb]{1,3}"
_SEP_RE = re.compile(_SEP)
_SUFFIX = r"(?P<suffix>-?\d{1,4}|s)?"
_CJK_RE = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_ACRONYM_RE = re.compile(r"^[A-Z0-9]{1,5}$")
_TITLE_WORD_RE = re.compile(r"^[A-Z][a-z]+$")
# A bare surname followed by another word is a pronoun or an ordinary word ("He proposed",
# "Long Short-Term Memory", "Sun Microsystems"), except in a citation ("He et al.").
_WORD_AFTER_RE = re.compile(r"\s+(?!et\s+al\b)[A-Za-z\u00c0-\u024f]")
_SENTENCE_MARK_RE = re.compile(r"[.!?。！？；\n]")


class Mention(NamedTuple):
    """An entity named in a text: ``text[start:end] == surface``; ``sentence`` shows it.

    >>> Mention("method:gan", 0, 3, "GAN", "GAN is fun.").surface
    'GAN'
    """

    # A named tuple, not a dataclass: a page has dozens of mentions and a large crawl
    # millions, and a tuple is built several times faster.
    entity_id: str
    start: int
    end: int
    surface: str
    sentence: str


@dataclass(frozen=True)
class _Alias:
    entity_id: str
    written: str          # the alias with separators made single spaces (for exact case)
    case_sensitive: bool


@dataclass
class _KeyInfo:
    entity_id: str
    kind: str
    aliases: list[_Alias]
    plural: bool          # "CNNs", "GANs", "autoencoders"
    numbered: bool        # "ResNet-50", "VGG16"
    end_boundary: bool    # the key ends with a letter or digit


class _Matcher:
    """Everything linking needs from one vocabulary, compiled once."""

    def __init__(self, vocab: Vocabulary) -> None:
        owner = vocab.alias_keys()
        self.keys: dict[str, _KeyInfo] = {}
        self._alias_words: frozenset[str] | None = None
        for entity in vocab:
            forms = [(a, a in entity.exact) for a in entity.aliases]
            forms += [(v, a in entity.exact) for a in entity.aliases for v in alias_variants(a)]
            for alias, exact in forms:
                key = alias_key(alias)
                if not key or owner.get(key) != entity.id:
                    continue
                info = self.keys.get(key)
                if info is None:
                    ends_latin = bool(_WORD_CHAR_RE.match(key[-1]))
                    concept = entity.kind in ("method", "topic")
                    info = self.keys[key] = _KeyInfo(
                        entity.id, entity.kind, [],
                        plural=concept and ends_latin and key[-1].isalpha() and key[-1] != "s",
                        numbered=entity.kind == "method" and key[-1].isalpha()
                        and key[-1].isascii(),
                        end_boundary=ends_latin,
                    )
                written = _SEP_RE.sub(" ", unicodedata.normalize("NFKC", alias)).strip()
                sensitive = exact or _case_sensitive(alias, entity)
                info.aliases.append(_Alias(entity.id, written, sensitive))
        # Two patterns, because the regex engine tries every alternative that starts with a
        # text's character at each position: English keys only at the start of a word
        # (one cheap look-behind per character), Chinese and other keys anywhere.
        latin = [k for k in self.keys if _WORD_CHAR_RE.match(k[0])]
        other = [k for k in self.keys if not _WORD_CHAR_RE.match(k[0])]
        self.regexes = tuple(re.compile(_build_pattern(group, word_start=word_start))
                             for group, word_start in ((latin, True), (other, False)) if group)
        # Texts whose lower() changes length are matched case-insensitively with a single
        # pattern (rare: speed does not matter, and first letters may fold together).
        self.pattern_ci = _build_pattern(self.keys)
        self.regex_ci: re.Pattern[str] | None = None
        self.entities = vocab.entities
        # Bare surnames that name a person only in context.
        self.surnames: dict[str, list[str]] = {}
        for person in vocab.people:
            if person.surname:
                self.surnames.setdefault(person.surname, []).append(person.id)
        self._weak_regexes: dict[frozenset[str], re.Pattern[str]] = {}
        self._fuzzy: dict[str, list[tuple[str, str]]] | None = None
        self._surfaces: dict[str, _KeyInfo | None] = {}

    # -- exact matching ------------------------------------------------------------------

    def scan(self, text: str) -> list[tuple[int, int, str]]:
        """(start, end, entity id) of every alias in ``text``, longest first, no overlaps."""
        lower = text.lower()
        if len(lower) != len(text):
            # A few characters change length in lower case ("İ"); match case-insensitively
            # on the text itself so that offsets stay right.
            if self.regex_ci is None:
                self.regex_ci = re.compile(self.pattern_ci, re.IGNORECASE)
            regexes, haystack = (self.regex_ci,), text
        else:
            regexes, haystack = self.regexes, lower
        # The next match of each pattern at or after ``pos`` (None: no more). Keys of the
        # two patterns start with different characters, so at most one matches at a place
        # and the earlier one is the match a single pattern of all keys would give.
        live = [(r, m) for r in regexes if (m := r.search(haystack)) is not None]
        if len(live) < 2:  # an English text: one pattern, the quick loop
            return self._scan_one(*live[0], haystack, text) if live else []
        regexes = tuple(r for r, _ in live)
        ahead: list[re.Match[str] | None] = [m for _, m in live]
        out: list[tuple[int, int, str]] = []
        pos, n = 0, len(text)
        while pos < n:
            m, regex = None, None
            for i, r in enumerate(regexes):
                found_m = ahead[i]
                if found_m is not None and found_m.start() < pos:
                    found_m = ahead[i] = r.search(haystack, pos)
                if found_m is not None and (m is None or found_m.start() < m.start()):
                    m, regex = found_m, r
            if m is None or regex is None:
                break
            found = self._take(regex, m, haystack, text)
            if found is None:
                pos = m.start() + 1
                continue
            out.append(found)
            pos = found[1]
        return out

    def _take(self, regex: re.Pattern[str], m: re.Match[str], haystack: str,
              text: str) -> tuple[int, int, str] | None:
        """The span a match of ``regex`` gives, if any: itself, or a shorter acceptable
        match at the same place."""
        start, end = m.span()
        base_end = m.start("suffix")
        if base_end < 0:  # no suffix: the common case, decided from the memo alone
            info = self._surfaces.get(text[start:end], False)
            if info is None:
                return self._shorter(regex, haystack, text, start, end)
            if info is not False:
                if not info.end_boundary or end >= len(text) \
                        or not _WORD_CHAR_RE.match(text[end]):
                    return (start, end, info.entity_id)
                return self._shorter(regex, haystack, text, start, end)
            base_end = end
        return (self._accept(text, start, base_end, end)
                or self._shorter(regex, haystack, text, start, end))

    def _scan_one(self, regex: re.Pattern[str], m: re.Match[str] | None, haystack: str,
                  text: str) -> list[tuple[int, int, str]]:
        """:meth:`scan` with one pattern, from its first match ``m``: the matches come
        from one iterator until a rejected or shortened match makes it start again."""
        out: list[tuple[int, int, str]] = []
        take, matches = self._take, None
        while m is not None:
            found = take(regex, m, haystack, text)
            if found is None:
                pos, matches = m.start() + 1, None
            else:
                out.append(found)
                pos = found[1]
                if pos != m.end():
                    matches = None
            if matches is None:
                matches = regex.finditer(haystack, pos)
            m = next(matches, None)
        return out

    def _accept(self, text: str, start: int, base_end: int,
                end: int) -> tuple[int, int, str] | None:
        surface = text[start:base_end]
        info = self._known(surface)
        if info is None:
            return None
        candidates = [base_end]
        if end > base_end:
            suffix = text[base_end:end]
            ok = (info.numbered if suffix[-1].isdigit()
                  else info.plural and not _TITLE_WORD_RE.match(surface))
            if ok:
                candidates.insert(0, end)
        for stop in candidates:
            if not info.end_boundary or stop >= len(text) or not _WORD_CHAR_RE.match(text[stop]):
                return (start, stop, info.entity_id)
        return None

    def _known(self, surface: str) -> _KeyInfo | None:
        """The key a surface form matches, if its case is acceptable (memoized: the same
        few thousand surface forms come back in every document)."""
        try:
            return self._surfaces[surface]
        except KeyError:
            pass
        info = self.keys.get(alias_key(surface))
        if info is not None:
            written = _SEP_RE.sub(" ", unicodedata.normalize("NFKC", surface))
            if not any(not a.case_sensitive or a.written == written for a in info.aliases):
                info = None
        if len(self._surfaces) < 100_000:
            self._surfaces[surface] = info
        return info

    def _shorter(self, regex: re.Pattern[str], haystack: str, text: str, start: int,
                 end: int) -> tuple[int, int, str] | None:
        """The longest acceptable match at ``start`` shorter than a rejected one."""
        endpos = end - 1
        while endpos > start:
            m = regex.match(haystack, start, endpos)
            if m is None:
                return None
            found = self._accept(text, start, m.start("suffix") if m.group("suffix")
                                 else m.end(), m.end())
            if found is not None:
                return found
            endpos = m.end() - 1
        return None

    # -- bare surnames -------------------------------------------------------------------

    def scan_surnames(self, text: str, people: Iterable[str]) -> list[tuple[int, int, str]]:
        """Bare surnames of ``people`` ("Ng", "He et al."), never a pronoun ("He said")
        nor the first word of a phrase ("Long Short-Term Memory")."""
        wanted: dict[str, list[str]] = {}
        for person_id in people:
            entity = self.entities.get(person_id)
            if entity is not None and entity.kind == "person" and entity.surname:
                wanted.setdefault(entity.surname, []).append(person_id)
        if not wanted:
            return []
        names = frozenset(wanted)
        regex = self._weak_regexes.get(names)
        if regex is None:
            alternatives = "|".join(re.escape(s) for s in sorted(names, key=len, reverse=True))
            regex = re.compile(f"(?<![{_WORD_CHARS}])(?:{alternatives})(?![{_WORD_CHARS}])")
            self._weak_regexes[names] = regex
        out = []
        for m in regex.finditer(text):
            owners = wanted[m.group()]
            if len(owners) != 1 or _WORD_AFTER_RE.match(text, m.end()):
                continue
            out.append((m.start(), m.end(), owners[0]))
        return out

    def unambiguous_surname_people(self) -> list[str]:
        return [ids[0] for ids in self.surnames.values() if len(ids) == 1]

    # -- fuzzy matching for headings -----------------------------------------------------

    def fuzzy_keys(self) -> dict[str, list[tuple[str, str]]]:
        """First letter -> [(key, entity id)] for keys worth a fuzzy comparison."""
        if self._fuzzy is None:
            fuzzy: dict[str, list[tuple[str, str]]] = {}
            for key, info in self.keys.items():
                if (len(key) >= 6 and re.fullmatch(r"[a-z0-9 ]+", key)
                        and any(not a.case_sensitive for a in info.aliases)
                        and (info.kind != "person" or " " in key)):
                    fuzzy.setdefault(key[0], []).append((key, info.entity_id))
            self._fuzzy = fuzzy
        return self._fuzzy

    def alias_words(self) -> frozenset[str]:
        """Every lower-case word of every multi-word key: words spelt right by definition."""
        if self._alias_words is None:
            self._alias_words = frozenset(
                w for key in self.keys if " " in key for w in key.split(" ") if len(w) > 2)
        return self._alias_words


def _case_sensitive(alias: str, entity: Entity) -> bool:
    """Short all-capital acronyms (GAN, SSD, RL) and one-word surnames match as written."""
    if _ACRONYM_RE.match(alias) and any(c.isalpha() for c in alias):
        return True
    return entity.kind == "person" and " " not in alias and not _CJK_RE.search(alias)


def _build_pattern(keys: Iterable[str], *, word_start: bool = False) -> str:
    """A regular expression: a trie of ``keys``, each word-initial key guarded so that it
    starts a word, then an optional plural or depth suffix (checked in Python).

    ``word_start``: every key starts with a letter or digit; one guard in front of the
    trie lets the regex engine skip the middle of words without trying any key.

    >>> regex = re.compile(_build_pattern(["gan", "gru"], word_start=True))
    >>> [m.group() for m in regex.finditer("organ gans, gru")]
    ['gans', 'gru']
    """
    trie: dict[str, Any] = {}
    for key in keys:
        node = trie
        for ch in key:
            node = node.setdefault(ch, {})
        node[""] = {}

    def emit(node: dict[str, Any], top: bool) -> str:
        alternatives = []
        for ch in sorted(c for c in node if c):
            piece = _SEP if ch == " " else re.escape(ch)
            if top and not word_start and _WORD_CHAR_RE.match(ch):
                # Checked right after the first character (so the regex engine can still
                # skip ahead on the first character): the one before it must not be a
                # letter or digit.
                piece += f"(?<![{_WORD_CHARS}].)"
            alternatives.append(piece + emit(node[ch], False))
        if not alternatives:
            return ""
        body = alternatives[0] if len(alternatives) == 1 else f"(?:{'|'.join(alternatives)})"
        if "" in node:
            body = f"(?:{body})?"
        return body

    guard = f"(?<![{_WORD_CHARS}])" if word_start else ""
    return guard + emit(trie, True) + _SUFFIX


_MATCHERS: "weakref.WeakKeyDictionary[Vocabulary, _Matcher]" = weakref.WeakKeyDictionary()


def _matcher(vocab: Vocabulary) -> _Matcher:
    matcher = _MATCHERS.get(vocab)
    if matcher is None:
        matcher = _MATCHERS[vocab] = _Matcher(vocab)
    return matcher


# ---------------------------------------------------------------------------------------
# Public API


def link_entities(text: str, vocab: Vocabulary, *,
                  context_entities: frozenset[str] = frozenset()) -> list[Mention]:
    """Every vocabulary entity named in ``text``, in order, with its sentence.

    A bare surname that is also a common word ("He", "Ng", "Sun") names a person only when
    ``context_entities`` holds that person (a heading or hint mentions them), and never as
    a pronoun ("He proposed ...").

    >>> from graph.vocabulary import load_vocabulary
    >>> vocab = load_vocabulary()
    >>> [m.surface for m in link_entities("Training CNNs with GANs", vocab)]
    ['CNNs', 'GANs']
    >>> [m.entity_id for m in link_entities("He et al. introduced it", vocab,
    ...     context_entities=frozenset({"person:kaiming-he"}))]
    ['person:kaiming-he']
    """
    if not text:
        return []
    matcher = _matcher(vocab)
    spans = matcher.scan(text)
    people = [e for e in context_entities if e.startswith("person:")]
    if people:
        spans = _merge(spans, matcher.scan_surnames(text, people))
    return _mentions(text, spans)


def link_heading(text: str, vocab: Vocabulary) -> list[Mention]:
    """Link a reading-list heading, note or hint line: exact matches, bare surnames (the
    line is about people), and fuzzy matches of misspelt words ("REINFOCEMENT-Learning").

    >>> from graph.vocabulary import load_vocabulary
    >>> vocab = load_vocabulary()
    >>> [m.entity_id for m in link_heading("REINFOCEMENT-Learning", vocab)]
    ['topic:reinforcement-learning']
    >>> [m.entity_id for m in link_heading(" 小样本/泛化       Ng", vocab)]
    ['topic:few-shot-learning', 'topic:generalization', 'person:andrew-ng']
    """
    if not text:
        return []
    matcher = _matcher(vocab)
    spans = matcher.scan(text)
    if "(" in text or "（" in text:  # "Graph Convolutional Networks (GCN)" is not the CNN
        inside = inside_other_names(text, spans, acronym_definitions(text), vocab)
        spans = [s for i, s in enumerate(spans) if i not in inside]
    spans = _merge(spans, matcher.scan_surnames(text, matcher.unambiguous_surname_people()))
    spans = _merge(spans, _fuzzy_spans(text, spans, matcher))
    return _mentions(text, spans)


def resolve_person(name: str, vocab: Vocabulary) -> str:
    """The node id of a person named ``name``: a known person by any spelling, else
    ``person:<slug of the normalized name>``.

    >>> from graph.vocabulary import load_vocabulary
    >>> vocab = load_vocabulary()
    >>> resolve_person("He Kaiming", vocab) == resolve_person("何恺明", vocab)
    True
    >>> resolve_person("Jane  van Doe", vocab)
    'person:jane-van-doe'
    """
    return resolve_person_entity(name, vocab)[0]


def resolve_person_entity(name: str, vocab: Vocabulary) -> tuple[str, Entity | None]:
    """Like :func:`resolve_person`, also giving the vocabulary entry (None if unknown).

    A "name" with no letters at all (``""``, ``"..."``) gives ``("", None)``.

    >>> from graph.vocabulary import load_vocabulary
    >>> resolve_person_entity("Yann Lecun", load_vocabulary())[1].label
    'Yann LeCun'
    """
    if not name or not name.strip():
        return "", None
    entity = vocab.person_by_name(name)
    if entity is not None:
        return entity.id, entity
    slug = slugify(normalize_person_name(name))
    return (f"person:{slug}", None) if slug else ("", None)


def reading_list_relations(seeds: Sequence[Mapping[str, Any]],
                           hints: Sequence[Mapping[str, Any]],
                           vocab: Vocabulary) -> list[dict[str, Any]]:
    """Edges the reading list itself states.

    ``listed_under``: ``page:<url>`` -> each topic/method named in the seed's heading or
    notes. ``works_on``: person -> topic/method, from hint lines and from headings/notes
    that name people with topics ("Ross Girshick (RCNN+Yolo) + He Kaiming (ResNet)": each
    person gets the methods right after their name). ``source`` is
    ``reading-list:L<line>`` and ``evidence`` that line's text.

    >>> from graph.vocabulary import load_vocabulary
    >>> edges = reading_list_relations([], [{"line": 6, "text": "self-supervised  Yann Lecun",
    ...                                      "kind": "hint"}], load_vocabulary())
    >>> [(e["src"], e["rel"], e["dst"]) for e in edges]
    [('person:yann-lecun', 'works_on', 'topic:self-supervised-learning')]
    """
    edges: dict[tuple[str, str, str, str], dict[str, Any]] = {}
    cache: dict[tuple[int, str], list[Mention]] = {}

    def linked(line: int, text: str) -> list[Mention]:
        if (line, text) not in cache:
            cache[(line, text)] = link_heading(text, vocab)
        return cache[(line, text)]

    def add(src: str, dst: str, rel: str, line: int, text: str) -> None:
        source = f"reading-list:L{line}"
        edges.setdefault((src, dst, rel, source), {
            "src": src, "dst": dst, "rel": rel, "source": source,
            "evidence": _clip(text.strip()), "weight": 1.0,
        })

    def works_on(line: int, text: str) -> None:
        for person, concept in _pair_people(linked(line, text), vocab):
            add(person, concept, "works_on", line, text)

    for seed in seeds:
        url = seed.get("url")
        lines: list[tuple[int, str]] = []
        if seed.get("heading") and seed.get("heading_line"):
            lines.append((int(seed["heading_line"]), str(seed["heading"])))
        notes, note_lines = _as_list(seed.get("notes")), _as_list(seed.get("note_lines"))
        lines += [(int(n), str(t)) for t, n in zip(notes, note_lines) if t]
        for line, text in lines:
            for m in linked(line, text):
                if url and vocab[m.entity_id].kind in ("method", "topic"):
                    add(f"page:{url}", m.entity_id, "listed_under", line, text)
            works_on(line, text)
    for hint in hints:
        if hint.get("text") and hint.get("line") is not None:
            works_on(int(hint["line"]), str(hint["text"]))
    return list(edges.values())


# ---------------------------------------------------------------------------------------
# Internals


def _merge(spans: list[tuple[int, int, str]],
           extra: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """Add spans that overlap none already there."""
    if not extra:
        return spans
    out = list(spans)
    starts = sorted(spans)
    for span in extra:
        i = bisect.bisect_left(starts, span)
        clash = (i > 0 and starts[i - 1][1] > span[0]) or (
            i < len(starts) and starts[i][0] < span[1])
        if not clash:
            starts.insert(i, span)
            out.append(span)
    return sorted(out)


def _mentions(text: str, spans: list[tuple[int, int, str]]) -> list[Mention]:
    if not spans:
        return []
    ends = _sentence_ends(text)
    last = len(ends)
    out = []
    sentences: dict[tuple[int, int], str] = {}  # mentions share sentences
    right, left = bisect.bisect_right, bisect.bisect_left
    new = tuple.__new__  # what Mention(...) does, without its Python-level __new__
    for start, end, entity_id in spans:
        i = right(ends, start) - 1
        lo = ends[i] if i >= 0 else 0
        j = left(ends, end)
        hi = ends[j] if j < last else len(text)
        if hi - lo > MAX_SENTENCE:
            sentence = _sentence(text, lo, hi, start, end)
        else:
            sentence = sentences.get((lo, hi))
            if sentence is None:
                sentence = sentences[(lo, hi)] = _sentence(text, lo, hi, start, end)
        out.append(new(Mention, (entity_id, start, end, text[start:end], sentence)))
    return out


def _sentence_ends(text: str) -> list[int]:
    """Where sentences end: after "。", "！", "？", "；" or a newline, and after ".", "!"
    or "?" followed by a space or the end (not "3.5", "e.g.x").

    >>> _sentence_ends("R-CNN 3.5 is old. YOLO！x")
    [17, 23]
    """
    # One character class and a check in Python: several times faster than a pattern
    # with a look-ahead, which the regex engine tries at every character.
    out, n = [], len(text)
    for m in _SENTENCE_MARK_RE.finditer(text):
        end = m.end()
        if end < n and text[end - 1] in ".!?" and not text[end].isspace():
            continue
        out.append(end)
    return out


def _sentence(text: str, lo: int, hi: int, start: int, end: int) -> str:
    if hi - lo > MAX_SENTENCE:
        # A very long "sentence" (a table, a list without stops): a window around the mention.
        width = MAX_SENTENCE - (end - start)
        lo = max(lo, start - width // 2)
        hi = min(hi, lo + MAX_SENTENCE)
    return _clip(" ".join(text[lo:hi].split()))


def _clip(text: str) -> str:
    return text if len(text) <= MAX_SENTENCE else text[: MAX_SENTENCE - 1] + "…"


_FUZZY_WORD_RE = re.compile(r"[A-Za-z][A-Za-z0-9]*")
_FUZZY_GAP_RE = re.compile(r"[\s\-_]{1,3}")
_FUZZY_MIN_LEN = 6


def _max_edits(length: int) -> int:
    """Typos allowed in a phrase of this length: none below 6 characters."""
    return 0 if length < _FUZZY_MIN_LEN else 1 if length < 12 else 2 if length < 24 else 3


def _fuzzy_spans(text: str, taken: list[tuple[int, int, str]],
                 matcher: _Matcher) -> list[tuple[int, int, str]]:
    """Misspelt names in a heading: phrases of 1-4 words within a few edits of an alias."""
    words = [(m.start(), m.end(), m.group().lower()) for m in _FUZZY_WORD_RE.finditer(text)]
    free = [w for w in words if not any(s < w[1] and w[0] < e for s, e, _ in taken)]
    index = matcher.fuzzy_keys()
    known = matcher.alias_words()
    candidates = []
    for i in range(len(free)):
        for j in range(i, min(i + 4, len(free))):
            if j > i and not _FUZZY_GAP_RE.fullmatch(text[free[j - 1][1]:free[j][0]]):
                break
            phrase = " ".join(w[2] for w in free[i:j + 1])
            limit = _max_edits(len(phrase))
            if limit == 0 or phrase in matcher.keys or all(
                    w[2] in known for w in free[i:j + 1]):
                # Too short to guess, an exact alias that matching already turned down (a
                # case-sensitive acronym written in lower case), or words the vocabulary
                # itself spells this way ("detection" is no misspelt "Detectron").
                continue
            best = None
            for key, entity_id in index.get(phrase[0], ()):
                if abs(len(key) - len(phrase)) > limit:
                    continue
                distance = edit_distance(phrase, key, limit)
                if distance <= limit and (best is None or distance < best[0]):
                    best = (distance, entity_id)
            if best:
                candidates.append((-best[0], free[j][1] - free[i][0], free[i][0], free[j][1],
                                   best[1]))
    chosen: list[tuple[int, int, str]] = []
    for _, _, start, end, entity_id in sorted(candidates, reverse=True):
        if not any(s < end and start < e for s, e, _ in chosen):
            chosen.append((start, end, entity_id))
    return sorted(chosen)


def edit_distance(a: str, b: str, limit: int) -> int:
    """Levenshtein distance with adjacent transpositions, giving up above ``limit``.

    >>> edit_distance("reinfocement learning", "reinforcement learning", 3)
    1
    """
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cost = 0 if ca == cb else 1
            value = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                value = min(value, previous2[j - 2] + 1)
            current[j] = value
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return previous[-1]


def _pair_people(mentions: list[Mention], vocab: Vocabulary) -> list[tuple[str, str]]:
    """Who works on what in one line: a lone person gets every topic/method of the line;
    several people each get those in the segment next to their name (after it when the
    line starts with a person, before it otherwise)."""
    items = sorted(mentions, key=lambda m: m.start)
    people = [m for m in items if vocab[m.entity_id].kind == "person"]
    concepts = [m for m in items if vocab[m.entity_id].kind in ("method", "topic")]
    if not people or not concepts:
        return []
    pairs = []
    if len({p.entity_id for p in people}) == 1:
        return [(people[0].entity_id, c.entity_id) for c in concepts]
    after = items[0] in people
    for c in concepts:
        if after:
            before = [p for p in people if p.start < c.start]
            owner = before[-1] if before else people[0]
        else:
            later = [p for p in people if p.start > c.start]
            owner = later[0] if later else people[-1]
        pairs.append((owner.entity_id, c.entity_id))
    return list(dict.fromkeys(pairs))


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return [value]
    return list(value) if isinstance(value, (list, tuple)) else [value]
