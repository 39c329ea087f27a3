"""A journal issue given as Markdown → a render_pdf spec with the issue's matter around the article.

The Markdown has the shape of an article page saved from a journal site together with its issue's
front matter (../shared/seeds/*.txt):

    # Journal name                          then the issue line
    ## Contents                             a subtitle line, group headings (``## CASE REPORT`` or a
                                            bold line), entries ``- PAGE Title`` + ``*Authors*``
    **ABOUT COVER** … **AIMS AND SCOPE** …  cover blocks: a bold heading, then paragraphs
    # Article title                         then the authors line, bold-labelled metadata and
                                            affiliations (→ ``front``)
    ## Abstract  ### BACKGROUND …           → ``abstract``; the bold-labelled paragraphs after it
                                            (Key Words, Core Tip, Citation, URL, DOI) → ``after_abstract``
    ## INTRODUCTION  ### Chief complaints … → sections (## level 1, ### level 2); ``**Figure 3 …**``
                                            paragraphs are figure legends
    ## REFERENCES                           a list, then the publisher's lines

`issue_spec(markdown, doc_id)` returns a spec whose ``before`` holds the contents (``numbered``) and
a cover page, and whose ``after`` holds the publisher's page. Inline Markdown becomes spec markup
(``<sup>`` → ``^{}``, ``<sub>`` → ``_{}``, bold kept, italics and links dropped, ``$…$`` LaTeX set
as printed text). Nothing here is specific to one journal; the seed is read only at run time.

    python tools/issue_pdf.py INPUT.md OUT.pdf [--doc-id ID]
"""

from __future__ import annotations

import argparse
import html
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script
    sys.path.insert(0, str(ROOT))

from tools.front_matter import vancouver

HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
ITEM = re.compile(r"^\s*[-*+]\s+(.*)$")
ENTRY = re.compile(r"^(\d+)\**\s+(.*)$")  # "5296** Title": converters leave stray bold marks
BOLD_LINE = re.compile(r"^\*\*([^*]+)\*\*$")
RUN_IN = re.compile(r"^\*\*[^*]+:\*\*|^\*\*[^*]+\*\*:")
FIGURE = re.compile(r"^\*\*(Figure|Fig\.)\s*\d+", re.I)
IMAGE_CREDIT = re.compile(r"^DOI:\s*\S+\s+Copyright\b", re.I)  # printed inside the figure box
URL_LINE = re.compile(r"^<?(https?://\S+?)>?$")

GREEK = dict(
    zip(
        "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi pi rho sigma tau upsilon phi "
        "chi psi omega Gamma Delta Theta Lambda Xi Pi Sigma Phi Psi Omega".split(),
        "αβγδεζηθικλμνξπρστυφχψωΓΔΘΛΞΠΣΦΨΩ",
    )
)
SYMBOLS = {"infty": "∞", "ldots": "…", "dots": "…", "circ": "°", "degree": "°", "prime": "′", "%": "%"}
OPERATORS = {"times": "×", "pm": "±", "leq": "≤", "le": "≤", "geq": "≥", "ge": "≥", "approx": "≈"}
OPERATORS |= {"sim": "~", "cdot": "·", "to": "→", "rightarrow": "→", "neq": "≠", "div": "÷"}


def latex_text(math: str) -> str:
    """`6.7 \\times 10^9/L` → `6.7 × 10^{9}/L`, `\\mu g/L` → `μg/L`: what the formula prints as."""
    text = re.sub(r"\\(?:text|mathrm|mathbf|mathit|operatorname|rm)\s*\{([^{}]*)\}", r"\1", math)
    text = re.sub(r"\\[,;:! ]", " ", text).replace("\\%", "%")

    def command(match: re.Match) -> str:
        name = match.group(1)
        if name in OPERATORS:
            return f" {OPERATORS[name]} "
        return GREEK.get(name, SYMBOLS.get(name, ""))

    text = re.sub(r"\\([A-Za-z]+)\s*", command, text)
    text = re.sub(r"\^\{([^{}]*)\}|\^(\S)", lambda m: "\x02" + (m.group(1) or m.group(2)) + "\x03", text)
    text = re.sub(r"_\{([^{}]*)\}|_(\S)", lambda m: "\x04" + (m.group(1) or m.group(2)) + "\x03", text)
    text = text.replace("{", "").replace("}", "")
    text = text.replace("\x02", "^{").replace("\x04", "_{").replace("\x03", "}")
    return re.sub(r"\s+", " ", text).strip()


