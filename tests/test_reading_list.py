"""Tests of crawler/reading_list.py: the bundled list line by line, malformed lists, files,
canonical URLs, and properties on arbitrary text."""

import re
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crawler.reading_list import (Hint, Problem, ReadingListError, canonical_url,
                                  parse_reading_list, read_reading_list)
from graph.store import Store

BUNDLED = Path(__file__).resolve().parents[1] / "crawler" / "reading-list.txt"


@pytest.fixture(scope="module")
def bundled():
    return read_reading_list(BUNDLED)


def seeds_on(rl, line):
    return [s for s in rl.seeds if s.line == line]


def only_seed(rl, line):
    (seed,) = seeds_on(rl, line)
    return seed


# -- the bundled list -----------------------------------------------------------------------

def test_bundled_counts(bundled):
    assert len(bundled.seeds) == 35
    assert len(bundled.distinct_urls) == 34
    assert bundled.problems == []
    assert bundled.path == str(BUNDLED)
    assert bundled.distinct_urls[0] == "http://www.sohu.com/a/134314399_465975"


# line: (url, heading, heading_line, notes, note_lines)
EXPECTED = {
    1: ("http://www.sohu.com/a/134314399_465975", None, None, [], []),
    4: ("https://arxiv.org/pdf/1710.07035.pdf", None, None, [], []),
    10: ("https://www.tuicool.com/articles/aUZ3q2r", None, None, [], []),
    14: ("http://slazebni.cs.illinois.edu/spring17/lec01_cnn_architectures.pdf", None, None,
         ["excellent review on CNN arch"], [14]),
    15: ("https://zhuanlan.zhihu.com/p/36290556", None, None, ["面试的问题，可以作为一个指导"], [15]),
    18: ("https://www.urlteam.org/2017/07/cnn%e7%bb%93%e6%9e%84%e6%a8%a1%e5%9e%8b%e4%b8%80%e5%8f"
         "%a5%e8%af%9d%e6%a6%82%e8%bf%b0%ef%bc%9a%e4%bb%8elenet%e5%88%b0shufflenet/",
         None, None, [], []),
    19: ("https://www.cnblogs.com/skyfsm/p/6806246.html", None, None, [], []),
    25: ("http://baijiahao.baidu.com/s?id=1601882944953788623&wfr=spider&for=pc", None, None,
         ["googLeNet比较好的介绍"], [26]),
    28: ("https://www.cnblogs.com/skyfsm/p/6806246.html", None, None, ["R-CNN系列"], [28]),
    29: ("https://www.cnblogs.com/zyber/p/6673383.html", None, None, [], []),
    33: ("https://www.cnblogs.com/bonelee/p/9029934.html", "From resnet to nasnet", 32, [], []),
    38: ("https://mohitjain.me/2018/03/20/faster-r-cnn/", "RCNN", 37, [], []),
    42: ("https://imlogm.github.io/%E6%B7%B1%E5%BA%A6%E5%AD%A6%E4%B9%A0/rcnn/", "RCNN", 37, [], []),
    45: ("https://mpatacchiola.github.io/blog/2016/12/09/dissecting-reinforcement-learning.html",
         "REINFOCEMENT-Learning", 44, [], []),
    46: ("https://skymind.ai/wiki/deep-reinforcement-learning", "REINFOCEMENT-Learning", 44,
         [], []),
    50: ("https://medium.com/@fractaldle/guide-to-build-faster-rcnn-in-pytorch-95b10c273439",
         "Object Detection", 48, [], []),
    53: ("http://www.rossgirshick.info/",
         "Ross Girshick from facebook （RCNN+Yolo） + He Kaiming (ResNet + RCNN) etc", 52, [], []),
    56: ("http://blog.christianperone.com/2018/03/pytorch-internal-architecture-tour/",
         "PyTorch internal", 55, [], []),
    57: ("https://pytorch.org/blog/a-tour-of-pytorch-internals-1/", "PyTorch internal", 55, [], []),
}


