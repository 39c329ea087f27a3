"""Build `pipeline/resources/diseases.tsv.gz`: disease names from the annotated corpora.

Run by a maintainer (needs ../shared/data):

    python tools/build_disease_gazetteer.py

The statistical NER misses rare or long names it saw in training (`Stevens-Johnson syndrome`
at a sentence start); a gazetteer of every disease mention annotated in the BC5CDR and
NCBI-disease training and development splits (never the test splits, which score the NER)
restores them. Names are stored lower case with how often annotators marked them; names of
three letters or fewer and generic words are left out, since out of context they are ambiguous.
"""

from __future__ import annotations

import gzip
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pipeline.training.corpora import read_iob  # noqa: E402

DATA = ROOT.parent / "shared" / "data"
OUT = ROOT / "pipeline" / "resources" / "diseases.tsv.gz"
GENERIC = {
    "disease",
    "diseases",
    "disorder",
    "disorders",
    "syndrome",
    "syndromes",
    "toxicity",
    "injury",
    "damage",
    "pain",
    "lesion",
    "lesions",
    "tumor",
    "tumors",
    "tumour",
    "cancer",
    "cancers",
    "deficiency",
    "infection",
    "inflammation",
    "death",
    "deaths",
    "abnormalities",
    "abnormality",
    "impairment",
    "dysfunction",
    "toxic",
}


def mentions(path: Path):
    for sentence in read_iob(path):
        words, tags = sentence.words, sentence.tags
        i = 0
        while i < len(words):
            if tags[i] == "B-DISEASE":
                j = i + 1
                while j < len(words) and tags[j] == "I-DISEASE":
                    j += 1
                yield " ".join(words[i:j])
                i = j
            else:
                i += 1


def main() -> None:
    counts: Counter[str] = Counter()
    for corpus in ("bc5cdr", "ncbi-disease"):
        for split in ("train", "devel"):
            for mention in mentions(DATA / corpus / f"{split}.tsv"):
                name = mention.lower().replace(" - ", "-").replace(" ' s", "'s").replace(" , ", ", ")
                if len(name) > 3 and name not in GENERIC and not name.isdigit():
                    counts[name] += 1
    with gzip.open(OUT, "wt", encoding="utf-8", compresslevel=9) as out:
        out.write("name\tcount\n")
        for name, count in sorted(counts.items()):
            out.write(f"{name}\t{count}\n")
    print(f"{len(counts)} disease names → {OUT}")


if __name__ == "__main__":
    main()
