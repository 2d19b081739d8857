"""The vocabulary: methods, topics and people with their aliases and relations.

The data lives in ``graph/vocabulary.yaml`` so that people can read and extend it without
touching code; this module loads it, checks it and answers look-ups.

>>> vocab = load_vocabulary()
>>> vocab["method:faster-r-cnn"].label
'Faster R-CNN'
>>> vocab.lookup("何恺明").id
'person:kaiming-he'
>>> normalize_person_name("He Kaiming") == normalize_person_name("Kaiming  He")
True
"""

from __future__ import annotations

import os
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable, Iterator, Mapping

import yaml

DEFAULT_PATH = Path(__file__).with_name("vocabulary.yaml")
KINDS = ("method", "topic", "person")
CONCEPT_KINDS = ("method", "topic")

_SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_ARXIV_RE = re.compile(r"^(?:\d{4}\.\d{4,5}|[a-z\-]+(?:\.[A-Z]{2})?/\d{7})$")
_CJK_RE = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
# Hyphens, dashes, underscores and white space all separate words in an alias: "R-CNN",
# "R CNN" and "R_CNN" are one key.
_SEPARATORS_RE = re.compile(r"[\s\-_\u2010-\u2015\u00b7\u30fb]+")


class VocabularyError(ValueError):
    """The vocabulary file is malformed; the message names every offending entry."""


@dataclass(frozen=True)
class Entity:
    """A method, topic or person of the vocabulary.

    ``aliases`` holds every surface form (the label first); relations hold node ids.

    >>> Entity("method:gan", "method", "GAN").id
    'method:gan'
    """

    id: str
    kind: str
    label: str
    aliases: tuple[str, ...] = ()
    year: int | None = None
    category: str | None = None
    arxiv_id: str | None = None
    evolved_from: tuple[str, ...] = ()
    part_of: tuple[str, ...] = ()
    introduced_by: tuple[str, ...] = ()
    works_on: tuple[str, ...] = ()
    affiliation: str | None = None
    chinese_name: str | None = None
    # A bare surname ("Ng", "He") that names this person only with context (a heading,
    # a hint line, or a caller that knows the person is being talked about).
    surname: str | None = None
    # Aliases that match only exactly as written ("mAP" is not "map").
    exact: tuple[str, ...] = ()
    # Aliases that are also ordinary words ("小样本" is also "a small sample"): running text
    # means the entity by them only where it also names it another way.
    ambiguous: tuple[str, ...] = ()


