"""Text work on documents: language, sentences, extractive summaries, keywords.

Pure functions, offline (no data downloads). Chinese goes through jieba, loaded once on
first use; everything else is regular expressions and a TextRank over sentences.

>>> detect_language("卷积神经网络（CNN）是一种深度学习模型。")
'zh'
>>> split_sentences("See Fig. 2, e.g. the top row. It is 3.5 times better!")
['See Fig. 2, e.g. the top row.', 'It is 3.5 times better!']
"""

from __future__ import annotations

import hashlib
import logging
import math
import re
import unicodedata
import warnings
from collections import Counter, defaultdict
from functools import lru_cache
from itertools import combinations
from pathlib import Path

from graph import _stopwords

# Long PDFs: only the opening part is read, so every call stays fast.
MAX_CHARS = 50_000
MAX_SENTENCES = 200
MAX_SENTENCE_CHARS = {"cjk": 150, "other": 300}
CJK_LANGS = ("zh", "ja")

_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_HAN_RE = re.compile(f"[{_HAN}]")
_KANA_RE = re.compile("[\u3041-\u3096\u30a1-\u30fa]")  # not ・ or ー, which Chinese uses too
_HANGUL_RE = re.compile("[\uac00-\ud7af\u1100-\u11ff\u3131-\u318e]")
_CYRILLIC_WORD = re.compile("[\u0400-\u04ff]+")
_LATIN_WORD = re.compile(r"[A-Za-z\u00c0-\u024f]+(?:['’-][A-Za-z\u00c0-\u024f]+)*")
_CJK_RUN = re.compile(f"[{_HAN}\u3041-\u30ff]+")
_JA_TERM = re.compile(f"[{_HAN}]{{2,}}|[\u30a1-\u30fa\u30fc]{{2,}}")  # kanji or katakana
# A term as written in technical text: R-CNN, ResNet-50, word2vec (not the x3 of 3x3)
_TERM = re.compile(r"(?<![A-Za-z0-9])[A-Za-z][A-Za-z0-9]*(?:-[A-Za-z0-9]+)*")
# Words of any alphabet (über, réseau), numbers like 3x3 whole, punctuation one by one
_TOKEN = re.compile(r"(?<!\w)[^\W\d_]\w*(?:-\w+)*|\d[\w.]*|[^\w\s]|_")
_ZH_TOKEN = re.compile(rf"{_TERM.pattern}|[{_HAN}]+")
_URL = re.compile(r"(?:https?://|www\.)\S+")
_WORD = re.compile(r"[^\W\d_][\w-]*")

# Abbreviations whose period never ends a sentence (compared lower-case, without dots).
_ABBREVIATIONS = frozenset("eg ie al fig figs eq eqs vs cf dr mr mrs ms prof sec ch approx "
                           "resp vol pp ref refs viz dept univ".split())
_CLOSERS = "\"'”’»)\\]」』）》"
_BOUNDARY = re.compile(
    rf"[.!?]+[{_CLOSERS}]*(?:\s+|(?=[{_HAN}]))"   # Latin: needs a space (or Chinese) after
    rf"|[。！？；]+[{_CLOSERS}]*\s*")                 # Chinese: ends a sentence as it is
_ENDS = ".!?。！？；" + _CLOSERS
_PARAGRAPH = re.compile(r"\n[ \t\u3000]*\n")
_WRAP_HYPHEN = re.compile(r"[A-Za-z]-$")
_BULLET = re.compile(r"^(?:[-*•·▪●]|\(?\d{1,2}[.)]\s|[（(]?[一二三四五六七八九十]+[、.)）])")


def detect_language(text: str | None) -> str | None:
    """The document's language by script: 'zh', 'ja', 'ko', 'ru', or for Latin script
    'en' (or 'de', 'fr', 'es' when their function words dominate); None if too little text.

    Han characters are weighed one-for-one against Latin words, so a Chinese post full of
    "R-CNN" and "ResNet" stays Chinese.

    >>> detect_language("Faster R-CNN 论文笔记"), detect_language("The network is deep.")
    ('zh', 'en')
    >>> detect_language("2024 - 1.5") is None
    True
    """
    return _detect(text[:20_000] if text else "")