def _math(match: re.Match) -> str:
    # converters pad inline math with spaces: "( $6.7 \times 10^9/L$ )", "TNF- $\alpha$ "
    before, space_before, math, space_after, after = match.groups()
    lead = "" if before else (" " if space_before else "")
    trail = "" if after else (" " if space_after else "")
    return before + lead + latex_text(math) + trail + after


def inline(text: str) -> str:
    """Inline Markdown → spec markup: sup/sub tags and LaTeX to ^{}/_{}; bold kept; italics,
    links and autolinks reduced to their text; HTML entities decoded; spaces collapsed."""
    escapes = {}

    def protect(match: re.Match) -> str:
        key = chr(0xE000 + len(escapes))
        escapes[key] = match.group(1)
        return key

    text = re.sub(r"\\([\\`*_{}\[\]()#+\-.!<>$])", protect, text)
    text = re.sub(r"<sup>(.*?)</sup>", r"^{\1}", text, flags=re.I | re.S)
    text = re.sub(r"<sub>(.*?)</sub>", r"_{\1}", text, flags=re.I | re.S)
    text = re.sub(r"([(\[-]?)([ \t]*)\$([^$\n]+?)\$([ \t]*)([)\],;.:]?)", _math, text)
    text = re.sub(r"!?\[([^\]]*)\]\([^)\s]*(?:\s+\"[^\"]*\")?\)", r"\1", text)
    text = re.sub(r"<((?:https?|ftp)://[^>\s]+|mailto:[^>\s]+|[^>\s@]+@[^>\s]+)>", r"\1", text)
    text = re.sub(r"<br\s*/?>", " ", text, flags=re.I)
    text = text.replace("**", "\x01")
    text = re.sub(r"\*([^*\n]+)\*", r"\1", text)
    text = text.replace("\x01", "**").replace("****", "")
    text = html.unescape(text)
    for key, char in escapes.items():
        text = text.replace(key, char)
    return re.sub(r"\s+", " ", text).strip()


def _blocks(markdown: str) -> list[list[str]]:
    """Markdown → blocks of lines: a heading alone, a list item with its continuation lines, or a
    paragraph's lines; blank lines end blocks."""
    blocks: list[list[str]] = []
    current: list[str] = []
    for raw in markdown.splitlines():
        line = raw.rstrip()
        if not line.strip():
            current = []
            continue
        if HEADING.match(line) or ITEM.match(line):
            current = [line]
            blocks.append(current)
            if HEADING.match(line):
                current = []
        elif current:
            current.append(line)
        else:
            current = [line]
            blocks.append(current)
    return blocks


def issue_spec(markdown: str, doc_id: str) -> dict:
    """The spec of the issue's article, with its contents and cover before it and the publisher's
    page after it (see the module docstring for the Markdown's shape)."""
    blocks = _blocks(markdown)
    journal = issue_line = subtitle = title = authors = ""
    groups: list[dict] = []
    cover: list[dict] = []
    front: list[str] = []
    abstract: list[str] = []
    after_abstract: list[str] = []
    sections: list[dict] = []
    references: list[str] = []
    publisher: list[str] = []
    state, label = "start", ""
    for i, block in enumerate(blocks):
        heading = HEADING.match(block[0])
        level, text = (len(heading.group(1)), inline(heading.group(2))) if heading else (0, "")
        para = inline(" ".join(block))
        bold = BOLD_LINE.match(block[0].strip()) if len(block) == 1 else None
        if state == "start":
            if level == 1 and not journal:
                journal = text
            elif level and text.lower() == "contents":
                state = "contents"
            elif journal and not level and not issue_line:
                issue_line = para
        elif state == "contents":
            following = blocks[i + 1][0] if i + 1 < len(blocks) else ""
            if level >= 2 or (bold and ITEM.match(following)):
                groups.append({"heading": text or inline(bold.group(1)), "entries": []})
            elif ITEM.match(block[0]) and (entry := ENTRY.match(ITEM.match(block[0]).group(1).strip())):
                lines = [entry.group(2), *block[1:]]
                names = lines.pop() if len(lines) > 1 and lines[-1].strip().startswith("*") else ""
                if not groups:
                    groups.append({"heading": "", "entries": []})
                item = {"page": int(entry.group(1)), "title": inline(" ".join(lines)), "authors": inline(names)}
                groups[-1]["entries"].append(item)
            elif bold or level == 1:
                state = "cover"
            elif not groups:
                subtitle = para
        if state == "cover":
            if level == 1:
                title, state = text, "authors"
            elif bold:
                cover.append({"heading": inline(bold.group(1)), "text": []})
            elif cover:
                cover[-1]["text"].append(para)
        elif state == "authors":
            authors, state = para, "front"
        elif state in ("front", "abstract", "after_abstract", "sections") and level:
            if text.lower() == "abstract":
                state = "abstract"
            elif text.lower() == "references":
                state = "references"
            elif state == "abstract" and level >= 3:
                label = text
            else:
                state = "sections"
                sections.append({"heading": text, "level": 1 if level <= 2 else 2, "content": []})
        elif state == "front":
            front.append(para)
        elif state == "abstract" and not RUN_IN.match(para):
            abstract.append(f"**{label}** {para}" if label else para)
            label = ""
        elif state in ("abstract", "after_abstract"):
            state = "after_abstract"
            after_abstract.append(para)
        elif state == "sections" and sections:
            _add_paragraph(sections[-1]["content"], para)
        elif state == "references":
            if ITEM.match(block[0]):
                references.append(inline(ITEM.match(block[0]).group(1) + " " + " ".join(block[1:])))
            else:
                state = "publisher"
        if state == "publisher":
            publisher.extend(inline(line) for line in block if inline(line))
    parts = {"doc_id": doc_id, "journal": journal, "issue_line": issue_line, "subtitle": subtitle, "title": title}
    parts |= {"authors": authors, "groups": groups, "cover": cover, "front": front, "abstract": abstract}
    parts |= {"after_abstract": after_abstract, "sections": sections, "references": references}
    return _assemble(parts | {"publisher": publisher})