@pytest.mark.parametrize("line", sorted(EXPECTED))
def test_bundled_line(bundled, line):
    url, heading, heading_line, notes, note_lines = EXPECTED[line]
    seed = only_seed(bundled, line)
    assert (seed.url, seed.heading, seed.heading_line, seed.notes, seed.note_lines) == (
        url, heading, heading_line, notes, note_lines)


def test_bundled_details(bundled):
    raw_lines = BUNDLED.read_text(encoding="utf-8").split("\n")
    for seed in bundled.seeds:
        assert seed.raw == raw_lines[seed.line - 1]
    line10 = only_seed(bundled, 10)
    assert line10.raw == "https://www.tuicool.com/articles/aUZ3q2r "
    assert line10.listed_url == "https://www.tuicool.com/articles/aUZ3q2r"
    line18 = only_seed(bundled, 18)
    assert line18.listed_url == line18.url  # percent-encoding kept exactly, lower-case hex
    line53 = only_seed(bundled, 53)
    assert line53.listed_url == "http://www.rossgirshick.info/#girshick2014rcnn"
    assert line53.fragment == "girshick2014rcnn"
    assert [s.fragment for s in bundled.seeds].count(None) == 34
    assert [s.line for s in bundled.seeds if s.heading == "RCNN"] == [38, 39, 40, 41, 42]
    dup = [s for s in bundled.seeds if s.url == "https://www.cnblogs.com/skyfsm/p/6806246.html"]
    assert [(s.line, s.heading, s.notes) for s in dup] == [(19, None, []), (28, None, ["R-CNN系列"])]


def test_bundled_hints(bundled):
    assert bundled.hints == [
        Hint(6, "self-supervised  Yann Lecun", "hint"),
        Hint(7, "小样本/泛化       Ng", "hint"),
        Hint(14, "excellent review on CNN arch", "note"),
        Hint(15, "面试的问题，可以作为一个指导", "note"),
        Hint(26, "googLeNet比较好的介绍", "note"),
        Hint(28, "R-CNN系列", "note"),
        Hint(32, "From resnet to nasnet", "heading"),
        Hint(37, "RCNN", "heading"),
        Hint(44, "REINFOCEMENT-Learning", "heading"),
        Hint(48, "Object Detection", "heading"),
        Hint(52, "Ross Girshick from facebook （RCNN+Yolo） + He Kaiming (ResNet + RCNN) etc",
             "heading"),
        Hint(55, "PyTorch internal", "heading"),
    ]


def test_rows_fit_the_store(bundled):
    store = Store(":memory:")
    store.replace_reading_list(bundled.path, [s.as_row() for s in bundled.seeds],
                               [h.as_row() for h in bundled.hints],
                               [p.as_row() for p in bundled.problems])
    counts = store.counts()
    assert (counts["seeds"], counts["hints"], counts["problems"]) == (35, 12, 0)
    row = next(r for r in store.seeds() if r["line"] == 25)
    assert row["notes"] == ["googLeNet比较好的介绍"] and row["note_lines"] == [26]


# -- layouts and malformed lists ------------------------------------------------------------

@pytest.mark.parametrize("text", ["", "\n\n", "  \n\xa0\n\t\n", "\ufeff", "----\n***\n"])
def test_empty_lists(text):
    rl = parse_reading_list(text)
    assert (rl.seeds, rl.hints, rl.problems) == ([], [], [])


def test_only_hints():
    rl = parse_reading_list("self-supervised  Yann Lecun\n\xa0小样本/泛化\t Ng \n\n- GANs  Goodfellow")
    assert rl.seeds == [] and rl.problems == []
    assert rl.hints == [Hint(1, "self-supervised  Yann Lecun", "hint"),
                        Hint(2, "小样本/泛化  Ng", "hint"), Hint(4, "GANs  Goodfellow", "hint")]


