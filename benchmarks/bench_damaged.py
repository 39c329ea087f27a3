"""Damaged PDFs, as a new user meets them: how many of a set of PDFs mutated from good ones are read
(`ok`), read after repair (`ok` with a warning) or error rows, now and, with `--before REV`, with
the PDF stage of an earlier commit; and of those pdfium alone reads more than 500 characters from,
how many are `ok` (issue 26: all of them).

Mutations (seeded): bytes flipped, the file cut short, a range deleted, a range spliced in from
elsewhere in the file, a number broken (`/Length 1234` → `/Length 1294`), a keyword broken (`obj`,
`endobj`, `stream`, `xref`, `trailer`). Only the PDF stage runs (`read_pdf`), each file in a worker
process with a time limit, so a hang is counted, not waited for.

Run: `nice .venv/bin/python benchmarks/bench_damaged.py [--n 200] [--engine pdfium] [--before d5e4e6f]`.
Inputs: `corpus/*.pdf`, and with `--real` the 45 real case reports as two-column PDFs
(tools/real_corpus.py, needs ../shared).
"""

from __future__ import annotations

import argparse
import multiprocessing
import random
import re
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

KEYWORDS = (b"endobj", b"obj", b"stream", b"endstream", b"xref", b"trailer", b"startxref", b" R")
SECONDS = 60


def mutate(data: bytes, rng: random.Random) -> tuple[str, bytes]:
    kind = rng.choice(["flip", "cut", "delete", "splice", "number", "keyword"])
    out = bytearray(data)
    if kind == "flip":
        for _ in range(rng.randint(1, 20)):
            out[rng.randrange(len(out))] = rng.randrange(256)
    elif kind == "cut":
        out = out[: int(len(out) * rng.uniform(0.2, 0.995))]
    elif kind == "delete":
        start = rng.randrange(len(out))
        del out[start : start + rng.randint(1, 2000)]
    elif kind == "splice":
        start, length = rng.randrange(len(out)), rng.randint(1, 2000)
        source = rng.randrange(len(out))
        out[start:start] = out[source : source + length]
    elif kind == "number":
        numbers = list(re.finditer(rb"\d+", data))
        for match in rng.sample(numbers, min(len(numbers), rng.randint(1, 5))):
            digit = rng.randrange(match.start(), match.end())
            out[digit] = ord(str(rng.randrange(10)))
    else:
        hits = [m for k in KEYWORDS for m in re.finditer(re.escape(k), data)]
        for match in rng.sample(hits, min(len(hits), rng.randint(1, 3))):
            out[rng.randrange(match.start(), match.end())] = rng.randrange(97, 123)
    return kind, bytes(out)


def classify(path: str, engine: str) -> tuple[str, str]:
    """(`ok` | `ok, warning` | `error`, the reason or warning), with the PDF stage on `sys.path`."""
    from pipeline.pdf import ENGINES, read_pdf
    from pipeline.structures import InputError

    try:
        layout = read_pdf(path, {"max_pages": 1000}, open_source=ENGINES[engine])
    except InputError as exc:
        return "error", str(exc)
    except RecursionError:
        return "error", "damaged PDF (objects nested too deeply)"
    except Exception as exc:  # what the worker would call an internal error
        return "error", f"internal error ({type(exc).__name__})"
    warning = getattr(layout, "warning", "")  # "" before the column existed
    return ("ok, warning" if warning else "ok"), warning


def pdfium_characters(path: str) -> int:
    import pypdfium2

    try:
        document = pypdfium2.PdfDocument(path)
    except pypdfium2.PdfiumError:
        return 0
    total = 0
    for index in range(len(document)):
        try:
            total += len(document[index].get_textpage().get_text_range().strip())
        except pypdfium2.PdfiumError:
            pass
    return total


def _use_code(code: str) -> None:
    import logging

    sys.path.insert(0, code)
    logging.getLogger("pdfminer").setLevel(logging.ERROR)  # its warnings about each damaged object


def classify_all(paths: list[Path], engine: str, code: Path) -> list[tuple[str, str]]:
    """Each file classified in a worker process (one at a time) whose `pipeline` is under `code`."""
    from pebble import ProcessPool

    results = []
    spawn = multiprocessing.get_context("spawn")  # a fresh process: nothing of `pipeline` imported yet
    with ProcessPool(max_workers=1, initializer=_use_code, initargs=(str(code),), context=spawn) as pool:
        futures = [pool.schedule(classify, args=(str(p), engine), timeout=SECONDS) for p in paths]
        for future in futures:
            try:
                results.append(future.result())
            except TimeoutError:
                results.append(("error", f"took longer than {SECONDS} s"))
            except Exception as exc:  # the worker died (a crash in a PDF library)
                results.append(("error", f"worker died ({type(exc).__name__})"))
    return results


def reason_kind(reason: str) -> str:
    return re.sub(r"\(.*", "(…)", reason) if reason.startswith("damaged PDF (") else reason[:60]


def report(label: str, results: list[tuple[str, str]], readable: list[bool]) -> None:
    statuses = Counter(status for status, _ in results)
    print(f"\n{label}: " + ", ".join(f"{statuses[s]} {s}" for s in ("ok", "ok, warning", "error")))
    both = sum(r and s != "error" for (s, _), r in zip(results, readable))
    print(f"  of {sum(readable)} pdfium alone reads > 500 characters from: {both} ok")
    lost = Counter(reason_kind(reason) for (status, reason), r in zip(results, readable) if r and status == "error")
    if lost:
        print("  error rows among them: " + "; ".join(f"{n} {k}" for k, n in lost.most_common()))
    reasons = Counter(reason_kind(reason) for status, reason in results if status == "error")
    print("  error rows: " + "; ".join(f"{n} {k}" for k, n in reasons.most_common(6)))


def sources(real: bool, folder: Path) -> list[Path]:
    found = sorted((ROOT / "corpus").glob("*.pdf"))
    if real:
        from tools.real_corpus import build

        reports = ROOT.parent / "shared" / "data" / "case-reports-ada" / "case_reports.jsonl"
        found += sorted(build(folder / "real", reports, layouts=("pdf-2col",))["pdf-2col"].iterdir())
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=200, help="mutated PDFs (default 200)")
    parser.add_argument("--seed", type=int, default=26)
    parser.add_argument("--engine", default="pdfplumber", choices=["pdfplumber", "pdfium"])
    parser.add_argument("--before", metavar="REV", help="also measure the PDF stage of this commit")
    parser.add_argument("--real", action="store_true", help="mutate the 45 real reports too (needs ../shared)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        originals = sources(args.real, folder)
        rng = random.Random(args.seed)
        paths, kinds = [], Counter()
        for i in range(args.n):
            kind, data = mutate(rng.choice(originals).read_bytes(), rng)
            kinds[kind] += 1
            paths.append(folder / f"mutant-{i:03d}.pdf")
            paths[-1].write_bytes(data)
        print(f"{args.n} PDFs mutated from {len(originals)} ({dict(kinds)}); engine {args.engine}")
        readable = [pdfium_characters(str(p)) > 500 for p in paths]
        if args.before:
            old = folder / "before"
            old.mkdir()
            archive = subprocess.run(
                ["git", "archive", args.before, "pipeline"], cwd=ROOT, capture_output=True, check=True
            )
            subprocess.run(["tar", "-x", "-C", str(old)], input=archive.stdout, check=True)
            report(f"before ({args.before})", classify_all(paths, args.engine, old), readable)
        report("now", classify_all(paths, args.engine, ROOT), readable)


if __name__ == "__main__":
    main()
