"""arXiv id recognition: URLs, text, validation, normalisation."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from graph.arxiv_ids import (
    MAX_EVIDENCE,
    arxiv_abs_url,
    arxiv_id_from_url,
    arxiv_ids_in_text,
    is_valid_arxiv_id,
    normalize_arxiv_id,
)

URLS = [
    # the reading list's own link
    ("https://arxiv.org/pdf/1710.07035.pdf", "1710.07035"),
    ("https://arxiv.org/pdf/1710.07035", "1710.07035"),
    ("https://arxiv.org/pdf/1710.07035v1.pdf", "1710.07035"),
    ("https://arxiv.org/pdf/1506.01497v3", "1506.01497"),
    ("https://arxiv.org/abs/1506.01497v3", "1506.01497"),
    ("https://arxiv.org/abs/1506.01497/", "1506.01497"),
    ("https://arxiv.org/abs/1506.01497?context=cs", "1506.01497"),
    ("https://arxiv.org/abs/1506.01497#comments", "1506.01497"),
    ("http://www.arxiv.org/abs/1512.03385", "1512.03385"),
    ("HTTPS://ARXIV.ORG/ABS/1512.03385", "1512.03385"),
    ("http://export.arxiv.org/abs/1409.4842", "1409.4842"),
    ("https://arxiv.org/html/2301.00001v2", "2301.00001"),
    ("https://arxiv.org/format/1504.08083", "1504.08083"),
    ("https://ar5iv.org/abs/1506.02640", "1506.02640"),
    ("https://ar5iv.labs.arxiv.org/html/1512.02325v5", "1512.02325"),
    ("arxiv.org/abs/1512.03385", "1512.03385"),
    ("https://doi.org/10.48550/arXiv.1506.01497", "1506.01497"),
    # old-style ids: the subject class is not part of the id
    ("https://arxiv.org/abs/cs/0112017", "cs/0112017"),
    ("https://arxiv.org/abs/math.GT/0309136", "math/0309136"),
    ("https://arxiv.org/pdf/hep-th/9901001v2.pdf", "hep-th/9901001"),
    ("http://xxx.lanl.gov/abs/hep-th/9711200", "hep-th/9711200"),
    # not a paper, or not arXiv
    ("https://www.alphaxiv.org/abs/1506.01497", None),
    ("https://fooarxiv.org/abs/1506.01497", None),
    ("https://arxiv.org.example.com/abs/1506.01497", None),
    ("https://example.com/abs/1506.01497", None),
    ("https://arxiv.org/list/cs.CV/recent", None),
    ("https://arxiv.org/a/girshick_r_1", None),
    ("https://export.arxiv.org/api/query?id_list=1506.01497", None),
    ("https://arxiv.org/", None),
    # ids that break the rules
    ("https://arxiv.org/abs/1513.01497", None),     # month 13
    ("https://arxiv.org/abs/1506.0149", None),      # 4 digits after 2014
    ("https://arxiv.org/abs/1409.48421", None),     # 5 digits before 2015
    ("https://arxiv.org/abs/0612.0001", None),      # before April 2007
    ("https://arxiv.org/abs/foo-bar/0112017", None),
    ("not a url", None),
    ("", None),
]


@pytest.mark.parametrize("url, expected", URLS)
def test_arxiv_id_from_url(url, expected):
    assert arxiv_id_from_url(url) == expected


VALID = [
    ("1506.01497", True), ("1506.01497v2", True), ("0704.0001", True), ("1412.9999", True),
    ("1501.00001", True), ("2411.12345v10", True), ("1409.4842", True),
    ("cs/0112017", True), ("math.GT/0309136", True), ("hep-th/9901001v2", True),
    ("hep-th/9108001", True), ("cs/0703001", True),
    ("1506.0149", False), ("1409.48421", False), ("1513.01497", False), ("1500.01497", False),
    ("0703.0001", False), ("1506.00000", False), ("1506.01497v0", False), ("1506.01497v", False),
    ("arXiv:1506.01497", False), (" 1506.01497", False), ("1506.014970", False),
    ("cs/0704001", False), ("hep-th/9001001", False), ("hep-th/9913001", False),
    ("hep-th/9901000", False), ("foo/0112017", False), ("HEP-TH/9901001", False),
    ("cs/012017", False), ("", False), (None, False), (1506.01497, False),
]


@pytest.mark.parametrize("value, expected", VALID)
def test_is_valid_arxiv_id(value, expected):
    assert is_valid_arxiv_id(value) is expected


@pytest.mark.parametrize("value, expected", [
    ("1506.01497v3", "1506.01497"),
    (" arXiv:1506.01497 ", "1506.01497"),
    ("arxiv：1506.01497", "1506.01497"),
    ("ARXIV: 1506.01497v2", "1506.01497"),
    ("math.GT/0309136v1", "math/0309136"),
    ("hep-th/9901001v2", "hep-th/9901001"),
    ("https://arxiv.org/pdf/1710.07035.pdf", "1710.07035"),
    ("arxiv.org/abs/cs/0112017", "cs/0112017"),
    ("1.2.3", None), ("1506.0149", None), ("", None), (None, None), (42, None),
])
def test_normalize_arxiv_id(value, expected):
    assert normalize_arxiv_id(value) == expected


TEXTS = [
    ("Faster R-CNN, arXiv:1506.01497, is fast.", ["1506.01497"]),
    ("arXiv 1506.01497v2 improves on it", ["1506.01497"]),
    ("arXiv: 1506.01497", ["1506.01497"]),
    ("论文见 arXiv：1512.03385。", ["1512.03385"]),
    ("S. Ren. Faster R-CNN. arXiv preprint arXiv:1506.01497, 2015.", ["1506.01497"]),
    ("arXiv ID: 1409.4842", ["1409.4842"]),
    ("see arxiv.org/abs/1512.03385 for details", ["1512.03385"]),
    ("see <https://arxiv.org/pdf/1710.07035.pdf>", ["1710.07035"]),
    ("doi:10.48550/arXiv.1502.03167", ["1502.03167"]),
    ("arXiv:cs/0112017 and arXiv: math.GT/0309136", ["cs/0112017", "math/0309136"]),
    ("as shown in hep-th/9901001v2,", ["hep-th/9901001"]),
    # bare new-style numbers are not ids: versions, dates, page ranges, citations
    ("Cited as [1311.2524].", []),
    ("Version 1506.01497 of the tool; release 2015.12345; pages 1409.4842", []),
    # an old-style id inside somebody else's path is not taken
    ("https://example.com/math/0309136", []),
    ("https://www.alphaxiv.org/abs/1506.01497", []),
    # context, but an impossible id
    ("arXiv:1513.01497 and arXiv:1506.014975", []),
    ("", []),
]


@pytest.mark.parametrize("text, expected", TEXTS)
def test_arxiv_ids_in_text(text, expected):
    assert [i for i, _ in arxiv_ids_in_text(text)] == expected


def test_text_ids_come_with_the_citing_sentence():
    text = ("Two-stage detectors came first. Faster R-CNN (arXiv:1506.01497v3) shares "
            "features\nwith the\tdetector! YOLO is arXiv:1506.02640. Again arXiv:1506.01497.")
    assert arxiv_ids_in_text(text) == [
        ("1506.01497", "Faster R-CNN (arXiv:1506.01497v3) shares features"),
        ("1506.02640", "YOLO is arXiv:1506.02640."),
    ]


def test_sentence_ends_at_line_breaks_and_sentence_marks():
    text = "Heading\nFaster R-CNN (arXiv:1506.01497) shares features. Next one.\nTail"
    assert arxiv_ids_in_text(text) == [
        ("1506.01497", "Faster R-CNN (arXiv:1506.01497) shares features.")]
    # A full stop inside the context ("no.") does not cut the sentence.
    assert arxiv_ids_in_text("It is arXiv no. 1506.01497 here.") == [
        ("1506.01497", "It is arXiv no. 1506.01497 here.")]


def test_each_paper_once_with_its_first_sentence():
    text = "First arxiv.org/abs/1512.03385v1.\nThen arXiv:1512.03385 again. ResNet."
    assert arxiv_ids_in_text(text) == [("1512.03385", "First arxiv.org/abs/1512.03385v1.")]


def test_long_sentences_are_clipped_around_the_id():
    text = "word " * 200 + "cites arXiv:1506.01497 here " + "tail " * 200
    [(arxiv_id, evidence)] = arxiv_ids_in_text(text)
    assert arxiv_id == "1506.01497"
    assert len(evidence) <= MAX_EVIDENCE
    assert "cites arXiv:1506.01497 here" in evidence
    assert evidence.startswith("…word ") and evidence.endswith(" tail…")


def test_abs_url():
    assert arxiv_abs_url("1506.01497") == "https://arxiv.org/abs/1506.01497"


# Every valid new-style id round-trips through every URL form.
_new_ids = st.builds(
    lambda yy, mm, n: f"{yy:02d}{mm:02d}." + (f"{n % 10000:04d}" if (yy, mm) <= (14, 12)
                                              else f"{n:05d}"),
    st.integers(8, 30), st.integers(1, 12), st.integers(1, 99999),
).filter(is_valid_arxiv_id)


@given(_new_ids, st.sampled_from(["", "v1", "v12"]),
       st.sampled_from(["https://arxiv.org/abs/{}", "http://export.arxiv.org/pdf/{}.pdf",
                        "arxiv.org/pdf/{}", "https://ar5iv.labs.arxiv.org/html/{}"]))
def test_url_forms_round_trip(arxiv_id, version, form):
    url = form.format(arxiv_id + version)
    assert arxiv_id_from_url(url) == arxiv_id
    assert normalize_arxiv_id(arxiv_id + version) == arxiv_id
    assert arxiv_ids_in_text(f"See {url} and arXiv:{arxiv_id}{version}.")[0][0] == arxiv_id