@dataclass(frozen=True, eq=False)
class Vocabulary:
    """All entities by id, with alias look-ups. Build it with :func:`load_vocabulary`."""

    entities: Mapping[str, Entity]
    path: str = ""
    _by_key: Mapping[str, str] = field(default_factory=dict, repr=False)
    _people_by_name: Mapping[str, str] = field(default_factory=dict, repr=False)

    def __getitem__(self, entity_id: str) -> Entity:
        return self.entities[entity_id]

    def __contains__(self, entity_id: object) -> bool:
        return entity_id in self.entities

    def __iter__(self) -> Iterator[Entity]:
        return iter(self.entities.values())

    def __len__(self) -> int:
        return len(self.entities)

    def get(self, entity_id: str) -> Entity | None:
        return self.entities.get(entity_id)

    def of_kind(self, kind: str) -> list[Entity]:
        return [e for e in self.entities.values() if e.kind == kind]

    @property
    def methods(self) -> list[Entity]:
        return self.of_kind("method")

    @property
    def topics(self) -> list[Entity]:
        return self.of_kind("topic")

    @property
    def people(self) -> list[Entity]:
        return self.of_kind("person")

    def lookup(self, surface: str) -> Entity | None:
        """The entity one of whose aliases is ``surface`` (any case, any separators).

        >>> load_vocabulary().lookup("faster rcnn").id
        'method:faster-r-cnn'
        """
        entity_id = self._by_key.get(alias_key(surface))
        return self.entities[entity_id] if entity_id else None

    def person_by_name(self, name: str) -> Entity | None:
        """A known person by any written form of the name (order, case, accents, initials)."""
        entity = self.lookup(name)
        if entity is not None and entity.kind == "person":
            return entity
        norm = normalize_person_name(name)
        entity_id = self._people_by_name.get(norm) or self._people_by_name.get(
            _sorted_tokens(norm)
        )
        return self.entities[entity_id] if entity_id else None

    def alias_keys(self) -> Mapping[str, str]:
        """Normalized alias key -> entity id (the matcher in graph.linking builds on it)."""
        return self._by_key

    def relations(self) -> list[dict[str, Any]]:
        """The vocabulary's own edges, in the graph contract's shape.

        evolved_from (method -> method), part_of (-> topic), works_on (person -> topic or
        method, from works_on and introduced_by) and introduces (paper -> method, from the
        arXiv id of the introducing paper).

        >>> any(r["rel"] == "evolved_from" and r["src"] == "method:fast-r-cnn"
        ...     for r in load_vocabulary().relations())
        True
        """
        out: dict[tuple[str, str, str], dict[str, Any]] = {}

        def add(src: str, dst: str, rel: str, evidence: str) -> None:
            out.setdefault(
                (src, dst, rel),
                {"src": src, "dst": dst, "rel": rel, "source": "vocabulary",
                 "evidence": evidence[:300], "weight": 1.0},
            )

        for e in self.entities.values():
            for target in e.evolved_from:
                add(e.id, target, "evolved_from",
                    f"{e.label} evolved from {self.entities[target].label}")
            for target in e.part_of:
                add(e.id, target, "part_of", f"{e.label} is part of {self.entities[target].label}")
            for person in e.introduced_by:
                when = f" ({e.year})" if e.year else ""
                add(person, e.id, "works_on",
                    f"{self.entities[person].label} introduced {e.label}{when}")
            for target in e.works_on:
                add(e.id, target, "works_on",
                    f"{e.label} works on {self.entities[target].label}")
            if e.arxiv_id and e.kind == "method":
                add(f"paper:arXiv:{e.arxiv_id}", e.id, "introduces",
                    f"arXiv:{e.arxiv_id} introduces {e.label}")
        return list(out.values())


# ---------------------------------------------------------------------------------------
# Names and keys


def strip_accents(text: str) -> str:
    """Drop diacritics: ``Dollár`` -> ``Dollar``.

    >>> strip_accents("Piotr Dollár, Léon Bottou, Jürgen")
    'Piotr Dollar, Leon Bottou, Jurgen'
    """
    text = text.translate(_LATIN_EXTRA)
    decomposed = unicodedata.normalize("NFKD", text)
    return unicodedata.normalize(
        "NFKC", "".join(c for c in decomposed if not unicodedata.combining(c))
    )


# Letters that NFKD does not decompose.
_LATIN_EXTRA = str.maketrans({"ø": "o", "Ø": "O", "ł": "l", "Ł": "L", "đ": "d", "Đ": "D",
                              "æ": "ae", "Æ": "AE", "ß": "ss", "œ": "oe", "Œ": "OE"})


def slugify(name: str) -> str:
    """A readable id part: lower case, no accents, words joined by ``-``.

    >>> slugify("Faster R-CNN"), slugify("1x1 convolution"), slugify("Piotr Dollár")
    ('faster-r-cnn', '1x1-convolution', 'piotr-dollar')
    >>> slugify("何恺明")
    '何恺明'
    """
    text = strip_accents(name).lower().replace("+", " plus ")
    return re.sub(r"[\W_]+", "-", text).strip("-")


def alias_key(surface: str) -> str:
    """The key under which an alias is matched: NFKC, lower case, one space between words.

    >>> alias_key("R-CNN") == alias_key("r cnn") == alias_key("R_CNN")
    True
    """
    text = unicodedata.normalize("NFKC", surface).lower()
    return _SEPARATORS_RE.sub(" ", text).strip()


_TITLES_RE = re.compile(r"^(?:by|dr|prof|professor|mr|ms|mrs)\.?\s+", re.I)
_SUFFIX_RE = re.compile(r",?\s+(?:ph\.?d|jr|sr|ii|iii)\.?$", re.I)

