"""The `casextract_coder` component: standard codes for every condition, drug and lab test, offline.

After `casextract_fact_types`, it writes on each DISEASE entity its ICD-10-CM code (`span.kb_id_`,
as spaCy's entity linker does), and on `span._.codes` every code with the vocabulary term it was
chosen from: ICD-10-CM and its title, Disease Ontology, MeSH. A DRUG entity gets its DrugBank id
(`kb_id_`) and its own MeSH id; a lab result (`doc._.lab_results`) its LOINC code where the
project's LOINC-keyed table names the test. The tables, the review page and `doc.ents` read the
same codes.

The index (`tools/build_code_index.py`) is built from ICD-10-CM (the CMS code set), the Human
Disease Ontology and MeSH, and gives each name one concept, chosen once at build time: a bare
name takes the code ICD-10-CM lists for it, unspecified (`fever` → R50.9, never a typhoid code); a
Disease Ontology term ICD-10-CM has no code for, the code of the disease it is a kind of (the
evidence says so: `renal medullary carcinoma → renal cell carcinoma`).
The coder reads the name the pipeline gave the condition (abbreviations already expanded), in
American spelling, and takes the most specific name the index knows: the whole name, then the
name without words the index cannot place (`severe acute pancreatitis` → `acute pancreatitis`,
`community-acquired pneumonia` → `pneumonia`), never a name too general to code by itself
(`disease`, `syndrome`). A condition no vocabulary knows stays uncoded.

Why by hand: scispaCy's entity linker needs UMLS knowledge bases fetched at run time, and the
code sets' own search is by words (a bag-of-words hit is a guess, not a code).
"""

from __future__ import annotations

import gzip
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass, replace

from spacy.language import Language
from spacy.tokens import Doc, Span

from ..lexicons import resource_bytes, resource_json, table_rows, word_list
from .data_files import DataFiles
from .values import DISEASE, DRUG, _ext

_ext(Span, "codes")

FILES = {
    "conditions": "condition_codes.tsv.gz",
    "titles": "icd10cm_titles.tsv.gz",
    "drugs": "drug_codes.tsv.gz",
    "labs": "lab_codes.tsv",
    "spelling": "spelling.json",
    "too_general": "too_general_to_code.txt",
    "sides": "icd10cm_sides.tsv.gz",
    "laterality": "laterality.json",
}
PARENTHESIS = re.compile(r"\s*[(\[][^)\]]*[)\]]")


@dataclass(frozen=True)
class Codes:
    """The concept a span names, in every vocabulary that knows it ("" where none does)."""

    icd10cm: str = ""
    icd10cm_title: str = ""
    doid: str = ""
    mesh_id: str = ""
    drugbank_id: str = ""
    loinc: str = ""
    evidence: str = ""  # the vocabulary's name the codes were chosen from


@Language.factory(
    "casextract_coder",
    default_config=FILES,
    assigns=["span._.codes", "token.ent_kb_id", "doc._.lab_results", "span._.lab"],  # a result's `loinc`
    requires=["doc.ents", "span._.normalized"],
)
def make_coder(
    nlp: Language,
    name: str,
    conditions: str,
    titles: str,
    drugs: str,
    labs: str,
    spelling: str,
    too_general: str,
    sides: str,
    laterality: str,
) -> Coder:
    files = {"conditions": conditions, "titles": titles, "drugs": drugs, "labs": labs, "spelling": spelling}
    return Coder(files | {"too_general": too_general, "sides": sides, "laterality": laterality})


