"""Source files and plain text: the prose in code is its docstrings and comments.

>>> github_raw_url("https://github.com/aymericdamien/TensorFlow-Examples/blob/master/a/b.py#L3")
'https://raw.githubusercontent.com/aymericdamien/TensorFlow-Examples/master/a/b.py'
>>> doc = extract_code("'''Train a CNN on MNIST.'''\\nx = 1  # the batch size\\n", "https://a.example/cnn.py")
>>> doc["title"], doc["description"], doc["text"]
('cnn.py', 'Train a CNN on MNIST.', 'Train a CNN on MNIST.\\nthe batch size')
"""

from __future__ import annotations

import ast
import inspect
import io
import json
import re
import tokenize

from . import file_name
from .meta import split_authors
from .links import absolute_link, unique_links, urls_in_text

MAX_TEXT = 2_000_000
_BLOB = re.compile(r"^https?://(?:www\.)?github\.com/([^/?#]+)/([^/?#]+)/(?:blob|raw)/"
                   r"([^/?#]+/[^?#]*[^/?#])(?:[?#].*)?$", re.I)

# Comment syntax by family: (line markers, (block open, block close) pairs, string quotes).
_STYLES = {
    "c": (("//",), (("/*", "*/"),), ('"', "'", "`")),
    "hash": (("#",), (), ('"', "'")),
    "php": (("//", "#"), (("/*", "*/"),), ('"', "'")),
    "dash": (("--",), (("--[[", "]]"), ("{-", "-}")), ('"', "'")),
    "percent": (("%",), (("%{", "%}"),), ('"',)),
    "bang": (("!",), (), ('"', "'")),
    "semicolon": ((";",), (), ('"',)),
    "ml": ((), (("(*", "*)"),), ('"',)),
    "python": (("#",), (), ('"""', "'''", '"', "'")),
}
_STYLE_BY_EXT = {ext: style for style, exts in {
    "c": "c h cc cpp cxx hpp hh cu cuh java kt kts scala groovy gradle js mjs cjs ts tsx jsx "
         "go rs swift cs dart proto v sv",
    "hash": "sh bash zsh fish r pl pm rb cmake mk ps1 ex exs jl makefile dockerfile "
            "cmakelists.txt vagrantfile",  # the last four are whole file names
    "php": "php", "dash": "sql lua hs vhd", "percent": "m tex erl", "bang": "f f90 f95",
    "semicolon": "clj", "ml": "ml mli", "python": "py pyw pyi",
}.items() for ext in exts.split()}
_DECORATION = re.compile(r"^[\W_]*$")
_DIRECTIVE = re.compile(r"^(?:!|-\*-|.*coding[:=]|pylint:|noqa|type:|fmt:|eslint|tslint|"
                        r"prettier|istanbul|jshint|@ts-|region\b|endregion\b|vim:|"
                        r"SPDX-License-Identifier)", re.I)
# Commented-out code is not prose: assignments, calls, imports, statements, lone brackets.
_CODE_LIKE = re.compile(r"^(?:[\w.\[\]'\"]+\s*[-+*/%]?=[^=]|[\w.]+\(.*\)[;,]?$|"
                        r"import\s+[\w.]+(?:\s+as\s+\w+)?$|from\s+\S+\s+import\s|"
                        r"return(?:\s+[\w.]+(?:\(.*\))?)?;?$|print\s*\(|print\s+[\"'\w]+$|"
                        r"(?:def|class)\s+\w+.*:$|(?:else|try|finally):$|"
                        r"(?:elif|except|with|while)\b.*:$|for\s+\w+\s+in\s.*:$|"
                        r"if\s.*[=<>()].*:$|[{}()\[\];,]+$|#include\b|"
                        r"(?:var|let|const|int|float|double|auto|void)\s+\w+\s*[=;(])")
_AUTHOR = re.compile(r"^[ \t]*(?:#+|//+|\*+|--)?[ \t]*(?:@author[ \t]+|作者[ \t]*[:：]|"
                     r"(?:__author__|author)[ \t]*(?::|=[ \t]*[\"']))[ \t]*([^\"'\n<(]+)",
                     re.I | re.M)


def github_raw_url(url: str) -> str | None:
    """The raw-file URL for a github.com blob (or /raw/) page URL; None for anything else.

    >>> github_raw_url("https://github.com/owner/repo/tree/master/src") is None
    True
    """
    found = _BLOB.match((url or "").strip())
    if not found:
        return None
    owner, repo, rest = found.groups()
    return f"https://raw.githubusercontent.com/{owner}/{repo}/{rest}"