# Common Chinese surnames in pinyin: a two-word name that starts with one of them and does
# not end with one ("He Kaiming", "Li Feifei") is written surname first, so it is turned
# around to match the given-name-first form most English texts use.
_PINYIN_SURNAMES = frozenset(
    """
    bai cai cao chang chen cheng cui dai deng ding dong du duan fan fang feng fu gao ge
    gong gu guo han hao he hou hu hua huang jia jiang jin kang kong lai lei li liang liao
    lin liu long lu luo lv ma mao meng mo ni ng niu ou pan peng qi qian qiao qin qiu ren
    shao shen shi song su sun tan tang tao tian wan wang wei wen weng wu xia xiang xiao xie
    xiong xu xue yan yang yao ye yin yu yuan zeng zhang zhao zheng zhong zhou zhu zou
    """.split()
)


def normalize_person_name(name: str) -> str:
    """A comparison key for a person's name, readable enough to slug into an id.

    Case, accents, extra spaces, titles and middle initials do not count; "Last, First"
    and Chinese surname-first order ("He Kaiming") become "first last"; hyphens inside a
    given name go ("Fei-Fei" = "Feifei").

    >>> normalize_person_name("Geoffrey E. Hinton")
    'geoffrey hinton'
    >>> normalize_person_name("He Kaiming") == normalize_person_name("Kaiming He")
    True
    >>> normalize_person_name("Piotr Dollár"), normalize_person_name("LeCun, Yann")
    ('piotr dollar', 'yann lecun')
    """
    text = unicodedata.normalize("NFKC", name).strip()
    text = _TITLES_RE.sub("", text)
    text = _SUFFIX_RE.sub("", text)
    if _CJK_RE.search(text):
        # Chinese names: no case, no order games; drop spaces and the middle dot.
        return re.sub(r"[\s\u00b7\u30fb.]+", "", text)
    text = strip_accents(text).lower()
    if text.count(",") == 1:
        last, first = (part.strip() for part in text.split(","))
        text = f"{first} {last}"
    tokens = [t for t in re.split(r"[\s,]+", text) if t]
    tokens = [re.sub(r"[^\w']", "", t.replace("-", "")) for t in tokens]
    tokens = [t for t in tokens if t]
    if len(tokens) >= 3:
        # Middle initials ("E." in "Geoffrey E. Hinton") are written or dropped at will.
        inner = [t for t in tokens[1:-1] if len(t) > 1]
        tokens = [tokens[0], *inner, tokens[-1]]
    if (len(tokens) == 2 and tokens[0] in _PINYIN_SURNAMES
            and tokens[1] not in _PINYIN_SURNAMES):
        tokens = [tokens[1], tokens[0]]
    return " ".join(tokens)


def _sorted_tokens(norm: str) -> str:
    return " ".join(sorted(norm.split()))


# ---------------------------------------------------------------------------------------
# Loading and checking

_CONCEPT_FIELDS = {"id", "name", "kind", "category", "year", "arxiv", "aliases", "zh",
                   "exact", "ambiguous", "evolved_from", "part_of", "introduced_by",
                   "note"}
_PERSON_FIELDS = {"id", "name", "chinese_name", "aliases", "surname", "affiliation",
                  "works_on", "note"}


def load_vocabulary(path: str | os.PathLike[str] | None = None) -> Vocabulary:
    """Load and check a vocabulary file (default: the bundled ``graph/vocabulary.yaml``).

    The same file, unchanged, gives the same object, so matchers built on it are reused.
    Raises :class:`VocabularyError` naming each bad entry.
    """
    resolved = Path(path or DEFAULT_PATH).resolve()
    try:
        mtime = resolved.stat().st_mtime_ns
    except OSError as exc:
        raise VocabularyError(f"{resolved}: cannot read the vocabulary: {exc}") from exc
    return _load_cached(str(resolved), mtime)