class Coder(DataFiles):
    def __init__(self, files: dict[str, str] | None = None):
        self.files = FILES | (files or {})

    def load(self, files: dict[str, str]) -> None:
        columns = _columns(files["conditions"], "name", "icd10cm", "doid", "mesh_id", "coded_as")
        self.conditions = {
            name: (sys.intern(icd10cm), sys.intern(doid), sys.intern(mesh_id), coded_as)
            for name, icd10cm, doid, mesh_id, coded_as in columns
            if icd10cm or doid or mesh_id
        }
        self.titles = dict(_columns(files["titles"], "code", "title"))
        self.drugs = {
            generic: (db, mesh) for generic, db, mesh in _columns(files["drugs"], "generic", "drugbank_id", "mesh_id")
        }
        self.labs = {r["test"]: r["loinc"] for r in table_rows(files["labs"])}
        folds = resource_json(files["spelling"])["fold"]
        self.folds = [(re.compile(pattern), american) for pattern, american in folds.items()]
        self.too_general = word_list(files["too_general"])
        self.sides = {
            code: dict(zip(("right", "left", "bilateral"), others))
            for code, *others in _columns(files["sides"], "code", "right", "left", "bilateral")
        }
        laterality = resource_json(files["laterality"])
        self.side_words = {word: side for side, words in laterality["sides"].items() for word in words}
        self.words_before = laterality["words_before"]

    def __call__(self, doc: Doc) -> Doc:
        self.ready()
        ents = []
        for ent in doc.ents:
            codes = None
            if ent.label_ == DISEASE:
                codes = self.on_side(self.condition(ent._.normalized or ent.text), ent)
            elif ent.label_ == DRUG:
                codes = self.drug(ent._.normalized or ent.text.lower())
            kb_id = (codes.icd10cm or codes.drugbank_id) if codes else ""
            coded = Span(doc, ent.start, ent.end, label=ent.label, kb_id=kb_id) if kb_id else ent
            coded._.codes = codes
            ents.append(coded)
        doc.ents = ents
        for result in doc._.lab_results or ():
            result.loinc = self.labs.get(result.name or result.test._.normalized or "", "")
        return doc

    def fold(self, name: str) -> str:
        name = " ".join(name.lower().split())
        for pattern, american in self.folds:
            name = pattern.sub(american, name)
        return name

    def condition(self, name: str) -> Codes | None:
        """The codes of the most specific name the index knows within `name`, or None; of the
        ways one name is written (`cataracts`, `cataract`), the one with an ICD-10-CM code. A name
        the index knows without an ICD-10-CM code stays without one: a shorter name within it
        can be another condition (`drug allergy` is not `allergy`, T78.40)."""
        for spellings in self.names_within(self.fold(name)):
            known = [term for term in spellings if term in self.conditions]
            if known:
                term = next((t for t in known if self.conditions[t][0]), known[0])
                icd10cm, doid, mesh_id, coded_as = self.conditions[term]
                title = self.titles.get(icd10cm, "")
                evidence = f"{term} → {coded_as}" if coded_as else term
                return Codes(icd10cm=icd10cm, icd10cm_title=title, doid=doid, mesh_id=mesh_id, evidence=evidence)
        return None

    def on_side(self, codes: Codes | None, span: Span) -> Codes | None:
        """The code of the side the text names, in the condition's name or just before it, where
        ICD-10-CM has one (`left ovarian cyst` → N83.202, not N83.209)."""
        if codes is None or codes.icd10cm not in self.sides:
            return codes
        before = max(span.start - self.words_before, span.sent.start)
        side = next((s for t in span.doc[before : span.end] if (s := self.side_words.get(t.lower_))), None)
        code = self.sides[codes.icd10cm].get(side or "", "")
        if not code:
            return codes
        return replace(
            codes, icd10cm=code, icd10cm_title=self.titles.get(code, ""), evidence=f"{codes.evidence} ({side})"
        )

    def names_within(self, name: str) -> list[list[str]]:
        """The ways to write `name`, then the same with words left off its start, one at a time
        (the last word kept), until what is left is too general to code by itself; each as
        written, without its parenthesis, and in the singular."""
        words = PARENTHESIS.sub("", name).split()
        names = [[name, " ".join(words), _singular(" ".join(words))]]
        for start in range(1, len(words)):
            rest = " ".join(words[start:])
            if rest in self.too_general:
                break
            names.append([rest, _singular(rest)])
        return [list(dict.fromkeys(spellings)) for spellings in names]

    def drug(self, generic: str) -> Codes | None:
        if generic not in self.drugs:
            return None
        drugbank_id, mesh_id = self.drugs[generic]
        return Codes(drugbank_id=drugbank_id, mesh_id=mesh_id, evidence=generic)


def _columns(name: str, *wanted: str) -> Iterator[list[str]]:
    """The named columns of a tab-separated resource, row by row, as lists: the index holds
    220,000 names, and a dict per row (`table_rows`) would cost some 150 MB more per worker."""
    raw = resource_bytes(name)
    lines = (gzip.decompress(raw) if name.endswith(".gz") else raw).decode("utf-8").splitlines()
    rows = (line.split("\t") for line in lines if line and not line.startswith("#"))
    header = next(rows)
    where = [header.index(column) for column in wanted]
    return ([row[i] for i in where] for row in rows)


def _singular(name: str) -> str:
    """The last word in the singular (`ulcers` → `ulcer`, `myopathies` → `myopathy`); words
    that only look plural (`diabetes`, `psoriasis`) are found as written before this is tried."""
    if name.endswith("ies"):
        return name[:-3] + "y"
    if name.endswith("s") and not name.endswith(("ss", "is", "us")):
        return name[:-1]
    return name
