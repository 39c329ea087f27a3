"""The `casextract_fact_types` component: what each recognised span is, and whose.

One place decides, once, for every DISEASE and DRUG entity:

- `span._.fact_type`: `diagnosis`, `symptom` (a sign, a symptom or a finding: `fever`, `heliotrope
  rash`, a lone pathogen or adjective), `drug`, `drug class` (`narcotics`, `calcineurin inhibitors`)
  or `other` (a molecule of the body or the laboratory, a reagent of a method);
- `span._.subject`: `""` for the patient, the relative or donor it belongs to (`sister`, `donor`:
  `Her sister had systemic lupus erythematosus`), or `literature` in a background section or a
  sentence of general knowledge (`casextract_statements`);
- `span._.type_evidence`: why, in a few words, for the review page and for a curator;
- `span._.assertion`: `confirmed`, `suspected`, `differential`, `history` (the patient's past, or a
  relative's condition) or `negated`, with `span._.assertion_evidence`, from negspaCy's verdict,
  the certainty cue (`casextract_certainty`) and the subject.

The word lists are resources the config names (saved with the pipeline by `to_disk`), so an
override of one list is the list every stage uses. The link stage only reads these decisions.
"""

from __future__ import annotations

import re
from collections import Counter

from spacy.language import Language
from spacy.tokens import Doc, Span

from ..lexicons import condition_vocabulary, resource_json, word_list
from .data_files import DataFiles
from .values import DISEASE, DRUG, _ext, doc_text

for _name in ("fact_type", "type_evidence", "assertion", "assertion_evidence"):
    _ext(Span, _name)
_ext(Span, "subject", "")

FILES = {
    "not_diagnoses": "not_diagnoses.txt",
    "disease_additions": "disease_additions.txt",
    "microbes": "microbes.txt",
    "drug_classes": "drug_classes.txt",
    "not_medications": "not_medications.json",
    "relatives": "relatives.json",
    "condition_rules": "condition_context.json",
    "disease_names": "disease_vocabulary.tsv.gz",
}
# how a class of drugs is named, not one drug: `calcineurin inhibitors`, `analgesics, opioid`
CLASS_NAME = re.compile(
    r",\s|\b(?:agents|antagonists|agonists|inhibitors|blockers|drugs|solutions|preparations|compounds)$"
)
CONTRACT_CERTAINTY = {
    "confirmed": "confirmed",
    "suspected": "suspected",
    "differential": "suspected",
    "history": "history",
}
# the recogniser's labels (MACCROBAT's, models/case_ner) → what a span of it is; a label not here
# (a BC5CDR model's DISEASE) says nothing, and the word lists decide
RECOGNISER_TYPES = {
    "Disease_disorder": "diagnosis",
    "Sign_symptom": "symptom",
    "Diagnostic_procedure": "test",
    "Therapeutic_procedure": "procedure",
    "Lab_value": "finding",
}
# the learned condition filter's verdict (`casextract_conditions`, off by default) is one more evidence
BY_CLASSIFIER = "scored below the condition classifier's threshold"
RELATIVE_CLAUSE = re.compile(r"^\s*,\s*(?:who|whose)\b[^,;:]*,")
ADJECTIVE = re.compile(r"^[a-z]+(?:ful|ic|al|ous|ive|ory|ary|less)$")
INFECTION_WORD = re.compile(r"infection|itis|osis|emia|abscess|sepsis|disease|syndrome|pneumonia", re.I)


@Language.factory(
    "casextract_fact_types",
    default_config={**FILES, "spans_key": "case", "recogniser_types": RECOGNISER_TYPES},
    assigns=[
        "span._.fact_type",
        "span._.subject",
        "span._.type_evidence",
        "span._.assertion",
        "span._.assertion_evidence",
    ],
    requires=[
        "doc.ents",
        "doc.sents",
        "span._.normalized",
        "span._.regimens",
        "span._.background",
        "span._.general_statement",
        "span._.certainty",
        "span._.negex",
        "doc.spans",
    ],
    # (it also reads `span._.is_condition` when the condition filter is on; off, it writes nothing)
)
def make_fact_types(
    nlp: Language,
    name: str,
    not_diagnoses: str,
    disease_additions: str,
    microbes: str,
    drug_classes: str,
    not_medications: str,
    relatives: str,
    condition_rules: str,
    disease_names: str,
    spans_key: str,
    recogniser_types: dict[str, str],
) -> FactTypes:
    files = {"not_diagnoses": not_diagnoses, "disease_additions": disease_additions, "microbes": microbes}
    files |= {"drug_classes": drug_classes, "not_medications": not_medications, "relatives": relatives}
    files |= {"condition_rules": condition_rules, "disease_names": disease_names}
    return FactTypes(files, spans_key, recogniser_types)