@lru_cache(maxsize=8)
def _load_cached(path: str, mtime: int) -> Vocabulary:
    text = Path(path).read_text(encoding="utf-8")
    return parse_vocabulary(text, path)


def parse_vocabulary(text: str, path: str = "<vocabulary>") -> Vocabulary:
    """Build a checked :class:`Vocabulary` from YAML text (see ``load_vocabulary``)."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        data = yaml.load(text, Loader=loader)
    except yaml.YAMLError as exc:
        raise VocabularyError(f"{path}: not valid YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise VocabularyError(f"{path}: expected a mapping with 'concepts' and 'people'")
    unknown_sections = set(data) - {"version", "concepts", "people"}
    problems: list[str] = []
    if unknown_sections:
        problems.append(f"unknown top-level section(s): {', '.join(sorted(unknown_sections))}")
    raw_concepts = data.get("concepts") or []
    raw_people = data.get("people") or []
    if not isinstance(raw_concepts, list) or not isinstance(raw_people, list):
        raise VocabularyError(f"{path}: 'concepts' and 'people' must be lists of entries")

    entries: list[tuple[str, dict[str, Any], str]] = []  # (entity id, raw entry, where)
    seen: dict[str, str] = {}
    for section, items, fields in (("concepts", raw_concepts, _CONCEPT_FIELDS),
                                   ("people", raw_people, _PERSON_FIELDS)):
        for n, raw in enumerate(items, 1):
            where = f"{section}[{n}]"
            if not isinstance(raw, dict):
                problems.append(f"{where}: expected a mapping, got {raw!r:.60}")
                continue
            slug = raw.get("id")
            where = f"{section}[{n}] '{slug}'"
            if not isinstance(slug, str) or not _SLUG_RE.match(slug):
                problems.append(f"{where}: id must be a slug like 'faster-r-cnn'")
                continue
            extra = set(raw) - fields
            if extra:
                problems.append(f"{where}: unknown field(s) {', '.join(sorted(extra))}")
            if not isinstance(raw.get("name"), str) or not raw["name"].strip():
                problems.append(f"{where}: missing 'name'")
                continue
            if section == "concepts":
                kind = raw.get("kind")
                if kind not in CONCEPT_KINDS:
                    problems.append(f"{where}: kind {kind!r} must be 'method' or 'topic'")
                    continue
            else:
                kind = "person"
            entity_id = f"{kind}:{slug}"
            if slug in seen and (kind == "person") == (seen[slug] == "person"):
                problems.append(f"{where}: duplicate id (also {seen[slug]}:{slug})")
                continue
            seen[slug] = kind
            entries.append((entity_id, raw, where))

    ids = {eid for eid, _, _ in entries}
    concept_by_slug = {eid.split(":", 1)[1]: eid for eid in ids if not eid.startswith("person:")}

    def resolve(ref: Any, kinds: tuple[str, ...], rel: str, where: str) -> str | None:
        if not isinstance(ref, str):
            problems.append(f"{where}: {rel} target {ref!r} is not a string")
            return None
        if ":" in ref:
            target = ref
        elif kinds == ("person",):
            target = f"person:{ref}"
        else:
            target = concept_by_slug.get(ref, f"{kinds[0]}:{ref}")
        if target not in ids:
            problems.append(f"{where}: {rel} target '{ref}' is not defined")
            return None
        if target.split(":", 1)[0] not in kinds:
            problems.append(f"{where}: {rel} target '{ref}' must be a {' or '.join(kinds)}")
            return None
        return target

    entities: dict[str, Entity] = {}
    for entity_id, raw, where in entries:
        kind = entity_id.split(":", 1)[0]
        label = raw["name"].strip()
        aliases = _str_list(raw.get("aliases"), "aliases", where, problems)
        aliases += _str_list(raw.get("zh"), "zh", where, problems)
        exact = tuple(_str_list(raw.get("exact"), "exact", where, problems))
        ambiguous = tuple(_str_list(raw.get("ambiguous"), "ambiguous", where, problems))
        chinese_name = raw.get("chinese_name")
        if chinese_name is not None and not isinstance(chinese_name, str):
            problems.append(f"{where}: chinese_name must be a string")
            chinese_name = None
        surface = _dedupe([label, *(a for a in aliases), *exact, *ambiguous,
                           *([chinese_name] if chinese_name else [])])
        year = raw.get("year")
        if year is not None and (not isinstance(year, int) or not 1800 <= year <= 2100):
            problems.append(f"{where}: year {year!r} is not a year")
            year = None
        arxiv = raw.get("arxiv")
        if arxiv is not None:
            arxiv = str(arxiv).strip()
            if not _ARXIV_RE.match(arxiv):
                problems.append(f"{where}: arxiv {arxiv!r} is not a versionless arXiv id "
                                "(quote it: \"1506.01497\")")
                arxiv = None

        def refs(rel: str, kinds: tuple[str, ...]) -> tuple[str, ...]:
            out = []
            for ref in _str_list(raw.get(rel), rel, where, problems, allow_any=True):
                target = resolve(ref, kinds, rel, where)
                if target == entity_id:
                    problems.append(f"{where}: {rel} points to itself")
                elif target:
                    out.append(target)
            return tuple(_dedupe(out))

        if kind == "person":
            entity = Entity(
                id=entity_id, kind=kind, label=label, aliases=tuple(surface),
                works_on=refs("works_on", CONCEPT_KINDS),
                affiliation=_opt_str(raw.get("affiliation")),
                chinese_name=chinese_name,
                surname=_opt_str(raw.get("surname")) or _surname_of(label),
            )
        else:
            evolved = refs("evolved_from", ("method",))
            if kind == "topic" and evolved:
                problems.append(f"{where}: evolved_from is for methods")
            entity = Entity(
                id=entity_id, kind=kind, label=label, aliases=tuple(surface), year=year,
                category=_opt_str(raw.get("category")), arxiv_id=arxiv,
                evolved_from=evolved, part_of=refs("part_of", ("topic",)),
                introduced_by=refs("introduced_by", ("person",)), exact=exact,
                ambiguous=ambiguous,
            )
        entities[entity_id] = entity

    by_key = _alias_index(entities, problems)
    people_by_name: dict[str, str] = {}
    for e in entities.values():
        if e.kind != "person":
            continue
        for alias in e.aliases:
            norm = normalize_person_name(alias)
            if norm:
                people_by_name.setdefault(norm, e.id)
                people_by_name.setdefault(_sorted_tokens(norm), e.id)

    if problems:
        listing = "\n  - ".join(problems)
        raise VocabularyError(f"{path}: {len(problems)} problem(s):\n  - {listing}")
    return Vocabulary(entities=entities, path=path, _by_key=by_key,
                      _people_by_name=people_by_name)


def _alias_index(entities: Mapping[str, Entity], problems: list[str]) -> dict[str, str]:
    """Alias key -> entity id. Two entities may not share an alias."""
    by_key: dict[str, str] = {}
    for e in entities.values():
        for alias in e.aliases:
            key = alias_key(alias)
            if not key:
                continue
            owner = by_key.setdefault(key, e.id)
            if owner != e.id:
                problems.append(f"alias clash: '{alias}' of {e.id} is already an alias of {owner}")
    # Accent-free and hyphen-free spellings are added where they are free.
    for e in entities.values():
        for alias in e.aliases:
            for variant in alias_variants(alias):
                by_key.setdefault(alias_key(variant), e.id)
    return by_key


def alias_variants(alias: str) -> list[str]:
    """Spellings of an alias that are added automatically.

    >>> alias_variants("R-CNN"), alias_variants("Piotr Dollár")
    (['RCNN'], ['Piotr Dollar'])
    """
    out = []
    plain = strip_accents(alias)
    if plain != alias:
        out.append(plain)
    for form in (alias, plain):
        if "-" in form and not _CJK_RE.search(form):
            joined = re.sub(r"(?<=\w)-(?=\w)", "", form)
            if joined != form and joined not in out:
                out.append(joined)
    return out


def _surname_of(label: str) -> str | None:
    if _CJK_RE.search(label):
        return None
    parts = label.split()
    return parts[-1] if len(parts) >= 2 else None


def _str_list(value: Any, name: str, where: str, problems: list[str],
              allow_any: bool = False) -> list[Any]:
    if value is None:
        return []
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        problems.append(f"{where}: {name} must be a list")
        return []
    if allow_any:
        return list(value)
    out = []
    for item in value:
        if isinstance(item, (int, float)) and not isinstance(item, bool):
            item = str(item)
        if not isinstance(item, str) or not item.strip():
            problems.append(f"{where}: {name} entry {item!r} is not a string")
            continue
        out.append(item.strip())
    return out


def _opt_str(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _dedupe(items: list[str]) -> list[str]:
    seen: set[str] = set()
    out = []
    for item in items:
        if item not in seen:
            seen.add(item)
            out.append(item)
    return out


def extend_vocabulary(vocab: Vocabulary, entities: Iterable[Entity]) -> Vocabulary:
    """``vocab`` with more entities (learned from text); an alias another entity already
    has stays with that entity. Returns ``vocab`` itself when there is nothing to add, so
    matchers built on it are reused.

    >>> v = load_vocabulary()
    >>> w = extend_vocabulary(v, [Entity("method:moco", "method", "MoCo", ("MoCo", "ResNet"))])
    >>> w.lookup("moco").id, w.lookup("ResNet").id
    ('method:moco', 'method:resnet')
    """
    entities = [e for e in entities if e.id not in vocab.entities]
    if not entities:
        return vocab
    merged = dict(vocab.entities)
    by_key = dict(vocab.alias_keys())
    for e in entities:
        merged[e.id] = e
        for alias in e.aliases:
            for variant in (alias, *alias_variants(alias)):
                key = alias_key(variant)
                if key:
                    by_key.setdefault(key, e.id)
    return Vocabulary(entities=merged, path=vocab.path, _by_key=by_key,
                      _people_by_name=vocab._people_by_name)


LOCAL_VOCABULARY = "vocabulary.local.yaml"


def data_vocabulary(data_dir: str | os.PathLike[str]) -> Vocabulary:
    """The bundled vocabulary with ``<data_dir>/vocabulary.local.yaml`` merged in, when that
    file exists: its entries are added, and an entry with a bundled id replaces it. Its
    entries may refer to bundled ones (``evolved_from: [q-learning]``).

    Raises :class:`VocabularyError` naming the overlay's bad entries.
    """
    overlay = Path(data_dir) / LOCAL_VOCABULARY
    if not overlay.is_file():
        return load_vocabulary()
    try:
        mtime = overlay.stat().st_mtime_ns
    except OSError as exc:
        raise VocabularyError(f"{overlay}: cannot read the vocabulary: {exc}") from exc
    return _merged_cached(str(Path(DEFAULT_PATH).resolve()), str(overlay.resolve()), mtime)


@lru_cache(maxsize=4)
def _merged_cached(base_path: str, overlay_path: str, mtime: int) -> Vocabulary:
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    base = yaml.load(Path(base_path).read_text(encoding="utf-8"), Loader=loader)
    try:
        extra = yaml.load(Path(overlay_path).read_text(encoding="utf-8"), Loader=loader) or {}
    except yaml.YAMLError as exc:
        raise VocabularyError(f"{overlay_path}: not valid YAML: {exc}") from exc
    if not isinstance(extra, dict):
        raise VocabularyError(f"{overlay_path}: expected a mapping with 'concepts' and/or "
                              "'people'")
    merged = dict(base)
    for section in ("concepts", "people"):
        items = extra.get(section) or []
        if not isinstance(items, list):
            raise VocabularyError(f"{overlay_path}: '{section}' must be a list of entries")
        ids = {item.get("id") for item in items if isinstance(item, dict)}
        merged[section] = [e for e in base.get(section) or [] if e.get("id") not in ids] + items
    return parse_vocabulary(yaml.safe_dump(merged, allow_unicode=True),
                            f"{overlay_path} (merged with {base_path})")
