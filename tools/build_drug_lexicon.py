"""Build `pipeline/resources/drugs.tsv.gz` from the `drug-named-entity-recognition` package.

Run once by a maintainer (not at install or run time):

    pip install drug-named-entity-recognition==2.0.9
    python tools/build_drug_lexicon.py

Why a derived file instead of the package at run time: the package ships its dictionary as a
pickle (unpickling runs code, and we load nothing that way), and it mixes drugs with MeSH
proteins and genes (`ferritins`, `interleukin-6`, `janus kinase 2`) that would turn lab tests
into drugs. We keep only entries that DrugBank or MedlinePlus list as drugs, or whose MeSH tree
places them among pharmacological substances, and write plain `variant<TAB>generic<TAB>brand`.
Corrections and additions live in `pipeline/resources/drug_overrides.tsv`, applied on load.
"""

from __future__ import annotations

import bz2
import gzip
import os
import pickle  # trusted: the package's own data, read once at build time, never user input
import re
from pathlib import Path

import drug_named_entity_recognition

OUT = Path(__file__).resolve().parents[1] / "pipeline" / "resources" / "drugs.tsv.gz"
# MeSH D27 = chemical actions and uses; D02–D04 = organic, heterocyclic, polycyclic compounds
DRUG_TREES = ("D27", "D02", "D03", "D04", "D01")
# a name as it stands in running text: 3–40 characters, letters first, no markup
PLAIN_NAME = re.compile(r"[a-zα-ω][a-zα-ω0-9 ,./+()'-]{2,39}")


# allergen extracts are listed under the organism's name; in a case report these are pathogens
MICROBE_GENERA = {
    "aspergillus",
    "candida",
    "escherichia",
    "staphylococcus",
    "streptococcus",
    "pneumocystis",
    "mycobacterium",
    "pseudomonas",
    "klebsiella",
    "enterococcus",
    "cryptococcus",
    "mucor",
    "rhizopus",
    "listeria",
    "salmonella",
    "clostridium",
    "clostridioides",
    "haemophilus",
    "neisseria",
    "legionella",
    "mycoplasma",
    "chlamydia",
    "treponema",
    "borrelia",
    "toxoplasma",
    "plasmodium",
    "leishmania",
    "trichophyton",
    "malassezia",
    "fusarium",
    "alternaria",
    "cladosporium",
    "acinetobacter",
    "enterobacter",
    "serratia",
    "proteus",
    "bacteroides",
    "helicobacter",
    "campylobacter",
    "nocardia",
    "actinomyces",
    "histoplasma",
    "coccidioides",
    "blastomyces",
    "penicillium",
    "epidermophyton",
    "microsporum",
    "dermatophagoides",
    "moraxella",
    "shigella",
    "vibrio",
}


def is_microbe(name: str) -> bool:
    return name.split(" ")[0] in MICROBE_GENERA and "vaccine" not in name and "toxin" not in name


def is_drug(data: dict) -> bool:
    if data.get("drugbank_id") or data.get("medline_plus_id"):
        return True
    return any(code.startswith(DRUG_TREES) for code in data.get("mesh_tree", []))


def main() -> None:
    path = Path(os.path.dirname(drug_named_entity_recognition.__file__)) / "drug_ner_dictionary.pkl.bz2"
    with bz2.open(path) as handle:
        data = pickle.load(handle)
    canonical = data["drug_canonical_to_data"]
    variants = data["drug_variant_to_canonical"]
    variant_data = data["drug_variant_to_variant_data"]
    rows = set()
    for variant, names in variants.items():
        name = names[0]
        info = canonical.get(name, {})
        if (
            not is_drug(info)
            or is_microbe(name.lower())
            or is_microbe(variant)
            or not PLAIN_NAME.fullmatch(variant)
            or re.fullmatch(r"[\d\W]+", variant)
        ):
            continue  # markup left over from the package's wiki sources, or too short to be safe
        brand = "1" if variant_data.get(variant, {}).get("is_brand") else "0"
        rows.add((variant.lower(), name.lower(), brand))
    with gzip.open(OUT, "wt", encoding="utf-8", compresslevel=9) as out:
        out.write("variant\tgeneric\tbrand\n")
        for row in sorted(rows):
            out.write("\t".join(row) + "\n")
    print(f"{len(rows)} variants of {len({r[1] for r in rows})} drugs → {OUT}")


if __name__ == "__main__":
    main()