class FactTypes(DataFiles):
    def __init__(
        self,
        files: dict[str, str] | None = None,
        spans_key: str = "case",
        recogniser_types: dict[str, str] | None = None,
    ):
        self.files = FILES | (files or {})
        self.spans_key = spans_key
        self.recogniser_types = dict(RECOGNISER_TYPES if recogniser_types is None else recogniser_types)

    def load(self, files: dict[str, str]) -> None:
        self.not_diagnoses = word_list(files["not_diagnoses"])
        self.microbes = word_list(files["microbes"])
        self.drug_classes = word_list(files["drug_classes"])
        rules = resource_json(files["not_medications"])
        self.substances, self.method_context = frozenset(rules["substances"]), frozenset(rules["method_context"])
        self.vocabulary = condition_vocabulary(files["disease_names"], files["disease_additions"])
        self.curated = self.vocabulary.curated
        rules = resource_json(files["condition_rules"])
        self.prevented_after = rules["prevented_after"]
        relatives = resource_json(files["relatives"])
        words = "|".join(sorted((re.escape(w) for w in relatives["relatives"]), key=len, reverse=True))
        owners = "|".join(re.escape(w) for w in relatives["owners"])
        unowned = "|".join(sorted((re.escape(w) for w in relatives["unowned"]), key=len, reverse=True))
        # `her sister`, `the patient's mother`, `his 25-year-old brother`, `the donor`
        self.relative = re.compile(
            rf"(?:\b(?:{owners})\s+(?:(?:\d+[-\s]?(?:year|month)[-\s]?old|younger|older|elder|maternal|paternal)\s+)*"
            rf"(?P<who>{words})|\b(?:the|a|her|his|their)\s+(?P<donor>{unowned}))\b",
            re.I,
        )

    def __call__(self, doc: Doc) -> Doc:
        self.ready()
        previous: Span | None = None
        scored = Span.has_extension("is_condition")  # registered by the condition filter's module
        labels = self.token_labels(doc)
        read = [(span.start, span.end) for span in doc.spans.get(f"{self.spans_key}_read", [])]
        for ent in doc.ents:
            if ent.label_ == DISEASE and scored and ent._.is_condition is False:
                ent._.fact_type, ent._.type_evidence = "symptom", BY_CLASSIFIER
            elif ent.label_ == DISEASE and _prevented(ent, self.prevented_after):
                ent._.fact_type, ent._.type_evidence = "other", "a condition prevented, not had"
            elif ent.label_ == DISEASE and (recognised := self.recognised(ent, labels, read)):
                ent._.fact_type, ent._.type_evidence = recognised
            elif ent.label_ == DISEASE:
                ent._.fact_type, ent._.type_evidence = self.condition_type(ent._.normalized or ent.text.lower())
            elif ent.label_ == DRUG:
                ent._.fact_type, ent._.type_evidence = self.drug_type(ent)
            else:
                continue
            if ent._.background or ent._.general_statement:
                ent._.subject = "literature"
            elif previous is not None and _listed_after(previous, ent):
                ent._.subject = previous._.subject  # `Her mother had hypertension, diabetes and …`
            else:
                ent._.subject = self.subject(ent)
            ent._.assertion, ent._.assertion_evidence = assertion(ent)
            previous = ent
        return doc

    def token_labels(self, doc: Doc) -> dict[int, str]:
        """The recogniser's label of each token its spans cover (those labels it has a type for)."""
        return {
            i: span.label_
            for span in doc.spans.get(self.spans_key, [])
            if span.label_ in self.recogniser_types
            for i in range(span.start, span.end)
        }

    def recognised(self, ent: Span, labels: dict[int, str], read: list[tuple[int, int]]) -> tuple[str, str] | None:
        """What the case-report recogniser and the disease vocabularies (Disease Ontology, MeSH,
        the curated conditions) say a condition is, or None to leave it to the word lists:

        - the recogniser reads something else over at least half of it (a sign, a test, a
          procedure, a finding) and no vocabulary names it: that type;
        - the recogniser read it (`read`: its token ranges) but found nothing there, and no
          vocabulary names it (`birth date`, `facility`): `other`.

        Measured on the real reports' dev split (diagnosis F1 0.298 → 0.370): its own diagnoses
        overrule no word list (it took `fever` and `pain` for disorders), and a vocabulary's name
        is never demoted (`hypertension`, a sign to it)."""
        counts = Counter(labels[i] for i in range(ent.start, ent.end) if i in labels)
        name = ent._.normalized or ent.text.lower()
        if not counts:
            was_read = any(lo <= ent.start and ent.end <= hi for lo, hi in read)
            if was_read and not self.known_condition(name):
                return "other", "neither the recogniser nor a disease vocabulary names it"
            return None
        label, covered = counts.most_common(1)[0]
        fact_type = self.recogniser_types[label]
        if 2 * covered < len(ent) or fact_type == "diagnosis":
            return None
        if self.known_condition(name):
            return None
        return fact_type, f"the recogniser reads a {label}"

    def known_condition(self, name: str) -> bool:
        """A disease vocabulary or the curated list names it, or names its singular."""
        return self.vocabulary.knows(name)

    def condition_type(self, name: str) -> tuple[str, str]:
        """`symptom` for a whole name in not_diagnoses, a name whose head word is listed there with
        `*` (`heliotrope rash`), a list of symptoms (`nausea, vomiting`), a lone adjective
        (`painful`) or a lone pathogen (`pneumocystis`), unless the name is a curated condition."""
        if name in self.curated:
            return "diagnosis", "a curated condition"
        if name in self.not_diagnoses:
            return "symptom", "listed as a sign or symptom"
        parts = [p.strip() for p in re.split(r",|\band\b|\bor\b|/", name) if p.strip()]
        if len(parts) > 1 and all(self.condition_type(p)[0] == "symptom" for p in parts):
            return "symptom", "a list of signs or symptoms"
        words = name.split(" of ")[0].split()  # the head of `muscle weakness of limbs` is `weakness`
        if len(words) == 1 and ADJECTIVE.match(words[0]):
            return "symptom", "a lone adjective"
        if words and words[0] in self.microbes and len(words) <= 2 and not INFECTION_WORD.search(name):
            return "symptom", "a pathogen's name alone"
        if words and f"*{words[-1]}" in self.not_diagnoses:
            return "symptom", f"headed by `{words[-1]}`, a sign"
        return "diagnosis", "a condition"

    def drug_type(self, drug: Span) -> tuple[str, str]:
        """A drug given to a patient, not a class (`narcotics`), a molecule of the body or the
        laboratory (`serotonin`, `boric acid`), or a reagent of a method the sentence describes."""
        name = drug._.normalized or drug.text.lower()
        if name in self.drug_classes or CLASS_NAME.search(name):
            return "drug class", "names a class of drugs"
        if name in self.substances or drug.text.lower() in self.substances:
            return "other", "a substance of the body or the laboratory"
        if any(r.dose is not None for r in (drug._.regimens or [])):
            return "drug", "given with a dose"
        if any(t.lower_ in self.method_context for t in drug.sent):
            return "other", "a reagent of a method"
        return "drug", "a drug"

    def subject(self, ent: Span) -> str:
        """The relative whose condition the sentence tells (`Her sister had SLE`; `lupus in her
        mother`), or "" for the patient: a relative before the entity with no patient pronoun
        between, or one right after it (`in her mother`)."""
        sentence = ent.sent
        text, offset = sentence.text, ent.start_char - sentence.start_char
        before = [m for m in self.relative.finditer(text, 0, offset)]
        if before:
            last = before[-1]
            # `Her daughter, who was also examined, had …`: the relative clause is the relative's
            between = RELATIVE_CLAUSE.sub(" ", text[last.end() : offset].lower(), count=1)
            # the relative is the clause's subject: no patient, and no clause break, in between
            if not re.search(r"\b(?:she|he|the patient|our patient)\b|[,;:]", between):
                return _who(last)
        after = re.match(r"\s*(?:in|of)\s+", text[offset + len(ent.text) :])
        if after:
            relative = self.relative.match(text, offset + len(ent.text) + after.end())
            if relative:
                return _who(relative)
        return ""


