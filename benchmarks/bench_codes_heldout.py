"""How the coder does on conditions no rule was written from: 160 condition mentions of PHEE's
adverse-drug-event sentences (../shared/data/phee, train and dev), drawn at random on 2026-12-07
from the names no review of that day had shown, each coded blind by a helper who saw the mention and
its sentence, never the tool's code (`data/phee_blind_codes.tsv`: document id, offsets, mention, code,
the coder's confidence; facts only, no sentence).

Prints figures only, never which mention the tool got wrong: the set stays held out. On the mentions
the blind coder gave a code: the share whose tool code has its category, its full code, and any code.

Run: `.venv/bin/python benchmarks/bench_codes_heldout.py` (needs ../shared; ~30 s).
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
PHEE = ROOT.parent / "shared" / "data" / "phee"
BLIND = Path(__file__).with_name("data") / "phee_blind_codes.tsv"


def phee_texts() -> dict[str, str]:
    from pipeline.training.corpora import read_phee

    return {r.doc_id: r.text.strip() for split in ("train", "dev") for r in read_phee(PHEE / f"{split}.jsonl")}


def main() -> None:
    if not PHEE.is_dir():
        sys.exit(f"{PHEE} is not here: nothing to measure")
    from pipeline.nlp import load_pipeline

    with open(BLIND, encoding="utf-8") as handle:
        items = list(csv.DictReader(handle, delimiter="\t"))
    texts = phee_texts()
    nlp = load_pipeline()
    ids = sorted({item["phee_doc_id"] for item in items})
    docs = dict(zip(ids, nlp.pipe(texts[i] for i in ids)))
    coded = [item for item in items if item["icd10cm"]]
    if not coded:
        sys.exit(f"{BLIND} holds no blind code: nothing to measure")
    category = full = any_code = 0
    for item in coded:
        start, end = int(item["start"]), int(item["end"])
        doc = docs[item["phee_doc_id"]]
        found = [e for e in doc.ents if e.label_ == "DISEASE" and e.start_char < end and start < e.end_char]
        code = max(found, key=len).kb_id_ if found else ""
        any_code += bool(code)
        category += bool(code) and code[:3] == item["icd10cm"][:3]
        full += code == item["icd10cm"]
    n = len(coded)
    print(f"{len(items)} held-out mentions, {n} with a blind code")
    print(f"category {category / n:.3f} ({category})  full code {full / n:.3f} ({full})  any code {any_code / n:.3f}")


if __name__ == "__main__":
    main()