def _add_paragraph(content: list, para: str) -> None:
    if FIGURE.match(para):
        content.append({"figure": para})
        return
    if IMAGE_CREDIT.match(para):
        return
    last = max((n for n, item in enumerate(content) if isinstance(item, str)), default=None)
    if para[:1].islower() and last is not None and not re.search(r"[.!?:]\W*$", content[last]):
        # a page break of the source split this paragraph (its rest starts lower case, after any
        # figure that sat between): join it, as the article's own layout would have it
        content[last] += " " + para
    else:
        content.append(para)


def _assemble(parts: dict) -> dict:
    groups, title, authors = parts["groups"], parts["title"], parts["authors"]
    entries = [e for g in groups for e in g["entries"]]
    key = re.sub(r"\W+", " ", title).lower().strip()
    at = next((n for n, e in enumerate(entries) if re.sub(r"\W+", " ", e["title"]).lower().strip() == key), None)
    left = parts["issue_line"]
    first_author = vancouver(authors).split(",")[0]
    if at is not None:
        end = entries[at + 1]["page"] - 1 if at + 1 < len(entries) else entries[at]["page"]
        left = re.sub(r"\d+\s*-\s*\d+\s*$", f"{entries[at]['page']}-{end}", left)
        first_author = entries[at]["authors"].split(",")[0] or first_author
    short = ""
    for word in title.split(":")[0].split():  # the header's right half must not run into its left
        if len(short) + len(word) > 40:
            break
        short = f"{short} {word}".strip()
    urls = [m.group(1) for line in parts["publisher"] if (m := URL_LINE.match(line))]
    doi = next((m.group(0) for p in parts["after_abstract"] if (m := re.search(r"\b10\.\d{4,}/\S+", p))), "")
    spec = {
        "doc_id": parts["doc_id"],
        "running_header": [left, f"{first_author} et al. {short}"],
        "running_footer": " | ".join(x for x in (parts["journal"], urls[-1] if urls else "") if x),
        "doi": doi.rstrip(".>)"),
        "fonts": "dejavu",
        "columns": 2,
        "hyphenate": True,
        "title": title,
        "authors": authors,
        "front": parts["front"],
        "abstract": parts["abstract"],
        "after_abstract": parts["after_abstract"],
        "sections": parts["sections"],
        "references": parts["references"],
    }
    contents = {"kind": "contents", "style": "numbered", "journal": parts["journal"], "groups": groups}
    contents |= {"issue_line": parts["issue_line"], "subtitle": parts["subtitle"]}
    spec["before"] = [contents]
    if parts["cover"]:
        spec["before"].append(
            {"kind": "cover", "journal": parts["journal"], "issue_line": parts["issue_line"], "blocks": parts["cover"]}
        )
    spec["after"] = [{"kind": "publisher", "lines": parts["publisher"]}] if parts["publisher"] else []
    return spec


def main() -> None:
    from tools.journal_pdf import render_pdf

    parser = argparse.ArgumentParser(description="Render a Markdown journal issue as a PDF.")
    parser.add_argument("markdown", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--doc-id", help="defaults to the Markdown file's name")
    args = parser.parse_args()
    spec = issue_spec(args.markdown.read_text(encoding="utf-8"), args.doc_id or args.markdown.stem)
    render_pdf(spec, args.out)
    print(args.out)


if __name__ == "__main__":
    main()
