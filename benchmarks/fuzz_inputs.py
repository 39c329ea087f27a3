"""Seeds and mutators of the fuzz campaign (`fuzz.py`): every input is a seed plus 1-3 mutations,
drawn from `random.Random(f"{seed}:{index}")`, so input N of a campaign is rebuilt alone
(`fuzz.py --seed S --only N`) without generating the ones before it.

PDF mutations work on the file's bytes: byte-level (flip, insert, delete, duplicate, splice, truncate,
tokens PDF parsers react to), and object-level through regular expressions over the objects
reportlab writes, or an incremental update appended to the file (new versions of objects with their
own xref section, the way editors save): xref offsets, `/Length`, `/Filter`, Flate data, fonts,
resources, image dictionaries, page tree (a /Kids loop, a very deep tree, a huge /Count). Text
mutations: a megabyte-long line, no spaces, control characters, mixed scripts and bidi marks,
invalid UTF-8, NUL bytes, markdown constructs, a huge file.
"""

from __future__ import annotations

import copy
import random
import re
import sys
import zlib
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
for extra in (ROOT, ROOT / "tests"):
    if str(extra) not in sys.path:
        sys.path.insert(0, str(extra))

import bad_inputs

from tools.journal_pdf import load_spec, render_pdf

SHARED_SEEDS = ROOT.parent / "shared" / "seeds"


# --- seeds -------------------------------------------------------------------------------------


def make_seeds(folder: Path) -> tuple[list[bytes], list[bytes]]:
    """(PDF seeds, text seeds): the repo's corpus PDFs, PDFs rendered here with reportlab (embedded
    TrueType fonts, an image, many pages, uncompressed streams), the corpus articles' texts, this
    repo's README, and ../shared/seeds/*.txt when that folder is there (read, never copied)."""
    folder.mkdir(parents=True, exist_ok=True)
    pdfs = [p.read_bytes() for p in sorted((ROOT / "corpus").glob("*.pdf"))]
    texts = []
    for spec_path in sorted((ROOT / "corpus" / "specs").glob("*.json")):
        spec = load_spec(spec_path)
        dejavu = copy.deepcopy(spec)
        dejavu.update(doc_id=spec["doc_id"] + "-dejavu", fonts="dejavu", columns=1)
        texts.append(render_pdf(dejavu, folder / "dejavu.pdf").encode("utf-8"))
        pdfs.append((folder / "dejavu.pdf").read_bytes())
    lines = [t.decode("utf-8") for t in texts[0].splitlines()[:40] if t.strip()]
    pdfs.append(bad_inputs.simple_pdf(folder / "simple.pdf", lines[:20]).read_bytes())
    pdfs.append(_uncompressed_pdf(folder / "plain.pdf", lines))
    for mode, kind in (("RGB", "PNG"), ("RGBA", "PNG"), ("L", "JPEG")):  # Flate, Flate with /SMask, DCT
        pdfs.append(_pdf_with_image(folder / "image.pdf", lines[:10], mode, kind))
    pdfs.append(bad_inputs.malformed_font(folder / "font.pdf").read_bytes())
    texts.append((ROOT / "README.md").read_bytes()[:60_000])
    if SHARED_SEEDS.is_dir():
        texts.extend(p.read_bytes()[:200_000] for p in sorted(SHARED_SEEDS.glob("*.txt"))[:20])
    return pdfs, texts


def _uncompressed_pdf(path: Path, lines: list[str]) -> bytes:
    from reportlab.pdfgen import canvas

    pdf = canvas.Canvas(str(path), invariant=1, pageCompression=0)
    for page in range(3):
        pdf.setFont("Helvetica", 10)
        for i, line in enumerate(lines[page * 12 : page * 12 + 12]):
            pdf.drawString(60, 760 - 14 * i, line[:100])
        pdf.showPage()
    pdf.save()
    return path.read_bytes()


def _pdf_with_image(path: Path, lines: list[str], mode: str, kind: str) -> bytes:
    import io

    from PIL import Image
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    Image.effect_noise((120, 80), 60).convert(mode).save(buffer, format=kind)
    buffer.seek(0)
    pdf = canvas.Canvas(str(path), invariant=1)
    pdf.drawImage(ImageReader(buffer), 60, 500, width=240, height=160)
    pdf.setFont("Times-Roman", 11)
    for i, line in enumerate(lines):
        pdf.drawString(60, 470 - 14 * i, line[:100])
    pdf.save()
    return path.read_bytes()


# --- byte-level --------------------------------------------------------------------------------

