"""Plain-text and Markdown input → `Layout`, so already-extracted articles follow the same path as PDFs.

Markdown converted from journal HTML carries inline markup that hides the text a reader sees
(`<sup>+</sup>`, `$6.7 \\times 10^9/L$`, `**Case 1:**`); it is written here the way the PDF
stage writes the same print: `Ab+`, `6.7 × 10^9/L`, a bold run-in label.
"""

from __future__ import annotations

import re
from pathlib import Path

from .normalize import normalize_text, superscript
from .structures import Block, InputError, Layout, TextMap

HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
TABLE_ROW = re.compile(r"^\s*\|.*\|\s*$")
TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$")
BULLET = re.compile(r"^\s*([-*+]|\d+[.)])\s+")
IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)")
LINK = re.compile(r"\[([^\]]+)\]\([^)]*\)")
AUTOLINK = re.compile(r"<((?:https?|mailto):[^>]+)>")
SUP = re.compile(r"<sup>(.*?)</sup>", re.I | re.S)
SUB = re.compile(r"<sub>(.*?)</sub>", re.I | re.S)
TAG = re.compile(r"</?[a-zA-Z][^>]*>")
MATH = re.compile(r"\$\$?(.+?)\$\$?", re.S)
LEAD_BOLD = re.compile(r"^\*\*(.+?)\*\*\s*")
EMPHASIS = re.compile(r"(\*\*|__)(.+?)\1|(?<![\w*])\*(?!\s)(.+?)(?<!\s)\*(?![\w*])")
LATEX = {
    r"\times": "×",
    r"\mu": "μ",
    r"\%": "%",
    r"\pm": "±",
    r"\geq": "≥",
    r"\leq": "≤",
    r"\ge": "≥",
    r"\le": "≤",
    r"\sim": "~",
    r"\cdot": "·",
    r"\alpha": "α",
    r"\beta": "β",
    r"\gamma": "γ",
    r"\degree": "°",
    r"\circ": "°",
    r"\,": " ",
    r"\;": " ",
    r"\ ": " ",
    r"\uparrow": "↑",
    r"\downarrow": "↓",
}


def read_text(path: str | Path) -> Layout:
    raw = Path(path).read_bytes()
    if not raw.strip():
        raise InputError("empty file (0 bytes)" if not raw else "empty text file")
    text = decode(raw)
    blocks = tuple(markdown_blocks(text))
    if not blocks:
        raise InputError("empty text file")
    return Layout(source_path=str(path), pages=None, blocks=blocks)


def decode(raw: bytes) -> str:
    """UTF-8 (with or without BOM); Windows-1252 as the one fallback, since that is what
    non-UTF-8 text exported from Word or old web pages almost always is."""
    if b"\x00" in raw[:4096]:
        raise InputError("not a text file (binary content)")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            return raw.decode("cp1252")
        except UnicodeDecodeError as exc:
            raise InputError("text file is neither UTF-8 nor Windows-1252") from exc


def markdown_blocks(text: str) -> list[Block]:
    blocks: list[Block] = []
    paragraph: list[str] = []
    table: list[str] = []

    def flush() -> None:
        if paragraph:
            block = _paragraph_block(" ".join(paragraph))
            if block is not None:
                blocks.append(block)
            paragraph.clear()
        if table:
            blocks.append(_table_block(table))
            table.clear()

    for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        if TABLE_ROW.match(line):
            if paragraph:
                flush()
            if not TABLE_RULE.match(line):
                table.append(line)
            continue
        if table:
            flush()
        heading = HEADING.match(line)
        if heading:
            flush()
            title = inline(heading.group(2))
            if title:
                blocks.append(Block("heading", TextMap(title), None, level=len(heading.group(1)), bold=True))
            continue
        if not line.strip():
            flush()
            continue
        if BULLET.match(line):
            flush()
            line = BULLET.sub("", line)
        paragraph.append(line.strip())
    flush()
    return blocks


def _paragraph_block(text: str) -> Block | None:
    lead = LEAD_BOLD.match(text)
    label = inline(lead.group(1)) if lead else ""
    body = inline(text[lead.end() :]) if lead else inline(text)
    if not (label or body):
        return None
    if label and body:
        return Block("text", TextMap(f"{label} {body}"), None, lead_bold=len(label))
    if label:
        return Block("heading", TextMap(label), None, bold=True)
    return Block("text", TextMap(body), None)


def _table_block(lines: list[str]) -> Block:
    rows = []
    for line in lines:
        cells = line.strip().strip("|").split("|")
        rows.append(tuple(TextMap(inline(cell)) for cell in cells))
    width = max(len(r) for r in rows)
    rows = [r + (TextMap(""),) * (width - len(r)) for r in rows]
    flat = "\n".join(" | ".join(c.text for c in row) for row in rows)
    return Block("table", TextMap(flat), None, rows=tuple(rows))


def inline(text: str) -> str:
    """Markdown/HTML/LaTeX inline markup → the printed text."""
    text = IMAGE.sub("", text)
    text = LINK.sub(r"\1", text)
    text = AUTOLINK.sub(lambda m: m.group(1).removeprefix("mailto:"), text)
    text = SUP.sub(lambda m: superscript(TAG.sub("", m.group(1))), text)
    text = SUB.sub(lambda m: TAG.sub("", m.group(1)), text)
    text = TAG.sub("", text)
    text = MATH.sub(lambda m: _latex(m.group(1)), text)
    for _ in range(2):  # nested emphasis (`***x***`)
        text = EMPHASIS.sub(lambda m: m.group(2) or m.group(3) or "", text)
    text = text.replace("\\*", "*").replace("\\_", "_")
    return re.sub(r"[ \t]+", " ", normalize_text(text)).strip()


def _latex(expr: str) -> str:
    for command, char in LATEX.items():
        # a letter command swallows the spaces after it (`\mu g/L` is `μg/L`); an operator
        # keeps its spacing (`6.7 \times 10` is `6.7 × 10`)
        pattern = re.escape(command) + (r"(?![A-Za-z])\s*" if char.isalpha() else r"(?![A-Za-z])")
        expr = re.sub(pattern, lambda _m, c=char: c, expr)
    expr = re.sub(r"\\(?:mathrm|text|mathit|mathbf|operatorname)\{([^}]*)\}", r"\1", expr)
    expr = re.sub(r"\^\{([^}]*)\}", lambda m: superscript(m.group(1)), expr)
    expr = re.sub(r"\^(?!\{)(\S)", lambda m: superscript(m.group(1)), expr)
    expr = re.sub(r"_\{([^}]*)\}", r"\1", expr)
    expr = expr.replace("{", "").replace("}", "").replace("\\", "")
    return re.sub(r"\s+", " ", expr).strip()
