"""Broken and hostile inputs that tests generate on the fly (never shipped)."""

from __future__ import annotations

import io
import zlib
from pathlib import Path


def zero_bytes(path: Path) -> Path:
    path.write_bytes(b"")
    return path


def text_named_pdf(path: Path) -> Path:
    path.write_text("This is a plain text file, not a PDF.\n", encoding="utf-8")
    return path


def truncated(path: Path, source: Path) -> Path:
    data = source.read_bytes()
    path.write_bytes(data[: len(data) // 3])
    return path


def encrypted(path: Path, user_password: str, owner_password: str = "owner-secret") -> Path:
    from reportlab.lib.pdfencrypt import StandardEncryption
    from reportlab.pdfgen import canvas

    pdf = canvas.Canvas(str(path), encrypt=StandardEncryption(user_password, owner_password), invariant=1)
    pdf.setFont("Times-Roman", 11)
    pdf.drawString(72, 720, "A 30-year-old woman received methylprednisolone 40 mg daily.")
    pdf.save()
    return path


def image_only(path: Path) -> Path:
    """A 'scanned' page: a picture of text, no text layer."""
    from PIL import Image, ImageDraw
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    image = Image.new("L", (600, 200), 255)
    ImageDraw.Draw(image).text((20, 80), "A 30-year-old woman was admitted.", fill=0)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    buffer.seek(0)
    pdf = canvas.Canvas(str(path), invariant=1)
    pdf.drawImage(ImageReader(buffer), 50, 500, width=500, height=170)
    pdf.save()
    return path


def simple_pdf(path: Path, lines: list[str]) -> Path:
    from reportlab.pdfgen import canvas

    pdf = canvas.Canvas(str(path), invariant=1)
    pdf.setFont("Times-Roman", 11)
    for i, line in enumerate(lines):
        pdf.drawString(72, 760 - 14 * i, line)
    pdf.save()
    return path


def broken_xref(path: Path, source: Path) -> Path:
    """Every cross-reference offset wrong: readers must rebuild the table by scanning."""
    import re

    data = source.read_bytes()
    data = re.sub(rb"(\d{10}) (\d{5}) n", lambda m: b"%010d %s n" % (int(m.group(1)) + 7, m.group(2)), data)
    data = re.sub(rb"startxref\s+\d+", b"startxref\n999999", data)
    path.write_bytes(data)
    return path


def many_pages(path: Path, pages: int) -> Path:
    from reportlab.pdfgen import canvas

    pdf = canvas.Canvas(str(path), invariant=1)
    for page in range(pages):
        pdf.setFont("Times-Roman", 11)
        pdf.drawString(72, 720, f"Page {page + 1} of a very long document.")
        pdf.showPage()
    pdf.save()
    return path


def crowded_page(path: Path, characters: int = 600_000) -> Path:
    """One page carrying `characters` characters in tiny type: about 20 s of PDF parsing alone, so
    it outlasts the tests' time limits (6-8 s) however much faster the rest of the pipeline gets
    (200,000 characters took 8.4 s end to end, right at the limit)."""
    from reportlab.pdfgen import canvas

    pdf = canvas.Canvas(str(path), invariant=1)
    text = pdf.beginText(10, 830)
    text.setFont("Courier", 0.6)
    text.setLeading(0.41)
    line = ("ferritin 2140 ug/L " * 30)[:500]
    for _ in range(characters // len(line)):
        text.textLine(line)
    pdf.drawText(text)
    pdf.save()
    return path


def _raw_pdf(objects: list[bytes]) -> bytes:
    """A PDF from raw object bodies (1-based numbering), with a correct xref table."""
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def nested_objects(path: Path, depth: int = 50_000) -> Path:
    """A page whose resources hold arrays nested `depth` deep (parsers that recurse overflow)."""
    nest = b"[" * depth + b"]" * depth
    content = b"BT /F1 12 Tf 72 720 Td (Nested) Tj ET"
    path.write_bytes(
        _raw_pdf(
            [
                b"<< /Type /Catalog /Pages 2 0 R >>",
                b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
                b"/Resources << /Font << /F1 5 0 R >> /Deep " + nest + b" >> >>",
                b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
                b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
            ]
        )
    )
    return path


def malformed_font(path: Path) -> Path:
    """A font whose ToUnicode CMap is garbage and whose widths array is broken."""
    cmap = b"this is not a cmap \x00\xff begincodespacerange <00> endbfchar garbage"
    content = b"BT /F1 12 Tf 72 720 Td (Methylprednisolone 40 mg) Tj ET"
    path.write_bytes(
        _raw_pdf(
            [
                b"<< /Type /Catalog /Pages 2 0 R >>",
                b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
                b"/Resources << /Font << /F1 5 0 R >> >> >>",
                b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
                b"<< /Type /Font /Subtype /TrueType /BaseFont /Broken /FirstChar 32 /LastChar 30 /Widths [1 2 /x] "
                b"/Encoding /NoSuchEncoding /ToUnicode 6 0 R >>",
                b"<< /Length %d >>\nstream\n" % len(cmap) + cmap + b"\nendstream",
            ]
        )
    )
    return path


def latin1_text(path: Path) -> Path:
    path.write_bytes("A 45-year-old man with caf\xe9-au-lait spots received 5 \xb5g/kg.".encode("latin-1"))
    return path


# --- damaged copies of a good PDF (a truncated download, lost or changed bytes) ---------------------


def report_pages(path: Path, pages: list[list[str]]) -> Path:
    """A several-page PDF, one list of lines per page (reportlab: the catalog and page objects come
    first, each page's content stream after them, the cross-reference table and trailer last)."""
    from reportlab.pdfgen import canvas

    pdf = canvas.Canvas(str(path), invariant=1)
    for lines in pages:
        pdf.setFont("Times-Roman", 11)
        for i, line in enumerate(lines):
            pdf.drawString(72, 760 - 14 * i, line)
        pdf.showPage()
    pdf.save()
    return path


def cut_at(path: Path, source: Path, fraction: float) -> Path:
    """The first `fraction` of `source`'s bytes: a download that stopped (its trailer lost)."""
    data = source.read_bytes()
    path.write_bytes(data[: int(len(data) * fraction)])
    return path


def bytes_deleted(path: Path, source: Path, fraction: float, length: int) -> Path:
    """`length` bytes taken out at `fraction` of the file: every object after them is where the
    cross-reference table no longer says."""
    data = source.read_bytes()
    start = int(len(data) * fraction)
    path.write_bytes(data[:start] + data[start + length :])
    return path


def stream_bytes_flipped(path: Path, source: Path, stream: int, count: int, seed: int = 0) -> Path:
    """`count` bytes inside the `stream`-th stream (0-based) set to random values: a page whose
    compressed content no longer decodes, in a file whose structure is intact."""
    import random
    import re

    data = bytearray(source.read_bytes())
    spans = [(m.start(1), m.end(1)) for m in re.finditer(rb"stream\r?\n(.*?)endstream", bytes(data), re.S)]
    start, end = spans[stream]
    rng = random.Random(seed)
    for _ in range(count):
        data[rng.randrange(start, end)] = rng.randrange(256)
    path.write_bytes(bytes(data))
    return path


def deflated_zeros(size: int, unit: int = 1 << 24) -> bytes:
    """A zlib stream that inflates to `size` bytes of zeros (a multiple of `unit`), made in
    milliseconds: after a full flush the compressor starts afresh, so every `unit` of zeros packs
    to the same bytes, written once and repeated. About 1,000 : 1."""
    packer = zlib.compressobj(9)
    first = packer.compress(b"\0" * unit) + packer.flush(zlib.Z_FULL_FLUSH)
    again = packer.compress(b"\0" * unit) + packer.flush(zlib.Z_FULL_FLUSH)
    end = packer.flush()[:-4]  # the final block; its checksum is of two units, not of `size`
    count = max(1, size // unit)
    checksum = ((count * unit) % 65521) << 16 | 1  # Adler-32 of zeros: a = 1, b = length
    return first + again * (count - 1) + end + checksum.to_bytes(4, "big")


def flate_bomb(path: Path, gigabytes: float = 4, where: str = "content") -> Path:
    """A one-page PDF with a line of text and a FlateDecode stream of a few MB that inflates to
    `gigabytes` GB of zeros: a second content stream of the page (`content`), the embedded TrueType
    program of its font (`font`, which readers parse for its character map), or its font's
    ToUnicode map (`tounicode`)."""
    bomb = deflated_zeros(int(gigabytes * (1 << 30)))
    font = {
        "content": b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        "font": b"<< /Type /Font /Subtype /TrueType /BaseFont /Bomb /FirstChar 32 /LastChar 126 "
        b"/FontDescriptor << /Type /FontDescriptor /FontName /Bomb /Flags 32 /FontFile2 6 0 R >> >>",
        "tounicode": b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /ToUnicode 6 0 R >>",
    }[where]
    text = b"BT /F1 12 Tf 72 720 Td (A 30-year-old woman received 40 mg daily.) Tj ET"
    contents = b"[6 0 R 4 0 R]" if where == "content" else b"4 0 R"
    path.write_bytes(
        _raw_pdf(
            [
                b"<< /Type /Catalog /Pages 2 0 R >>",
                b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents %s "
                b"/Resources << /Font << /F1 5 0 R >> >> >>" % contents,
                b"<< /Length %d >>\nstream\n" % len(text) + text + b"\nendstream",
                font,
                b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(bomb) + bomb + b"\nendstream",
            ]
        )
    )
    return path


def huge_text(path: Path, characters: int = 5_200_000) -> Path:
    """A plain-text report longer than the language pipeline reads (5,000,000 characters): the fuzz
    campaign's `huge_file` mutation, which was an internal error (spaCy's E088) before."""
    line = "A 30-year-old woman received methylprednisolone 40 mg daily and improved.\n"
    path.write_text(line * (characters // len(line) + 1), encoding="utf-8")
    return path
