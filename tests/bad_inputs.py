"""Broken and hostile inputs that tests generate on the fly (never shipped)."""

from __future__ import annotations

import io
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
