"""Precision@10 of keyword extractors on the labelled pages of tests/fixtures/keywords/.

Matching rule (the same for every extractor): a predicted keyword matches a gold keyword
when both normalise to the same string, where normalising is NFKC, lower case, hyphens
read as spaces, spaces next to a Han character dropped ("Wasserstein 距离" is
"wasserstein距离"), and each Latin word folded to a singular by a plain suffix rule
(-ies -> -y; -es after s, x, z, ch, sh -> ''; -s -> '' except after s, u, i). A gold
keyword is a list of accepted forms (an abbreviation and its expansion); each counts at
most once, so a second form of a keyword already matched is a miss. Precision@10 is the
matches among the first 10 predictions over 10: returning fewer than 10 costs too.

Run ``python -m tests.keyword_eval`` to print the table.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from pathlib import Path

import yaml

FIXTURES = Path(__file__).parent / "fixtures" / "keywords"
K = 10
_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"


def _singular(word: str) -> str:
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 4 and word.endswith("es") and word[:-2].endswith(("s", "x", "z", "ch", "sh")):
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def normalise(phrase: str) -> str:
    """The form a keyword is compared in.

    >>> normalise("Region-Proposal  Networks"), normalise("Wasserstein 距离")
    ('region proposal network', 'wasserstein距离')
    """
    text = unicodedata.normalize("NFKC", phrase).lower().replace("-", " ")
    text = re.sub(rf"\s*([{_HAN}]+)\s*", r"\1", " ".join(text.split()))
    return re.sub(r"[a-z]+", lambda m: _singular(m.group()), text)


@lru_cache(maxsize=None)
def pages(lang: str) -> tuple[dict, ...]:
    """The labelled pages of one language ('en', 'zh')."""
    data = yaml.safe_load((FIXTURES / f"{lang}.yaml").read_text(encoding="utf-8"))
    return tuple(data)


def precision_at_k(predicted: list[str], gold: list[list[str]], k: int = K) -> float:
    """Matches among the first k predictions, over k.

    >>> precision_at_k(["CNNs", "cnn", "pooling", "x"], [["CNN"], ["max pooling"]], k=4)
    0.25
    """
    open_gold = [{normalise(f) for f in forms} for forms in gold]
    hits = 0
    for word in predicted[:k]:
        key = normalise(word)
        for i, forms in enumerate(open_gold):
            if key in forms:
                hits += 1
                del open_gold[i]
                break
    return hits / k


def ours(text: str, lang: str) -> list[str]:
    from graph.text import keywords

    return keywords(text, lang, k=K)


@lru_cache(maxsize=None)
def _yake(lang: str, n: int):
    import yake

    return yake.KeywordExtractor(lan=lang, n=n, top=K)


def yake_keywords(text: str, lang: str, n: int = 3) -> list[str]:
    """YAKE with its defaults (n-grams up to `n` words, dedup 0.9). YAKE splits words at
    spaces, so Chinese is first cut into jieba words, with 。！？ read as sentence ends
    (YAKE's splitter knows only Latin ones), and the spaces between Han characters are
    taken out of the keywords again."""
    if lang == "zh":
        from graph.text import _jieba

        text = re.sub(r"[。！？；]", ". ", text)
        text = re.sub(r"[，、：（）“”]", " , ", text)
        text = " ".join(_jieba().lcut(text))
    found = [w for w, _ in _yake(lang, n).extract_keywords(text)]
    if lang == "zh":
        found = [re.sub(rf"(?<=[{_HAN}]) +(?=[{_HAN}])", "", w) for w in found]
    return found


EXTRACTORS = {
    "ours": ours,
    "YAKE n=3": lambda text, lang: yake_keywords(text, lang, 3),
    "YAKE n=2": lambda text, lang: yake_keywords(text, lang, 2),
}


def scores(extractor, lang: str) -> dict[str, float]:
    """Precision@10 per page id."""
    return {p["id"]: precision_at_k(extractor(p["text"], lang), p["keywords"])
            for p in pages(lang)}


def table() -> dict[tuple[str, str], float]:
    """(extractor, lang) -> mean precision@10."""
    out = {}
    for name, extractor in EXTRACTORS.items():
        for lang in ("en", "zh"):
            per_page = scores(extractor, lang)
            out[name, lang] = sum(per_page.values()) / len(per_page)
    return out


def report() -> str:
    rows = table()
    lines = [f"precision@{K}  {'en':>5} {'zh':>5}"]
    for name in EXTRACTORS:
        lines.append(f"{name:<12} {rows[name, 'en']:5.3f} {rows[name, 'zh']:5.3f}")
    return "\n".join(lines)


if __name__ == "__main__":
    print(report())
    import sys

    if "-v" in sys.argv:
        for lang in ("en", "zh"):
            for p in pages(lang):
                print(p["id"], ours(p["text"], lang))
                print("   yake", yake_keywords(p["text"], lang))