def test_only_garbage():
    rl = parse_reading_list("ftp://files.example/a\njavascript:alert(1)\nfile:///etc/passwd\n"
                            "mailto:a@b.example\nhttp://\nhttps://exa mple\nhttp://.com\nhtp://x\n"
                            "http:/a.example/\nhttp://a.example:99999/\nhttp://999.1.1.1/")
    assert rl.seeds == [] and rl.hints == []
    reasons = {p.line: p.reason for p in rl.problems}
    assert [p.text for p in rl.problems][:2] == ["ftp://files.example/a", "javascript:alert(1)"]
    assert "scheme 'ftp' is not crawled" in reasons[1]
    assert "scheme 'javascript'" in reasons[2]
    assert "scheme 'file'" in reasons[3]
    assert "scheme 'mailto'" in reasons[4]
    assert reasons[5] == "http://: no host name"
    assert reasons[6] == "https://exa: host 'exa' is incomplete (no dot in the name)"
    assert "not a valid domain name" in reasons[7]
    assert reasons[8].startswith("htp://x: scheme 'htp'")
    assert "must be followed by '//'" in reasons[9]
    assert "malformed URL" in reasons[10]
    assert "not a valid IPv4 address" in reasons[11]
    assert all("\n" not in p.reason for p in rl.problems)


def test_problems_lose_nothing_else():
    rl = parse_reading_list("Heading\nftp://x.example/a\nhttps://a.example/ ftp://y.example/ note\n"
                            "https://b.example/")
    assert [(s.url, s.heading, s.notes) for s in rl.seeds] == [
        ("https://a.example/", "Heading", []), ("https://b.example/", "Heading", [])]
    assert [(p.line, p.text) for p in rl.problems] == [
        (2, "ftp://x.example/a"), (3, "https://a.example/ ftp://y.example/ note")]


def test_crlf_cr_and_bom():
    for text in ("\ufeffRCNN\r\nhttps://a.example/x \r\nnote\r\n",
                 "\ufeffRCNN\rhttps://a.example/x \rnote\r"):
        rl = parse_reading_list(text)
        (seed,) = rl.seeds
        assert (seed.line, seed.url, seed.raw, seed.heading, seed.notes, seed.note_lines) == (
            2, "https://a.example/x", "https://a.example/x ", "RCNN", ["note"], [3])


def test_tabs_nbsp_zero_width():
    rl = parse_reading_list("\tTopic\u200b\t\n"
                            "\xa0\thttps://a.\u200bexample/x\u200b\tgood\xa0read\n")
    (seed,) = rl.seeds
    assert (seed.url, seed.heading, seed.notes) == ("https://a.example/x", "Topic", ["good read"])


@pytest.mark.parametrize("line, url, notes", [
    ("(https://a.example/x)", "https://a.example/x", []),
    ("see (https://a.example/x).", "https://a.example/x", []),
    ("https://en.wikipedia.org/wiki/Foo_(bar)", "https://en.wikipedia.org/wiki/Foo_(bar)", []),
    ("(https://en.wikipedia.org/wiki/Foo_(bar))", "https://en.wikipedia.org/wiki/Foo_(bar)", []),
    ("（https://a.example/x）很好", "https://a.example/x", ["很好"]),
    ("链接：https://a.example/x，不错", "https://a.example/x", ["链接", "不错"]),
    ("《https://a.example/x》、", "https://a.example/x", []),
    ("“https://a.example/x”", "https://a.example/x", []),
    ("<https://a.example/x>", "https://a.example/x", []),
    ("https://a.example/x; https://a.example/x!", "https://a.example/x", []),
    ("[Faster R-CNN](https://a.example/x)", "https://a.example/x", ["Faster R-CNN"]),
    ("[Foo](https://en.wikipedia.org/wiki/Foo_(bar)) and more",
     "https://en.wikipedia.org/wiki/Foo_(bar)", ["Foo", "and more"]),
    ("1) https://a.example/x", "https://a.example/x", []),
    ("2. https://a.example/x - intro", "https://a.example/x", ["intro"]),
    ("- https://a.example/x", "https://a.example/x", []),
    ("* https://a.example/x", "https://a.example/x", []),
    ("• https://a.example/x：入门", "https://a.example/x", ["入门"]),
    ("https://a.example/x　全角空格后的注释", "https://a.example/x", ["全角空格后的注释"]),
    ("https://a.example/x -note", "https://a.example/x", ["note"]),
    ("Capsules: https://a.example/x", "https://a.example/x", ["Capsules"]),
    ("www.example.com/x", "http://www.example.com/x", []),
    ("HTTPS://WWW.Example.COM:443", "https://www.example.com/", []),
    ("https://a.example/%E6%B7%B1?q=%2F&r=A#frag", "https://a.example/%E6%B7%B1?q=%2F&r=A", []),
    ("https://a.example/路径/ x", "https://a.example/%E8%B7%AF%E5%BE%84/", ["x"]),
    ("https://bücher.example/", "https://xn--bcher-kva.example/", []),
])
def test_one_link_lines(line, url, notes):
    rl = parse_reading_list(line)
    (seed,) = rl.seeds
    assert (seed.url, seed.notes, rl.problems) == (url, notes, [])