@lru_cache(maxsize=4)  # the crawl, summarize() and keywords() ask about the same text
def _detect(sample: str) -> str | None:
    han, kana = len(_HAN_RE.findall(sample)), len(_KANA_RE.findall(sample))
    latin = [w.lower() for w in _LATIN_WORD.findall(sample)]
    # Japanese mixes kanji and kana; Chinese has no kana beyond a stray character.
    japanese = kana >= 2 and kana >= 0.2 * (han + kana)
    scores = {"ja" if japanese else "zh": han + kana, "ko": len(_HANGUL_RE.findall(sample)),
              "ru": len(_CYRILLIC_WORD.findall(sample)), "en": len(latin)}
    best = max(scores, key=lambda k: (scores[k], k == "en"))
    if sum(scores.values()) < 2:
        return None
    if best != "en":
        return best
    hits = {lang: sum(w in words for w in latin) for lang, words in _stopwords.DETECT.items()}
    return max(hits, key=lambda k: (hits[k], k == "en"))


def _heading(line: str) -> bool:
    """Whether a line without a sentence end reads as a heading rather than as the first
    part of a wrapped sentence: short, or in Title Case, or Chinese without a comma.

    >>> _heading("CS231n Convolutional Neural Networks for Visual Recognition")
    True
    >>> _heading("the network is trained on ImageNet with a batch of 256 images and")
    False
    """
    if line[-1] in _ENDS or line[-1] in ",，、;；":
        return False
    han = len(_HAN_RE.findall(line))
    if len(line) + han < 40:
        return True
    if han:  # Chinese wraps mid-clause, where a comma is rarely far away
        return len(line) + han < 80 and not re.search("[,，、；;。]", line)
    words = [w for w in _LATIN_WORD.findall(line) if len(w) > 3]
    return len(line) < 160 and len(words) >= 2 and \
        sum(w[0].isupper() for w in words) >= 0.75 * len(words)


def _paragraphs(text: str):
    """Blank lines end paragraphs. A single newline is a PDF line wrap (joined) unless the
    line before is a heading (see _heading) or the next is a list item, and the next line
    does not go on in lower case. (HTML text has one line per block: a title glued to the
    first sentence would lead the summary and make keywords across the two.)"""
    for block in _PARAGRAPH.split(text.replace("\r\n", "\n").replace("\r", "\n")):
        buf, prev = "", ""
        for line in filter(None, (ln.strip() for ln in block.split("\n"))):
            # Han characters are twice as wide: 20 of them make a short line
            if buf and not line[0].islower() and (_BULLET.match(line) or _heading(prev)):
                yield buf
                buf = ""
            if not buf:
                buf = line
            elif _HAN_RE.match(buf[-1]) or _HAN_RE.match(line[0]) or _WRAP_HYPHEN.search(buf):
                buf += line  # Chinese and hyphenated wraps join without a space
            else:
                buf += " " + line
            prev = line
        if buf:
            yield buf


def _is_boundary(para: str, m: re.Match) -> bool:
    """Whether the end mark matched at `m` ends a sentence."""
    mark = m.group().strip()
    if mark[0] in "。！？；" or m.end() >= len(para):
        return True
    if para[m.end()].islower():  # "e.g. the", "et al. showed", "etc. and"
        return False
    if mark[0] != ".":
        return True
    token = para[:m.start()].rsplit(None, 1)[-1].lstrip("([{\"'“‘") if m.start() else ""
    if token.lower().replace(".", "") in _ABBREVIATIONS:
        return False
    return not re.fullmatch(r"(?:[A-Za-z]\.)+[A-Za-z]|[A-Z]", token)  # U.S., "Y. LeCun"


def split_sentences(text: str | None, lang: str | None = None) -> list[str]:
    """Sentences ending in . ! ? or 。！？；, and paragraphs; trimmed, none empty.
    Periods in decimals, versions, URLs, "e.g.", "et al.", "Fig." and "U.S." do not split.
    (`lang` is accepted for symmetry: the rules above hold for every language.)

    >>> split_sentences("卷积是什么？它提取特征。Girshick et al. proposed R-CNN.")
    ['卷积是什么？', '它提取特征。', 'Girshick et al. proposed R-CNN.']
    """
    return list(_split_cached(text or ""))