def assertion(ent: Span) -> tuple[str, str]:
    """Negation first (`no lupus in her sister` is no one's lupus), then a relative's condition,
    then the certainty cue of its sentence."""
    if ent._.negex:
        return "negated", "a negation cue"
    if _a_relatives(ent):
        return "history", f"the {ent._.subject}'s condition"
    cue = ent._.certainty or "confirmed"
    return cue, "no cue: stated as fact" if cue == "confirmed" else f"a {cue} cue in its sentence"


def table_certainty(ent: Span) -> str:
    """The tables' `certainty` (the contract's `confirmed`, `suspected`, `history`): a differential
    is suspected; a negated fact keeps its cue's certainty beside `negated`."""
    if _a_relatives(ent):
        return "history"
    return CONTRACT_CERTAINTY[ent._.certainty or "confirmed"]


def _a_relatives(ent: Span) -> bool:
    """A relative's or a donor's condition (not the patient's, nor the literature's)."""
    return bool(ent._.subject) and ent._.subject != "literature"


def _prevented(span: Span, cues: list[str]) -> bool:
    """`prophylaxis against Pneumocystis pneumonia`: a condition prevented is not one the patient has."""
    before = span.doc[max(span.sent.start, span.start - 3) : span.start].text.lower()
    return any(before.endswith(cue) for cue in cues)


def _listed_after(previous: Span, ent: Span) -> bool:
    """`ent` follows `previous` in one list of the same sentence (`hypertension, diabetes and …`)."""
    if previous.label_ != ent.label_:
        return False
    doc = ent.doc
    # the same sentence: none starts between them (read off the tokens; `Span.sent` scans the Doc)
    if any(doc[i].is_sent_start for i in range(previous.end, ent.start + 1)):
        return False
    # `doc_text`, not `doc.text`, which joins every token of the Doc at each call
    return re.fullmatch(r"[\s,]*(?:and|or)?\s*", doc_text(doc)[previous.end_char : ent.start_char]) is not None


def _who(match: re.Match[str]) -> str:
    return (match.group("who") or match.group("donor")).lower()