def test_listed_url_and_fragment():
    (seed,) = parse_reading_list("(https://A.example/%e7#Sec-2).").seeds
    assert (seed.listed_url, seed.url, seed.fragment) == (
        "https://A.example/%e7#Sec-2", "https://a.example/%e7", "Sec-2")
    (seed,) = parse_reading_list("https://a.example/#").seeds
    assert seed.fragment is None


def test_two_links_on_a_line():
    rl = parse_reading_list("see https://a.example/x, and https://b.example/y.")
    assert [(s.url, s.notes, s.line) for s in rl.seeds] == [
        ("https://a.example/x", [], 1), ("https://b.example/y", [], 1)]
    rl = parse_reading_list("[A](https://a.example/) [B](https://b.example/)\nboth good")
    assert [(s.notes, s.note_lines) for s in rl.seeds] == [(["A", "both good"], [1, 2]),
                                                          (["B", "both good"], [1, 2])]
    assert rl.hints == [Hint(1, "A; B", "note"), Hint(2, "both good", "note")]


def test_same_link_twice_on_a_line_is_one_seed():
    rl = parse_reading_list("https://a.example/ https://a.example/#x again")
    assert [(s.url, s.notes) for s in rl.seeds] == [("https://a.example/", ["again"])]


def test_block_structure():
    rl = parse_reading_list("Detection\ntwo-stage\nhttps://a.example/\nabout a\n"
                            "https://b.example/\n====\nhttps://c.example/\nabout c\nmore on c\n"
                            "\nftp://x.example/\norphan note")
    a, b, c = rl.seeds
    assert (a.heading, a.heading_line, a.notes, a.note_lines) == (
        "Detection; two-stage", 1, ["about a"], [4])
    assert (b.heading, b.notes) == ("Detection; two-stage", [])
    assert (c.heading, c.notes, c.note_lines) == (None, ["about c", "more on c"], [8, 9])
    assert rl.hints == [Hint(1, "Detection", "heading"), Hint(2, "two-stage", "heading"),
                        Hint(4, "about a", "note"), Hint(8, "about c", "note"),
                        Hint(9, "more on c", "note"), Hint(12, "orphan note", "note")]
    assert rl.problems == [Problem(11, "ftp://x.example/", rl.problems[0].reason)]


# -- canonical URLs ---------------------------------------------------------------------------