@lru_cache(maxsize=4)  # summarize() and keywords() of one document share the work
def _split_cached(text: str) -> tuple[str, ...]:
    out: list[str] = []
    for para in _paragraphs(text):
        start, pending = 0, ""
        for m in _BOUNDARY.finditer(para):
            if _is_boundary(para, m):
                piece = pending + para[start:m.end()].strip()
                pending, start = "", m.end()
                if any(c.isalpha() for c in piece):
                    out.append(piece)
                else:  # "1." or "(2)" alone is a list number: keep it with what follows
                    pending = piece + " "
        rest = (pending + para[start:].strip()).strip()
        if rest:
            out.append(rest)
    return tuple(out)


@lru_cache(maxsize=1)
def _jieba():
    """jieba, loaded once, quietly (it logs, and warns about pkg_resources)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import jieba

        jieba.setLogLevel(logging.WARNING)
        jieba.initialize()
    return jieba


_IDF: list = []  # jieba's IDF table once loaded: a table, not a memo (no cache_clear)


def _zh_idf() -> tuple[dict[str, float], float]:
    """jieba's IDF table (word -> IDF) and its median, read as jieba.analyse reads it,
    once per process. Not through jieba.analyse: importing it also loads the
    part-of-speech tagger and its TextRank, 130 MB and 0.4 s per process for a table of
    270,000 words."""
    if not _IDF:
        path = Path(_jieba().__file__).parent / "analyse" / "idf.txt"
        idf: dict[str, float] = {}
        with path.open(encoding="utf-8") as lines:  # line by line: half the peak memory
            for line in lines:
                word, freq = line.strip().split(" ")
                idf[word] = float(freq)
        _IDF.append((idf, sorted(idf.values())[len(idf) // 2]))
    return _IDF[0]


@lru_cache(maxsize=8192)
def _zh_pieces(sentence: str) -> tuple[tuple[str, bool], ...]:
    """jieba words of the Chinese runs, Latin terms (R-CNN, ResNet) kept whole, each with
    whether punctuation comes before it (a space does not count: 条件 GAN is one phrase)."""
    jieba = _jieba()
    out: list[tuple[str, bool]] = []
    last = 0
    for m in _ZH_TOKEN.finditer(sentence):
        cut = bool(sentence[last:m.start()].strip())
        last = m.end()
        for w in jieba.lcut(m.group()) if _HAN_RE.match(m.group()) else [m.group()]:
            out.append((w, cut))
            cut = False
    return tuple(out)


def _zh_words(sentence: str) -> tuple[str, ...]:
    """jieba words of the Chinese runs; Latin terms (R-CNN, ResNet) kept whole."""
    return tuple(w for w, _ in _zh_pieces(sentence))


@lru_cache(maxsize=65536)
def _key(word: str) -> str:
    """Case- and plural-folded form: 'Networks' -> 'network', 'CNNs' -> 'cnn'."""
    w = word.lower()
    if len(w) > 4 and w.endswith("ies"):
        return w[:-3] + "y"
    if len(w) > 3 and w.endswith("s") and not w.endswith(("ss", "us", "is", "ics")):
        return w[:-1]
    return w


@lru_cache(maxsize=4096)  # summarize() and Chinese keywords() read the same sentences
def _terms(sentence: str, lang: str) -> tuple[str, ...]:
    """Content words of a sentence, in order: Chinese by jieba, Japanese as character
    bigrams, the rest by spaces; stopwords and single characters dropped."""
    if lang == "zh":
        return tuple(w for w in _zh_words(sentence) if len(w) > 1
                     and w not in _stopwords.ZH and w.lower() not in _stopwords.EN)
    if lang == "ja":
        return tuple(r[i:i + 2] for r in _CJK_RUN.findall(sentence) for i in range(len(r) - 1))
    stop = _stopwords.STOP.get(lang, _stopwords.EN)
    return tuple(w for w in _WORD.findall(sentence) if len(w) > 1 and w.lower() not in stop)


def _clip(sentence: str, lang: str) -> str:
    """A sentence cut at a word boundary near the limit, marked with an ellipsis."""
    limit = MAX_SENTENCE_CHARS["cjk" if lang in CJK_LANGS else "other"]
    if len(sentence) <= limit:
        return sentence
    cut = sentence[:limit]
    space = cut.rfind(" ")
    return (cut[:space] if space > limit * 0.6 else cut).rstrip(" ,;:，、") + "…"


def _document(text: str, lang: str | None) -> tuple[str, list[str]]:
    """The language ('zh-CN' -> 'zh'; detected when not given) and the opening sentences."""
    lang = (lang or "").split("-")[0].split("_")[0].lower() or detect_language(text) or "en"
    return lang, split_sentences(text[:MAX_CHARS])[:MAX_SENTENCES]


def _textrank(terms: list[set[str]], prior: list[float], alpha: float = 0.85,
              tol: float = 1e-6, max_iter: int = 200) -> list[float]:
    """PageRank of the sentence graph (edge weight: shared words over the log-lengths),
    as networkx computes it: power iteration from the uniform vector, the normalised
    `prior` as personalization and as the jump of dangling sentences, stopping when the
    L1 change drops below len(terms) * tol. A dense matrix: at most MAX_SENTENCES rows,
    and building a networkx graph cost more than the ranking itself. After `max_iter`
    rounds the last vector is returned (networkx raises instead).

    >>> [round(r, 3) for r in _textrank([{"a", "b"}, {"a"}, {"c"}], [1.0, 1.0, 1.0])]
    [0.465, 0.465, 0.07]
    """
    import numpy as np  # here: language detection alone should not pay for it

    n = len(terms)
    index = defaultdict(list)  # word -> sentences: only pairs sharing a word are compared
    for i, words in enumerate(terms):
        for w in words:
            index[w].append(i)
    pairs = Counter(pair for ids in index.values() if len(ids) > 1
                    for pair in combinations(ids, 2))
    size = [math.log1p(len(words)) for words in terms]
    weights = np.zeros((n, n))
    if pairs:
        a, b = np.array(list(pairs), dtype=np.intp).T
        shared = np.fromiter(pairs.values(), dtype=float, count=len(pairs))
        w = shared / (np.take(size, a) + np.take(size, b))
        weights[a, b] = w
        weights[b, a] = w
    out = weights.sum(axis=1)
    dangling = out == 0
    out[~dangling] = 1.0 / out[~dangling]
    weights *= out[:, None]  # row-stochastic
    p = np.array(prior, dtype=float)
    p /= p.sum()
    x = np.full(n, 1.0 / n)
    for _ in range(max_iter):
        last = x
        x = alpha * (x @ weights + sum(x[dangling]) * p) + (1 - alpha) * p
        if np.absolute(x - last).sum() < n * tol:
            break
    return x.tolist()


def summarize(text: str | None, lang: str | None = None, sentences: int = 3) -> str:
    """An extractive summary: the `sentences` best sentences by TextRank (PageRank over
    word-overlap similarity, with a prior for early sentences), in document order, joined
    with a space (Chinese and Japanese: with nothing). A text that short comes back whole.

    >>> summarize("Short text.  Two sentences.")
    'Short text. Two sentences.'
    """
    lang, sents = _document(text or "", lang)
    joiner = "" if lang in CJK_LANGS else " "
    if len(sents) <= max(sentences, 0):
        return joiner.join(_clip(s, lang) for s in sents)
    terms = [{_key(w) for w in _terms(s, lang)} for s in sents]
    rank = _textrank(terms, [1 / math.sqrt(i + 1) for i in range(len(sents))])
    # Headings and fragments make poor summaries: full sentences go first.
    full = {i for i, s in enumerate(sents) if len(terms[i]) >= 3 and s[-1] in _ENDS}
    chosen: list[int] = []
    for i in sorted(range(len(sents)), key=lambda i: (i not in full, -round(rank[i], 12), i)):
        if len(chosen) >= sentences:
            break
        if all(len(terms[i] & terms[j]) < 0.8 * len(terms[i] | terms[j]) for j in chosen):
            chosen.append(i)  # (a near-repeat of a chosen sentence adds nothing)
    return joiner.join(_clip(sents[i], lang) for i in sorted(chosen))


@lru_cache(maxsize=65536)
def _verbish(lower: str) -> bool:
    """A verb or an adverb, which ends a keyword phrase: 'publishes', 'substantially'.

    >>> _verbish("publishes"), _verbish("mainly"), _verbish("family"), _verbish("learning")
    (True, True, False, False)
    """
    return lower in _stopwords.VERBS or (
        len(lower) > 4 and lower.endswith("ly") and lower not in _stopwords.NOT_ADVERBS)


def _display(key: str, forms: Counter) -> str:
    """The singular form if the text has it (CNN, not CNNs), else the most frequent."""
    return min(forms, key=lambda f: (f.lower() != key, -forms[f], len(f), f))


def keywords(text: str | None, lang: str | None = None, k: int = 10) -> list[str]:
    """About `k` keywords in the document's language, best first.

    Phrases of 1-3 content words, never across a stopword, a verb or adverb (English), a
    punctuation mark, a sentence or a heading, scored by frequency and length with nested
    phrases discounted (C-value). Latin script: lower-case except acronyms and CamelCase
    (CNN, R-CNN, ResNet); one form per word, never both "network" and "networks".
    Chinese: phrases of jieba words, weighed by the words' IDF, English terms kept whole.

    >>> keywords("CNNs use convolution. A CNN stacks convolutional layers. "
    ...          "Convolutional layers learn filters.", k=3)
    ['convolutional layers', 'CNN', 'convolution']
    >>> keywords("目标检测算法很多。目标检测需要边界框。边界框回归很重要。", "zh", k=2)
    ['边界框', '目标检测']
    """
    lang, sents = _document(text or "", lang)
    if lang == "ja":
        counts = Counter(r for s in sents for r in _JA_TERM.findall(s))
        return sorted(counts, key=lambda w: (-counts[w], w))[:k]
    if lang == "zh":
        return _rank_phrases(*_zh_runs(sents), k, _zh_weight())
    stop = _stopwords.STOP.get(lang, _stopwords.EN)
    runs: list[list[str]] = []  # stretches of content words between stopwords and punctuation
    seen: list[tuple[str, str, bool]] = []  # (key, form, case folded?) in document order
    for s in sents:
        run: list[str] = []
        # In a Title Case heading capitals say nothing; at a sentence start neither.
        title = s[-1] not in _ENDS and _heading(s)
        for pos, word in enumerate(_TOKEN.findall(_URL.sub(" . ", s)) + ["."]):
            lower = word.lower()
            if word[0].isalpha() and len(word) > 1 and lower not in stop \
                    and (lang != "en" or not _verbish(lower)):
                # Acronyms and CamelCase keep their case.
                keep = not word[1:].islower() or (pos and word[0].isupper() and not title)
                key = _key(lower)
                # a capital folded away is the form shown only if the text has no other
                seen.append((key, word if keep else lower, not keep and word[0].isupper()))
                run.append(key)
            elif run:
                runs.append(run)
                run = []
    return _rank_phrases(runs, seen, k)


def _rank_phrases(runs: list[list[str]], seen: list[tuple[str, str, bool]], k: int,
                  weight=None) -> list[str]:
    """The best `k` phrases of 1-3 consecutive words of the runs, by C-value times the
    mean `weight` of their words; `seen` gives the forms in document order, and whether
    each is a capital folded to lower case (the form shown only for want of another)."""
    counts = Counter(tuple(r[i:i + n]) for r in runs for n in (1, 2, 3)
                     for i in range(len(r) - n + 1))
    forms: defaultdict[str, Counter] = defaultdict(Counter)
    folded: defaultdict[str, Counter] = defaultdict(Counter)
    for (key, form, fold), n in Counter(seen).items():
        (folded if fold else forms)[key][form] = n
    for key, found in folded.items():
        forms.setdefault(key, found)
    # C-value: a phrase's count minus the mean count of the repeated longer phrases holding
    # it, with a bonus for length. A phrase only ever seen inside one longer phrase is left
    # to that phrase ("selective" in "selective search"); phrases seen once rank last.
    holders: defaultdict[tuple, list[int]] = defaultdict(list)
    absorbed = set()
    for phrase, n in counts.items():
        for size in range(1, len(phrase)):
            for i in range(len(phrase) - size + 1):
                sub = phrase[i:i + size]
                holders[sub] += [n] if n > 1 else []
                if counts[sub] == n:
                    absorbed.add(sub)
    scores = {}
    for phrase, n in counts.items():
        held = holders.get(phrase)
        own = n - (sum(held) / len(held) if held else 0)
        if phrase not in absorbed and (weight is None or weight(phrase[0]) is not None):
            boost = 1.0 if weight is None else sum(weight(w) or 1.0 for w in phrase) / len(phrase)
            scores[phrase] = (own * (1 + math.log2(len(phrase))) if n > 1 else 0.3) * boost
    out: list[str] = []
    taken: list[set] = []
    first = {key: i for i, (key, *_) in reversed(list(enumerate(seen)))}
    # Ties go to the phrase met first: titles and opening sentences name the subject.
    for phrase in sorted(scores, key=lambda p: (-round(scores[p], 9), first[p[0]], p)):
        words = set(phrase)
        if (len(phrase) == 1 and phrase[0] in _stopwords.WEAK) or phrase[-1].endswith(_ADJECTIVE):
            continue  # a noun phrase does not end in an adjective: "CS231n convolutional neural"
        if scores[phrase] > 0 and not any(words <= t or t <= words for t in taken):
            taken.append(words)
            out.append(_join(_phrase_case([_display(w, forms[w]) for w in phrase], forms)))
            if len(out) >= k:
                break
    return out


def _phrase_case(words: list[str], forms) -> list[str]:
    """One case per phrase: beside a lower-case word, a Capitalised one the text also
    writes in lower case is lowered ("ordinary neural networks", not "ordinary Neural
    Networks"); names stay ("Markov chains", "Faster R-CNN")."""
    if not any(w.islower() for w in words):
        return words
    return [w.lower() if w[:1].isupper() and w[1:].islower() and w.lower() in forms[_key(w.lower())]
            else w for w in words]


# Endings of adjectives only (not of nouns such as "proposal", "tutorial", "signal").
_ADJECTIVE = ("ional", "ural", "ical", "ous")


def _join(words: list[str]) -> str:
    """Words of a phrase: Chinese ones touch, others take a space (残差网络, Wasserstein 距离)."""
    out = words[0]
    for w in words[1:]:
        out += w if _HAN_RE.match(out[-1]) and _HAN_RE.match(w[0]) else " " + w
    return out


# Characters that, as a jieba word of their own, end a Chinese phrase.
_ZH_BREAK = frozenset(["基于", "来自", "哪些", "之上", "相比", "以便", *"的了是在和与及或等把被对将从由向为就都也而且并其每各该此这那有中上下个种用让使到"])


def _zh_runs(sents: list[str]) -> tuple[list[list[str]], list[tuple[str, str, bool]]]:
    """Runs of Chinese content words (jieba) and English terms between stopwords and
    punctuation (spaces do not end a run: 条件 GAN); single characters join a phrase
    ("边界" + "框") but never start one."""
    runs: list[list[str]] = []
    seen: list[tuple[str, str, bool]] = []
    for s in sents:
        run: list[str] = []
        for w, cut in (*_zh_pieces(s), ("。", True)):
            if cut and run:
                runs.append(run)
                run = []
            han = bool(_HAN_RE.match(w))
            if (han and w not in _stopwords.ZH and w not in _ZH_BREAK and (len(w) > 1 or run)) \
                    or (not han and len(w) > 1 and w[0].isalpha()
                        and w.lower() not in _stopwords.EN):
                key = w if han else _key(w)
                seen.append((key, w, False))
                run.append(key)
            elif run:
                runs.append(run)
                run = []
    return runs, seen


@lru_cache(maxsize=1)
def _zh_weight():
    """A word's IDF over the median IDF, cubed: the IDF must outweigh the counts of "模型"
    and "训练" (English terms: 1, as method names they are rarely common words); None for a
    lone character, which may not start a phrase."""
    idf, median = _zh_idf()

    def weight(word: str) -> float | None:
        if _HAN_RE.match(word):
            return (idf.get(word, median) / median) ** 3 if len(word) > 1 else None
        return 1.0
    return weight


def text_fingerprint(text: str | None) -> str:
    """sha1 of the text with case, width, punctuation and spacing folded away, for
    spotting the same document under two URLs.

    >>> text_fingerprint("Deep  Learning!") == text_fingerprint("deep learning")
    True
    """
    folded = unicodedata.normalize("NFKC", text or "").casefold()
    return hashlib.sha1(" ".join(re.findall(r"[^\W_]+", folded)).encode()).hexdigest()