def _paragraphs(lines: list[str]) -> str:
    """Join wrapped lines into paragraphs; blank lines separate paragraphs."""
    paragraphs, current = [], []
    for line in lines + [""]:
        line = line.strip()
        if line and not _DECORATION.match(line):
            current.append(line)
        elif current:
            paragraphs.append(" ".join(current))
            current = []
    return "\n".join(paragraphs)


def _comment_lines(text: str) -> list[str]:
    lines = []
    for line in text.splitlines():
        line = re.sub(r"^\s*(?:\*+(?!/)|//+|#+|--+|%+|!+|;+)?", "", line).strip()
        if _DIRECTIVE.match(line) or _CODE_LIKE.match(line):
            line = ""
        lines.append(line)
    return lines


def _string_value(literal: str) -> str:
    try:
        value = ast.literal_eval(literal)
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        value = re.sub(r"^[rRuUbBfF]*('''|\"\"\"|'|\")|('''|\"\"\"|'|\")$", "", literal)
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    return inspect.cleandoc(value) if isinstance(value, str) else ""


def _docstring_owners(source: str) -> dict[int, str]:
    """Line of each docstring -> name of its function or class (empty when it fails)."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        return {}
    owners = {}
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and \
                node.body and isinstance(node.body[0], ast.Expr) and \
                isinstance(node.body[0].value, ast.Constant):
            owners[node.body[0].lineno] = node.name
    return owners


def _python_parts(source: str) -> list[tuple[str, str, int, int]]:
    """(kind, text, first line, last line) of comments and standalone strings
    (docstrings), by tokenizing."""
    tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
    owners = _docstring_owners(source) if len(source) < 500_000 else {}
    skip = {tokenize.NL, tokenize.COMMENT}
    starts = {tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT, tokenize.ENCODING}
    parts, previous = [], None
    for i, tok in enumerate(tokens):
        if tok.type == tokenize.COMMENT:
            parts.append(("comment", tok.string, tok.start[0], tok.end[0]))
        elif tok.type == tokenize.STRING and (previous is None or previous in starts):
            following = next((t.type for t in tokens[i + 1:i + 4] if t.type not in skip), None)
            if following in (tokenize.NEWLINE, tokenize.ENDMARKER, None):
                value = _string_value(tok.string)
                owner = owners.get(tok.start[0])
                parts.append(("doc", f"{owner}: {value}" if owner and value else value,
                              tok.start[0], tok.end[0]))
        if tok.type not in skip:
            previous = tok.type
    return parts


def _scan_parts(text: str, style: str) -> list[tuple[str, str, int, int]]:
    """Like ``_python_parts``, by regex: comments, and line-initial triple-quoted strings."""
    line_marks, blocks, quotes = _STYLES[style]
    alternatives = [f"(?P<b{i}>{re.escape(o)}.*?(?:{re.escape(c)}|\\Z))"
                    for i, (o, c) in enumerate(blocks)]
    alternatives += [f"(?P<q{i}>{re.escape(q)}(?:\\\\.|(?!{re.escape(q)}).)*?(?:{re.escape(q)}|\\Z))"
                     if len(q) == 3 else f"{re.escape(q)}(?:\\\\.|[^{re.escape(q)}\\\\\\n])*"
                     f"{re.escape(q)}" for i, q in enumerate(quotes)]
    alternatives += [f"(?P<l{i}>{re.escape(m)}[^\\n]*)" for i, m in enumerate(line_marks)]
    parts, line, position = [], 1, 0
    for match in re.finditer("|".join(alternatives), text, re.S):
        line += text.count("\n", position, match.start())
        position = match.start()
        kind, body = match.lastgroup or "", match.group(0)
        last = line + body.count("\n")
        if kind.startswith(("b", "l")):
            if kind.startswith("b"):
                opener, closer = blocks[int(kind[1:])]
                body = body[len(opener):-len(closer) if body.endswith(closer) else None]
            parts.append(("comment", body, line, last))
        elif kind.startswith("q") and text[text.rfind("\n", 0, match.start()) + 1:
                                            match.start()].strip() == "":
            parts.append(("doc", _string_value(body), line, last))
    return parts


def _style(url: str, text: str) -> str:
    name = file_name(url).lower()
    for key in (name, name.rsplit(".", 1)[-1]):
        if key in _STYLE_BY_EXT:
            return _STYLE_BY_EXT[key]
    first = text.lstrip("\ufeff").split("\n", 1)[0]
    if first.startswith("#!"):
        return "python" if "python" in first else "hash"
    return "c"


def _result(kind: str, url: str, title: str | None, text: str, description=None,
            authors=None, links=None) -> dict:
    return {"kind": kind, "title": title or None, "authors": authors or [], "published": None,
            "lang": None, "description": description or None, "text": text[:MAX_TEXT],
            "links": links or []}


def _notebook(source: str, url: str) -> dict | None:
    try:
        cells = json.loads(source).get("cells")
    except (ValueError, AttributeError, RecursionError):
        return None
    if not isinstance(cells, list):
        return None
    prose, comments = [], []
    for cell in cells:
        if not isinstance(cell, dict):
            continue
        body = cell.get("source", "")
        body = "".join(body) if isinstance(body, list) else str(body)
        if cell.get("cell_type") == "markdown":
            prose.append(body)
        elif cell.get("cell_type") == "code":
            comments.append(_prose_of_code(body, "python")[0])
    markdown = extract_text("\n\n".join(prose), url)
    text = "\n".join(filter(None, [markdown["text"], *comments]))
    first = next((p.strip() for p in prose if p.strip()), "")
    return _result("code", url, file_name(url), text, description=first.split("\n\n")[0],
                   links=unique_links(markdown["links"] + urls_in_text(text, url), url))


def _prose_of_code(source: str, style: str) -> tuple[str, str | None]:
    """(text, first docstring) of one source file."""
    try:
        parts = _python_parts(source) if style == "python" else _scan_parts(source, style)
    except (tokenize.TokenError, SyntaxError, ValueError, RecursionError, MemoryError):
        parts = _scan_parts(source, "python")
    paragraphs, description, previous = [], None, None
    for kind, body, first, last in parts:
        if kind == "doc":
            description = description or body.split("\n\n")[0].strip()
            paragraph = _paragraphs(body.splitlines())
        else:
            paragraph = _paragraphs(_comment_lines(body))
        # One-line comments on consecutive lines are one paragraph of wrapped prose.
        single = kind == "comment" and first == last
        if paragraph and single and previous == first - 1 and paragraphs:
            paragraphs[-1] += " " + paragraph
        elif paragraph:
            paragraphs.append(paragraph)
        previous = last if single and paragraph else None
    return "\n".join(paragraphs), description and " ".join(description.split())


def extract_code(text: str, url: str) -> dict:
    """A source file as a document: title (file name), text (docstrings and comments as
    prose; a function's docstring is prefixed with its name), description (the first
    docstring), authors (an ``Author:`` line), links (URLs in that prose)."""
    source = (text or "").replace("\x00", "")[:MAX_TEXT * 2]
    name = file_name(url)
    if name.lower().endswith(".ipynb") and (notebook := _notebook(source, url)):
        return notebook
    prose, description = _prose_of_code(source, _style(url, source))
    authors = split_authors(_AUTHOR.findall(source[:5000])[:5])
    return _result("code", url, name, prose, description, authors, urls_in_text(prose, url))


_MD_IMAGE = re.compile(r"!\[([^\]]*)\]\([^)]*\)")
_MD_LINK = re.compile(r"\[([^\]]+)\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
_MD_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(.+?)\s*#*\s*$")


def extract_text(text: str, url: str) -> dict:
    """A plain-text or Markdown file: title (first heading, else the file name), the text
    with Markdown links reduced to their words, links (Markdown links and bare URLs).

    >>> doc = extract_text("# Notes\\nSee [ResNet](https://arxiv.org/abs/1512.03385).", "https://a.example/README.md")
    >>> doc["title"], doc["text"], doc["links"]
    ('Notes', 'Notes\\nSee ResNet.', [('https://arxiv.org/abs/1512.03385', 'ResNet')])
    """
    text = (text or "").replace("\x00", "").replace("\r\n", "\n")[:MAX_TEXT]
    links = [(absolute_link(url, m.group(2)), m.group(1)) for m in _MD_LINK.finditer(text)]
    plain = _MD_LINK.sub(r"\1", _MD_IMAGE.sub(r"\1", text))
    lines = [line for line in plain.splitlines() if line.strip()]
    heading = next((m.group(1) for line in lines[:5] if (m := _MD_HEADING.match(line))), None)
    if heading is None and len(lines) > 1 and re.fullmatch(r"\s*(=+|-+)\s*", lines[1]):
        heading = lines[0].strip()
    plain = "\n".join(_MD_HEADING.sub(r"\1", line).rstrip() for line in plain.splitlines())
    plain = re.sub(r"\n{3,}", "\n\n", plain).strip()
    title = heading or file_name(url) or (lines[0].strip()[:120] if lines else None)
    return _result("text", url, title, plain,
                   links=unique_links(links + urls_in_text(plain, url), url))