@pytest.mark.parametrize("url, expected", [
    ("HTTP://Example.COM", "http://example.com/"),
    ("https://example.com:443/a", "https://example.com/a"),
    ("http://example.com:80/a", "http://example.com/a"),
    ("http://example.com:8080/a", "http://example.com:8080/a"),
    ("https://example.com:80/a", "https://example.com:80/a"),
    ("http://example.com:/a", "http://example.com/a"),
    ("http://example.com/A%2fb/%E7?X=%2F&y=Z", "http://example.com/A%2fb/%E7?X=%2F&y=Z"),
    ("http://example.com?q=1#top", "http://example.com/?q=1"),
    ("http://example.com/a b", "http://example.com/a%20b"),
    ("http://例子.测试/文档?q=值", "http://xn--fsqu00a.xn--0zwm56d/%E6%96%87%E6%A1%A3?q=%E5%80%BC"),
    ("http://User:Pw@Example.com/", "http://User:Pw@example.com/"),
    ("http://[::1]:8000/x", "http://[::1]:8000/x"),
    ("http://127.0.0.1:8000/x", "http://127.0.0.1:8000/x"),
    ("http://example.com./", "http://example.com/"),
    ("http://intranet/", "http://intranet/"),
])
def test_canonical_url(url, expected):
    assert canonical_url(url) == expected
    assert canonical_url(expected) == expected


@pytest.mark.parametrize("url", ["ftp://example.com/", "example.com", "http://", "http:/x.example",
                                 "http://a..b/", "http://ex ample.com/", "http://[::g]/",
                                 "http://a.example:x/", "mailto:a@b.example"])
def test_canonical_url_rejects(url):
    with pytest.raises(ValueError):
        canonical_url(url)


# -- files ------------------------------------------------------------------------------------

def test_read_file_with_bom(tmp_path):
    path = tmp_path / "list.txt"
    path.write_bytes("\ufeffRCNN\r\nhttps://a.example/\r\n".encode("utf-8"))
    rl = read_reading_list(path)
    assert [(s.line, s.heading) for s in rl.seeds] == [(2, "RCNN")] and rl.path == str(path)


def test_read_empty_file(tmp_path):
    (tmp_path / "empty.txt").write_bytes(b"")
    assert read_reading_list(tmp_path / "empty.txt").seeds == []


@pytest.mark.parametrize("content, message", [
    (None, "not found"),
    ("dir", "is a directory"),
    ("caf\xe9\nhttp://a.example/".encode("latin-1"), "is not UTF-8 text: byte 0xe9 at offset 3"),
    ("https://a.example/".encode("utf-16"), "(it looks like UTF-16)"),
    (b"%PDF-1.4\x00\x01", "looks like a binary file"),
])
def test_read_errors(tmp_path, content, message):
    path = tmp_path / "list.txt"
    if content == "dir":
        path.mkdir()
    elif content is not None:
        path.write_bytes(content)
    with pytest.raises(ReadingListError) as err:
        read_reading_list(path)
    text = str(err.value)
    assert message in text and str(path) in text and "\n" not in text


def test_read_unreadable(tmp_path, monkeypatch):
    path = tmp_path / "list.txt"
    path.write_text("https://a.example/")

    def denied(self):
        raise PermissionError(13, "Permission denied")
    monkeypatch.setattr(Path, "read_bytes", denied)
    with pytest.raises(ReadingListError, match="cannot read reading list .*: Permission denied$"):
        read_reading_list(path)


def test_large_list_is_fast():
    lines = BUNDLED.read_text(encoding="utf-8").split("\n")
    text = "\n".join(lines[i % len(lines)] for i in range(100_000))
    start = time.perf_counter()
    rl = parse_reading_list(text)
    assert time.perf_counter() - start < 5  # about 1.5 s here; linear in the input
    assert len(rl.seeds) > 55_000


# -- properties -------------------------------------------------------------------------------

FRAGMENTS = ["http://", "https://", "HTTP://", "www.", "a.example", "/x", "?q=1", "#f", "%e7",
             "\n", "\r\n", "\r", "\n\n", " ", "\t", "\xa0", "\u3000", "\u200b", "\ufeff", "\x00",
             "（", "）", "(", ")", "[t](", "]", "<", ">", "，", "。", "、", ".", ",", ":", "'", "\"",
             "1) ", "- ", "• ", "# ", "@", "[::1]", ":80", "xn--", "ftp://", "mailto:", "htp://",
             "中文", "bücher", "-", "\ud800", "..", "::", "//"]