INTERESTING = [
    b"<<",
    b">>",
    b"[",
    b"]",
    b"(",
    b")",
    b"endobj",
    b"stream\n",
    b"endstream",
    b" 0 R",
    b"xref",
    b"trailer",
    b"%%EOF",
    b"-1",
    b"0",
    b"4294967296",
    b"99999999999999999999",
    b"1e308",
    b"/",
    b"\\",
    b"\x00",
    b"\xff\xfe",
]


def flip(rng: random.Random, data: bytes, _other: bytes) -> bytes:
    out = bytearray(data)
    for _ in range(rng.randint(1, 40)):
        if out:
            out[rng.randrange(len(out))] ^= 1 << rng.randrange(8)
    return bytes(out)


def insert(rng: random.Random, data: bytes, _other: bytes) -> bytes:
    at = rng.randint(0, len(data))
    blob = rng.choice(INTERESTING) if rng.random() < 0.6 else rng.randbytes(rng.randint(1, 64))
    return data[:at] + blob * rng.choice((1, 1, 2, 50)) + data[at:]


def delete(rng: random.Random, data: bytes, _other: bytes) -> bytes:
    at = rng.randint(0, len(data))
    return data[:at] + data[at + rng.randint(1, max(1, len(data) // 8)) :]


def duplicate(rng: random.Random, data: bytes, _other: bytes) -> bytes:
    at = rng.randint(0, len(data))
    piece = data[at : at + rng.randint(1, 4096)]
    return data[:at] + piece * rng.randint(2, 30) + data[at:]


def splice(rng: random.Random, data: bytes, other: bytes) -> bytes:
    at, there = rng.randint(0, len(data)), rng.randint(0, len(other))
    return data[:at] + other[there : there + rng.randint(1, 8192)] + data[at + rng.randint(0, 2048) :]


def truncate(rng: random.Random, data: bytes, _other: bytes) -> bytes:
    return data[: rng.randint(0, len(data))]


BYTE_MUTATORS: list[Callable] = [flip, insert, delete, duplicate, splice, truncate]


# --- object-level (PDF) ------------------------------------------------------------------------


def _sub_some(rng: random.Random, pattern: bytes, data: bytes, replace: Callable[[re.Match], bytes]) -> bytes:
    """Replace one, several or all matches of `pattern`; the data unchanged when none match."""
    matches = list(re.finditer(pattern, data, re.S))
    if not matches:
        raise LookupError(pattern)
    chosen = set(rng.sample(range(len(matches)), rng.randint(1, len(matches)))) if rng.random() < 0.5 else None
    out, last = [], 0
    for i, match in enumerate(matches):
        if chosen is None or i in chosen:
            out += [data[last : match.start()], replace(match)]
            last = match.end()
    return b"".join(out) + data[last:]


def xref_offsets(rng: random.Random, data: bytes, _other: bytes) -> bytes:
    delta = rng.choice((-1, 1, 7, -100, 10**6))
    data = _sub_some(rng, rb"(\d{10}) (\d{5}) n", data, lambda m: b"%010d %s n" % (max(0, int(m[1]) + delta), m[2]))
    if rng.random() < 0.5:
        data = re.sub(rb"startxref\s+\d+", b"startxref\n" + str(rng.choice((0, 1, 999999))).encode(), data)
    return data


def xref_drop(rng: random.Random, data: bytes, _other: bytes) -> bytes:
    at = data.rfind(b"xref")
    if at < 0:
        raise LookupError("xref")
    return data[:at] + (b"trailer\n<< >>\n%%EOF\n" if rng.random() < 0.5 else b"")


def length(rng: random.Random, data: bytes, _other: bytes) -> bytes:
    value = rng.choice((b"", b"0", b"-5", b"1", b"99999999", b"9 0 R", b"999 0 R", b"/Name", b"(x)"))
    if value == b"":
        return _sub_some(rng, rb"/Length \d+", data, lambda m: b"")
    return _sub_some(rng, rb"/Length (\d+)", data, lambda m: b"/Length " + value)


FILTERS = [
    b"/LZWDecode",
    b"/ASCII85Decode",
    b"/ASCIIHexDecode",
    b"/RunLengthDecode",
    b"/DCTDecode",
    b"/JBIG2Decode",
    b"/CCITTFaxDecode",
    b"/JPXDecode",
    b"/Crypt",
    b"/NoSuchFilter",
    b"[/FlateDecode /FlateDecode]",
    b"[/ASCII85Decode /FlateDecode /LZWDecode]",
    b"/FlateDecode /DecodeParms << /Predictor 12 /Columns 0 >>",
    b"/FlateDecode /DecodeParms << /Predictor 15 /Columns 99999999 /Colors 64 >>",
]


def filters(rng: random.Random, data: bytes, _other: bytes) -> bytes:
    new = rng.choice(FILTERS)
    if rng.random() < 0.7 and b"/Filter" in data:
        return _sub_some(rng, rb"/Filter\s*(\[[^\]]*\]|/\w+)", data, lambda m: b"/Filter " + new)
    return _sub_some(rng, rb"/Length ", data, lambda m: b"/Filter " + new + b" /Length ")


def stream_data(rng: random.Random, data: bytes, _other: bytes) -> bytes:
    """Damage the bytes between `stream` and `endstream` (Flate data no longer inflates, or inflates
    to garbage operators), keeping the length."""

    def damage(m: re.Match) -> bytes:
        body = bytearray(m[2])
        if body and rng.random() < 0.5:
            for _ in range(rng.randint(1, 10)):
                body[rng.randrange(len(body))] = rng.randrange(256)
        elif body:
            cut = rng.randrange(len(body))
            body[cut:] = b"\0" * (len(body) - cut)
        return m[1] + bytes(body) + m[3]

    return _sub_some(rng, rb"(stream\r?\n)(.*?)(endstream)", data, damage)


OPERATORS = [
    b"BT",
    b"ET",
    b"q",
    b"Q",
    b"/F1 1e30 Tf",
    b"/F1 -0 Tf",
    b"/Nope 12 Tf",
    b"(\\377\\376\\000x) Tj",
    b"[(a) -99999999 (b)] TJ",
    b"1e308 0 0 1e308 0 0 cm",
    b"0 0 0 0 0 0 Tm",
    b"3 Tr",
    b"/Im1 Do",
    b"(unterminated Tj",
    b"<FEFF D800> Tj",
    b"99999 Tz",
]


def content(rng: random.Random, data: bytes, _other: bytes) -> bytes:
    """A page's content stream replaced (incremental update) by hostile operators around its text."""
    match = re.search(rb"/Contents (\d+) 0 R", data)
    if not match:
        raise LookupError("/Contents")
    ops = [rng.choice(OPERATORS) for _ in range(rng.randint(5, 60))]
    if rng.random() < 0.3:
        ops.insert(0, b"q " * rng.choice((1000, 100_000)))
    body = b"BT /F1 10 Tf 72 700 Td (A 40-year-old man) Tj ET\n" + b"\n".join(ops)
    packed = zlib.compress(body)
    stream = b"<< /Length %d /Filter /FlateDecode >>\nstream\n%s\nendstream" % (len(packed), packed)
    return append_objects(data, {int(match[1]): stream})


def fonts(rng: random.Random, data: bytes, _other: bytes) -> bytes:
    choice = rng.randrange(5)
    if choice == 0:  # no /Font dictionary
        return _sub_some(rng, rb"/Font\s*(<<[^<>]*>>|\d+ 0 R)", data, lambda m: b"")
    if choice == 1:  # no /Resources at all
        return _sub_some(rng, rb"/Resources\s*(<<(?:[^<>]|<<[^<>]*>>)*>>|\d+ 0 R)", data, lambda m: b"")
    if choice == 2:
        return _sub_some(rng, rb"/Subtype /(Type1|TrueType|Type0)", data, lambda m: b"/Subtype /Type3")
    if choice == 3:
        return _sub_some(
            rng, rb"/FirstChar \d+", data, lambda m: b"/FirstChar " + rng.choice((b"-1", b"4294967295", b"300"))
        )
    return _sub_some(rng, rb"/BaseFont /[\w+-]+", data, lambda m: b"/BaseFont /" + rng.randbytes(8).hex().encode())


def images(rng: random.Random, data: bytes, _other: bytes) -> bytes:
    key = rng.choice((b"Width", b"Height", b"BitsPerComponent", b"ColorSpace"))
    value = (
        rng.choice((b"/NoSuchSpace", b"[/Indexed /DeviceRGB 300 <00>]", b"/DeviceN"))
        if key == b"ColorSpace"
        else rng.choice((b"0", b"-1", b"3", b"64", b"2147483647", b"99999999999", b"1.5"))
    )
    return _sub_some(rng, rb"/" + key + rb"\s*(/\w+|\d+)", data, lambda m: b"/" + key + b" " + value)


def page_tree(rng: random.Random, data: bytes, _other: bytes) -> bytes:
    """A /Kids loop, a very deep tree, or a huge /Count (by an incremental update, or in place)."""
    root = re.search(rb"/Pages (\d+) 0 R", data)
    first_page = re.search(rb"(\d+) 0 obj\s*<<(?:(?!endobj).)*?/Type\s*/Page\b(?!s)", data, re.S)
    kind = rng.randrange(4)
    if kind == 0:
        return _sub_some(rng, rb"/Count \d+", data, lambda m: b"/Count " + rng.choice((b"2147483647", b"-3", b"1e12")))
    if not root or not first_page:
        raise LookupError("page tree")
    pages, page = int(root[1]), int(first_page[1])
    size = _size(data)
    if kind == 1:  # the tree's root lists itself (and its first page)
        return append_objects(data, {pages: b"<< /Type /Pages /Kids [%d 0 R %d 0 R] /Count 2 >>" % (pages, page)})
    if kind == 2:  # two nodes that list each other
        return append_objects(
            data,
            {
                pages: b"<< /Type /Pages /Kids [%d 0 R] /Count 1 >>" % size,
                size: b"<< /Type /Pages /Parent %d 0 R /Kids [%d 0 R] /Count 1 >>" % (pages, pages),
            },
        )
    depth = rng.choice((200, 5_000, 60_000))  # a chain of /Pages nodes, the first page at the bottom
    nodes = {pages: b"<< /Type /Pages /Kids [%d 0 R] /Count 1 >>" % size}
    for level in range(depth):
        kid = size + level + 1 if level + 1 < depth else page
        nodes[size + level] = b"<< /Type /Pages /Kids [%d 0 R] /Count 1 >>" % kid
    return append_objects(data, nodes)


def header(rng: random.Random, data: bytes, _other: bytes) -> bytes:
    choice = rng.randrange(3)
    if choice == 0:
        return data.replace(b"%PDF-1.", b"%PDF-9.", 1)
    if choice == 1:
        return rng.randbytes(rng.randint(1, 1100)) + data  # the header late, or past the first KB
    return re.sub(rb"/Root \d+ 0 R", b"/Root 9999 0 R", data)


PDF_MUTATORS: list[Callable] = [xref_offsets, xref_drop, length, filters, stream_data, content, fonts, images]
PDF_MUTATORS += [page_tree, header]


def _size(data: bytes) -> int:
    sizes = [int(m) for m in re.findall(rb"/Size (\d+)", data)]
    if not sizes:
        raise LookupError("/Size")
    return max(sizes)


def append_objects(data: bytes, objects: dict[int, bytes]) -> bytes:
    """An incremental update: new versions of `objects` (number → body) after the file's end, with
    an xref section and a trailer pointing back to the previous one."""
    root = re.findall(rb"/Root (\d+ \d+ R)", data)
    previous = re.findall(rb"startxref\s+(\d+)", data)
    if not root or not previous:
        raise LookupError("trailer")
    out = bytearray(data if data.endswith(b"\n") else data + b"\n")
    offsets = {}
    for number, body in sorted(objects.items()):
        offsets[number] = len(out)
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n"
    for number, offset in sorted(offsets.items()):
        out += b"%d 1\n%010d 00000 n \n" % (number, offset)
    size = max(_size(data), max(objects) + 1)
    out += b"trailer\n<< /Size %d /Root %s /Prev %s >>\nstartxref\n%d\n%%%%EOF\n" % (size, root[-1], previous[-1], xref)
    return bytes(out)


# --- text --------------------------------------------------------------------------------------

SCRIPTS = [
    "مريض يبلغ من العمر ٤٥ عامًا",
    "患者は45歳の男性で、発熱を認めた。",
    "患者，男，45岁，发热三天",
    "Пациент 45 лет, лихорадка",
    "रोगी 45 वर्ष का पुरुष",
    "חולה בן 45",
    "👨‍⚕️💊🧪🩸",
    "\u200f\u202eRTL\u202c\u200e",
    "\u200b\u200d\ufeff\u2028\u2029",
    "e\u0301\u0301\u0301\u0301",
    "ﬁ ﬀ Ⅳ ㎎ µg",
]
MARKDOWN = ["$" * 400, "**" * 300, "<sup>" * 200, "| a " * 400 + "|\n", "#" * 7 + " x", "- " * 500, "![" * 300]


def megabyte_line(rng: random.Random, data: bytes, _other: bytes) -> bytes:
    # short words, however the input was mutated before (one 8 MB "word" once made a 1 TB line)
    words = [w[:30] for w in data.split()[:5000]] or [b"word"]
    line = b" ".join(rng.choice(words) for _ in range(rng.choice((20_000, 150_000))))[: 2 * 1024 * 1024]
    return data[: rng.randint(0, len(data))] + line + b"\n" + data


def no_spaces(rng: random.Random, data: bytes, _other: bytes) -> bytes:
    squeezed = re.sub(rb"\s+", b"", data)
    return squeezed * (rng.choice((1, 1, 30)))


def control_chars(rng: random.Random, data: bytes, _other: bytes) -> bytes:
    out = bytearray(data)
    for _ in range(rng.randint(1, 200)):
        out.insert(rng.randint(0, len(out)), rng.choice(list(range(0, 32)) + [127]))
    return bytes(out)


def mixed_scripts(rng: random.Random, data: bytes, _other: bytes) -> bytes:
    out = data
    for _ in range(rng.randint(1, 40)):
        at = rng.randint(0, len(out))
        out = out[:at] + rng.choice(SCRIPTS).encode("utf-8") + out[at:]
    return out


def invalid_utf8(rng: random.Random, data: bytes, _other: bytes) -> bytes:
    out = data
    for _ in range(rng.randint(1, 30)):
        at = rng.randint(0, len(out))
        bad = rng.choice((b"\xff", b"\xc0\x80", b"\xed\xa0\x80", b"\xe2\x82", b"\x80\x80", b"\xfe\xff", b"\xf8\x88"))
        out = out[:at] + bad + out[at:]
    return out


def nul_bytes(rng: random.Random, data: bytes, _other: bytes) -> bytes:
    if rng.random() < 0.2:
        return data.replace(b" ", b"\0")
    out = bytearray(data)
    for _ in range(rng.randint(1, 200)):
        out.insert(rng.randint(0, len(out)), 0)
    return bytes(out) + b"\0" * rng.randint(0, 1000)


def markdown(rng: random.Random, data: bytes, _other: bytes) -> bytes:
    out = data
    for _ in range(rng.randint(1, 5)):
        at = rng.randint(0, len(out))
        out = out[:at] + rng.choice(MARKDOWN).encode() + out[at:]
    return out


def huge_file(rng: random.Random, data: bytes, _other: bytes) -> bytes:
    return data * max(1, rng.choice((2_000_000, 8_000_000)) // max(1, len(data)))


def encodings(rng: random.Random, data: bytes, _other: bytes) -> bytes:
    text = data.decode("utf-8", "replace")
    return rng.choice((b"\xef\xbb\xbf" + data, text.encode("utf-16"), text.encode("latin-1", "replace")))


# the costly ones (a batch of minutes) are drawn rarely: they are one kind of input, not the campaign
TEXT_MUTATORS: list[tuple[Callable, int]] = [
    (megabyte_line, 1),
    (no_spaces, 8),
    (control_chars, 12),
    (mixed_scripts, 12),
    (invalid_utf8, 12),
    (nul_bytes, 8),
    (markdown, 10),
    (huge_file, 1),
    (encodings, 6),
    (flip, 6),
    (delete, 4),
    (splice, 4),
    (truncate, 2),
]


MAX_BYTES = 8_000_000  # stacked growth (a huge file, then duplicated) stops here


# --- inputs ------------------------------------------------------------------------------------


def make_input(seed: int, index: int, pdfs: list[bytes], texts: list[bytes]) -> tuple[str, bytes, list[str]]:
    """Input `index` of campaign `seed`: (suffix, bytes, the mutations applied)."""
    rng = random.Random(f"{seed}:{index}")
    if rng.random() < 0.6:
        data, other = rng.choice(pdfs), rng.choice(pdfs)
        suffix = ".pdf"
        pool = [(m, 3) for m in PDF_MUTATORS] + [(m, 2) for m in BYTE_MUTATORS]
    else:
        data, other = rng.choice(texts), rng.choice(texts)
        suffix = rng.choice((".txt", ".txt", ".md"))
        pool = TEXT_MUTATORS
    applied = []
    for _ in range(rng.choice((1, 1, 2, 3))):
        for _attempt in range(4):  # a mutator that finds nothing to change in this input: draw another
            mutator = rng.choices([m for m, _ in pool], weights=[w for _, w in pool])[0]
            try:
                data = mutator(rng, data, other)[:MAX_BYTES]
            except LookupError:
                continue
            applied.append(mutator.__name__)
            break
    return suffix, data, applied