messy_text = st.one_of(
    st.text(),
    st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=4)), max_size=40).map("".join),
)
PROPS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def split_lines(text):
    return re.split(r"\r\n|\r|\n", text.removeprefix("\ufeff"))


@PROPS
@given(messy_text)
def test_never_raises_and_rows_are_consistent(text):
    rl = parse_reading_list(text)
    n_lines = len(split_lines(text))
    for item in [*rl.seeds, *rl.hints, *rl.problems]:
        assert 1 <= item.line <= n_lines
    for seed in rl.seeds:
        assert seed.heading_line is None or 1 <= seed.heading_line < seed.line
        assert all(seed.line <= n <= n_lines for n in seed.note_lines)
        assert len(seed.notes) == len(seed.note_lines)
        assert "#" not in seed.url and seed.url.isascii() and not re.search(r"\s", seed.url)
        assert canonical_url(seed.url) == seed.url
    # one row per store key: (line, url) for seeds, line for hints and problems
    assert len({(s.line, s.url) for s in rl.seeds}) == len(rl.seeds)
    assert len({h.line for h in rl.hints}) == len(rl.hints)
    assert len({p.line for p in rl.problems}) == len(rl.problems)


@PROPS
@given(messy_text)
def test_every_link_is_a_seed_or_a_problem(text):
    rl = parse_reading_list(text)
    for n, line in enumerate(split_lines(text), start=1):
        found = [s.listed_url for s in rl.seeds if s.line == n]
        found += [p.reason for p in rl.problems if p.line == n]
        for match in re.finditer(r"https?://\S+", line.strip()):
            # the scheme and the start of the host name are in a seed or in the problem
            start = re.match(r"https?://[A-Za-z0-9-]*", match.group()).group()
            assert any(start in f for f in found), (n, line, found)


good_urls = st.builds(
    lambda host, tld, path, query: f"https://{host}.{tld}/{path}" + (f"?{query}" if query else ""),
    st.from_regex(r"[a-z0-9]{1,8}(-[a-z0-9]{1,4})?", fullmatch=True),
    st.from_regex(r"[a-z]{2,5}", fullmatch=True),
    st.from_regex(r"([A-Za-z0-9_~-]{1,6}/){0,3}[A-Za-z0-9_~-]{0,6}", fullmatch=True),
    st.from_regex(r"([a-z]{1,3}=[A-Za-z0-9%]{0,4}&?){0,2}[a-z]", fullmatch=True) | st.just(""),
)
BAD = ["ftp://files.example/a", "htp://x", "http://.com", "javascript:alert(1)",
       "mailto:a@b.example", "http://", "https://exa"]
bad_tokens = st.sampled_from(BAD)
separators = st.sampled_from([" ", " - ", "，", "　", " (", ") ", "、", "\t", "\xa0", "：", " ; "])
notes = st.text(st.characters(codec="utf-8", categories=["L", "Nd"]), max_size=8)


@PROPS
@given(st.lists(st.tuples(good_urls | bad_tokens, separators, notes, separators),
                min_size=1, max_size=5))
def test_generated_lines(parts):
    line = "".join(f"{sep1}{token}{sep2}{note}" for token, sep1, note, sep2 in parts)
    rl = parse_reading_list(line)
    tokens = [t for t, *_ in parts]
    good = [t for t in tokens if t not in BAD]
    expected = list(dict.fromkeys(canonical_url(t) for t in good))
    assert [s.url for s in rl.seeds] == expected
    bad = [t for t in tokens if t not in good]
    if bad:
        (problem,) = rl.problems
        assert all(f"{t}: " in problem.reason for t in bad)
    else:
        assert rl.problems == []
