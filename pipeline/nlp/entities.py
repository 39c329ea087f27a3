"""The `casextract_entities` component: drugs (a 55,000-name lexicon, NER chemicals that look like
drugs, near-misspellings before a dose, combination products), lab tests (`resources/labs.tsv`) and
diseases (the NER, the disease gazetteer, pathogen infections)."""

from __future__ import annotations

import re

from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span, Token
from spacy.util import filter_spans

from ..lexicons import drug_lexicon, resource_json, word_list
from .data_files import DataFiles
from .lab_values import lab_context
from .lexicon_matcher import disease_matcher, drug_matcher
from .quantities import (
    clean_unit,
    dose_units,
    is_concentration,
    is_unit,
)
from .values import (
    DISEASE,
    DOSE_AHEAD,
    DRUG,
    DRUG_SUFFIXES,
    LAB,
    abbreviation_long_forms,
    lab_lexicon,
    token_view,
)

# --- entities: drugs, lab tests, diseases --------------------------------------------------------


ENTITY_FILES = {
    "drugs": "drugs.tsv.gz",
    "drug_overrides": "drug_overrides.tsv",
    "diseases": "diseases.tsv.gz",
    "disease_additions": "disease_additions.txt",
    "disease_ontology": "disease_vocabulary.tsv.gz",
    "labs": "labs.tsv",
    "microbes": "microbes.txt",
    "test_names": "test_names.json",
    "routes": "routes.json",
    "lab_context": "lab_context.json",
}


# a chemical locant before a name: `5-`, `6-`, `2,4-`
LOCANT = re.compile(r"\d{1,2}(?:,\d{1,2})*-(?=[a-z]{4})")
# the recogniser's labels → the project's: a model with other labels is a change of config
LABEL_MAP = {"DISEASE": DISEASE, "Disease": DISEASE, "CHEMICAL": "CHEMICAL", "Chemical": "CHEMICAL"}
LABEL_MAP |= {"Disease_disorder": DISEASE, "Medication": "CHEMICAL"}  # MACCROBAT's, as models/case_ner has them


@Language.factory(
    "casextract_entities",
    default_config={"keep_chemicals": False, "spans_key": "ner", "label_map": LABEL_MAP, **ENTITY_FILES},
    assigns=["doc.ents", "span._.normalized"],
    requires=["doc.spans"],
)
def make_entities(
    nlp: Language,
    name: str,
    keep_chemicals: bool,
    spans_key: str,
    label_map: dict[str, str],
    drugs: str,
    drug_overrides: str,
    diseases: str,
    disease_additions: str,
    disease_ontology: str,
    labs: str,
    microbes: str,
    test_names: str,
    routes: str,
    lab_context: str,
) -> ClinicalEntities:
    files = {"drugs": drugs, "drug_overrides": drug_overrides, "diseases": diseases}
    files |= {"disease_additions": disease_additions, "labs": labs, "microbes": microbes}
    files |= {"disease_ontology": disease_ontology, "test_names": test_names, "routes": routes}
    files |= {"lab_context": lab_context}
    return ClinicalEntities(nlp, keep_chemicals, files, spans_key, label_map)


class ClinicalEntities(DataFiles):
    """Drugs (lexicon + NER chemicals with drug-like names), lab tests (lexicon) and the NER's
    diseases, as non-overlapping `doc.ents` with `span._.normalized`."""

    def __init__(
        self,
        nlp: Language,
        keep_chemicals: bool = False,
        files: dict[str, str] | None = None,
        spans_key: str = "ner",
        label_map: dict[str, str] | None = None,
    ):
        self.keep_chemicals = keep_chemicals
        self.spans_key, self.label_map = spans_key, dict(LABEL_MAP if label_map is None else label_map)
        self.vocab, self.tokenizer = nlp.vocab, nlp.tokenizer
        self.near_matches: dict[tuple[int, int], str] = {}
        self.files = ENTITY_FILES | (files or {})

    def load(self, files: dict[str, str]) -> None:
        self.drugs = drug_lexicon(files["drugs"], files["drug_overrides"], files["routes"])
        self.drug_matcher = drug_matcher(files["drugs"], files["drug_overrides"], files["routes"])
        self.disease_matcher = disease_matcher(files["diseases"], files["disease_additions"], files["disease_ontology"])
        folded, exact = lab_lexicon(files["labs"])
        self.labs_folded, self.labs_exact = folded, exact
        self._by_prefix: dict[str, list[str]] = {}
        self.lab_matcher = PhraseMatcher(self.vocab, attr="LOWER")
        self.lab_matcher.add(LAB, list(self.tokenizer.pipe(sorted(folded))))
        self.lab_exact_matcher = PhraseMatcher(self.vocab, attr="ORTH")
        self.lab_exact_matcher.add(LAB, list(self.tokenizer.pipe(sorted(exact))))
        self.genera = word_list(files["microbes"])
        test_names = resource_json(files["test_names"])
        self.test_nouns = frozenset(test_names["test_nouns"])
        self.capitals_only = frozenset(test_names["capitals_only"])
        self.lab_context = lab_context(files["lab_context"])
        # a result word after a drug's name that says a sample was measured, not a dose changed
        self.measured_results = frozenset(self.lab_context.qualitative) - self.lab_context.words["dose_change_words"]

    def __call__(self, doc: Doc) -> Doc:
        self.ready()
        self.near_matches = {}
        long_forms = abbreviation_long_forms(doc)
        drugs = [Span(doc, s, e, label=DRUG) for s, e in self.drug_matcher(doc)]
        labs = [Span(doc, s, e, label=LAB) for _, s, e in self.lab_matcher(doc)]
        labs += [Span(doc, s, e, label=LAB) for _, s, e in self.lab_exact_matcher(doc)]
        diseases, chemicals = [], []
        for ent in doc.spans.get(self.spans_key, []):
            label = self.label_map.get(ent.label_)
            if label == DISEASE:
                diseases.append(Span(doc, ent.start, ent.end, label=DISEASE))
            elif label == "CHEMICAL":
                chemicals.append(ent)
        for ent in chemicals:
            text = ent.text.lower()
            if text in self.drugs or long_forms.get(ent.text, "").lower() in self.drugs or DRUG_SUFFIXES.search(text):
                drugs.append(Span(doc, ent.start, ent.end, label=DRUG))
        diseases = [_without_determiner(span) for span in diseases]
        diseases += [Span(doc, s, e, label=DISEASE) for s, e in self.disease_matcher(doc)]
        diseases += _short_forms_of(doc, diseases, DISEASE)
        # `hepatitis C serology`: the disease word names a test, whose result the lab stage reads
        diseases = [span for span in diseases if not _names_a_test(span, self.test_nouns)]
        diseases = [s for s in diseases if s.text.isupper() or s.text.lower() not in self.capitals_only]
        infections = pathogen_infections(doc, self.genera)
        diseases = [d for d in diseases if not any(i.start < d.end and d.start < i.end for i in infections)]
        diseases += list(infections)
        drugs += self.locant_named_drugs(doc, drugs)
        drugs += _short_forms_of(doc, drugs, DRUG)
        drugs += self.misspelled_drugs(doc, drugs + labs + diseases)
        drugs = self.combinations(doc, drugs, long_forms)
        labs = [span for span in labs if not _part_of_longer_word(span)]
        drugs = [span for span in drugs if not _is_lab_context(span, labs) and not self.measured_not_given(span)]
        spans = filter_spans(labs + drugs + diseases)
        if self.keep_chemicals:
            spans = filter_spans(spans + [Span(doc, e.start, e.end, label="CHEMICAL") for e in chemicals])
        for span in spans:
            span._.normalized = infections.get(span, None) or self.normalize(span, long_forms)
        doc.ents = sorted(spans, key=lambda s: s.start)
        return doc

    def misspelled_drugs(self, doc: Doc, taken: list[Span]) -> list[Span]:
        """A word the lexicon does not know, written right before a dose (`amoxicilin 500 mg`,
        `oxacilin 2g/day`), is the drug whose name it nearly spells (difflib ratio ≥ 0.85)."""
        import difflib

        covered = {i for span in taken for i in range(span.start, span.end)}
        lowers = token_view(doc)[0]
        found = []
        # a dose starts with a digit: only a word right before one is looked at (a lower-case
        # letter is never a digit, so the lower-case view answers as the text would)
        for i in [i for i in range(len(lowers) - 1) if lowers[i + 1][:1].isdigit()]:
            token = doc[i]
            if token.i in covered or not token.is_alpha or len(token.text) < 6 or token.lower_ in self.drugs:
                continue
            if not doc[token.i + 1].text[:1].isdigit():
                continue
            following = doc[token.i + 1 : token.i + 3].text
            if not DOSE_AHEAD.match(following):
                continue
            close = difflib.get_close_matches(token.lower_, self.names_starting(token.lower_[:2]), n=1, cutoff=0.85)
            if close:
                span = Span(doc, token.i, token.i + 1, label=DRUG)
                self.near_matches[(token.i, token.i + 1)] = self.drugs[close[0]]
                found.append(span)
        return found

    def locant_named_drugs(self, doc: Doc, taken: list[Span]) -> list[Span]:
        """A word the lexicon does not know that is a known generic behind a chemical locant
        (`5-fluorouracil`, `6-mercaptopurine`): the lexicon lists many generics only without it.
        A one-word name the lexicon knows with its locant matched before this."""
        covered = {i for span in taken for i in range(span.start, span.end)}
        found = []
        for i, lower in enumerate(token_view(doc)[0]):
            if not lower[:1].isdigit() or i in covered:
                continue  # the cheap test first: this runs for every token
            generic = self.generic_behind_locant(lower)
            if generic:
                found.append(Span(doc, i, i + 1, label=DRUG))
                self.near_matches[(i, i + 1)] = generic
        return found

    def measured_not_given(self, drug: Span) -> bool:
        """A drug's name written as what a sample measures, not as what was given: after a
        specimen word, before a word naming a level, or said to be low, normal, positive
        (`serum iron`, `insulin level`, `thyroxine was low`; not `insulin was increased`), or
        before a value in a concentration unit (`iron was 25 μg/dL`)."""
        doc, words = drug.doc, self.lab_context.words
        before = doc[drug.start - 1].lower_ if drug.start else ""
        after = [t.lower_ for t in doc[drug.end : drug.end + 2]]
        if before in words["specimen_words"] or self.lab_context.measured(doc, drug.end):
            return True
        if len(after) == 2 and after[0] in ("was", "were", "is", "are") and after[1] in self.measured_results:
            return True
        # `stained with ethidium bromide (0.5 μg/mL)`: what is used with a strength is no sample
        return before not in words["strength_cues"] and _concentration_follows(drug)

    def generic_behind_locant(self, name: str) -> str | None:
        """The generic a name is behind its locant (`5-fluorouracil` → fluorouracil), or None."""
        locant = LOCANT.match(name)
        return self.drugs.get(name[locant.end() :]) if locant else None

    def combinations(self, doc: Doc, drugs: list[Span], long_forms: dict[str, str]) -> list[Span]:
        """Two drugs joined by a hyphen or slash with no space (`piperacillin-tazobactam`,
        `trimethoprim/sulfamethoxazole`) are one combination product, named by its generics."""
        covered = {i for span in drugs for i in range(span.start, span.end)}
        lowers, _, _ = token_view(doc)
        for i, lower in enumerate(lowers):
            if "-" not in lower and "/" not in lower:
                continue  # the cheap test first: this runs for every token
            token = doc[i]
            parts = re.split(r"[-/]", token.lower_)
            if token.i not in covered and len(parts) == 2 and all(self.drugs.get(p) for p in parts):
                span = Span(doc, token.i, token.i + 1, label=DRUG)
                self.near_matches[(span.start, span.end)] = "-".join(self.drugs[p] for p in parts)
                drugs = drugs + [span]
        ordered = sorted(filter_spans(drugs), key=lambda s: s.start)
        merged: list[Span] = []
        for span in ordered:
            previous = merged[-1] if merged else None
            if (
                previous is not None
                and span.start == previous.end + 1
                and doc[previous.end].text in ("-", "/")
                and not doc[previous.end - 1].whitespace_
                and not doc[previous.end].whitespace_
            ):
                combined = Span(doc, previous.start, span.end, label=DRUG)
                names = [self.normalize(s, long_forms) for s in (previous, span)]
                self.near_matches[(combined.start, combined.end)] = "-".join(names)
                merged[-1] = combined
            else:
                merged.append(span)
        return merged + [d for d in drugs if d not in ordered]

    def names_starting(self, prefix: str) -> list[str]:
        if not self._by_prefix:
            for name in self.drugs:
                if " " not in name:
                    self._by_prefix.setdefault(name[:2], []).append(name)
        return self._by_prefix.get(prefix, [])

    def normalize(self, span: Span, long_forms: dict[str, str]) -> str:
        if (span.start, span.end) in self.near_matches:
            return self.near_matches[(span.start, span.end)]
        text = span.text
        if span.label_ == DRUG:
            key = text.lower()
            long_form = long_forms.get(text, "").lower()
            generic = self.drugs.get(key) or self.drugs.get(long_form) or self.generic_behind_locant(long_form)
            return generic or key
        if span.label_ == LAB:
            entry = self.labs_exact.get(text) or self.labs_folded.get(text.lower())
            before = span.doc[span.start - 1] if span.start else None
            if (
                entry
                and entry.name.startswith("immunoglobulin")
                and before is not None
                and before.lower_.startswith("anti")
            ):
                return f"{before.lower_} antibody"  # `anti-GM1 IgM antibody`: the antibody, not the isotype
            return entry.name if entry else text.lower()
        expanded = long_forms.get(text, text)
        # `hepatitis B.` ending a sentence: the tokenizer keeps an initial's full stop in its token
        return re.sub(r"\s+", " ", INITIAL_STOP.sub("", expanded)).lower()


DETERMINERS = {"a", "an", "the", "this", "that", "his", "her", "their", "its"}
INITIAL_STOP = re.compile(r"(?<=\b[A-Za-z])\.$")
INFECTION_WORDS = {"infection", "infections", "coinfection", "co-infection", "superinfection"}


def pathogen_infections(doc: Doc, genera: frozenset[str]) -> dict[Span, str]:
    """`Pneumocystis jirovecii and Aspergillus fumigatus infections` → two DISEASE spans over the
    organism names (a genus of `microbes.txt`), normalised `pneumocystis jirovecii infection`,
    `aspergillus fumigatus infection`."""
    found: dict[Span, str] = {}
    pending: list[Span] = []
    lowers = token_view(doc)[0]
    i = 0
    while i < len(doc):
        lower = lowers[i]
        if lower in genera:
            species = doc[i + 1] if i + 1 < len(doc) else None
            named = (
                species is not None
                and species.is_alpha
                and species.is_lower
                and not species.is_stop
                and species.lower_ not in INFECTION_WORDS
            )
            end = i + 2 if named else i + 1
            pending.append(Span(doc, i, end, label=DISEASE))
            i = end
            continue
        if pending and lower in INFECTION_WORDS:
            for organism in pending:
                found[organism] = f"{organism.text.lower()} infection"
            pending = []
        elif pending and lower not in ("and", "or", ",", "/"):
            pending = []
        i += 1
    return found


def _names_a_test(span: Span, nouns: frozenset[str]) -> bool:
    """`myositis panel`, `hepatitis B surface antigen`, `HIV antibodies`: the disease word
    names a test, not a condition of the patient."""
    following = span.doc[span.end] if span.end < len(span.doc) else None
    return span[-1].lower_ in nouns or (following is not None and following.lower_ in nouns)


def _without_determiner(span: Span) -> Span:
    """The NER sometimes takes a sentence-initial article into the name (`A lymphoma`)."""
    start = span.start
    while start < span.end - 1 and span.doc[start].lower_ in DETERMINERS:
        start += 1
    return span if start == span.start else Span(span.doc, start, span.end, label=span.label_)


def _short_forms_of(doc: Doc, entities: list[Span], label: str) -> list[Span]:
    """Every mention of an abbreviation whose long form is one of `entities` (scispaCy's
    detector finds `RP-ILD` after `rapidly progressive interstitial lung disease (RP-ILD)`)."""
    if not Doc.has_extension("abbreviations"):
        return []
    covered = {(e.start, e.end) for e in entities}
    found = []
    for short in doc._.abbreviations:
        long_form = short._.long_form
        if long_form is None:
            continue
        # only when the entity is the long form itself (`… lung disease (RP-ILD)`), not a longer
        # name that merely contains it (`anti-MDA5 antibody-positive dermatomyositis`)
        if any(e.start <= long_form.start and e.end == long_form.end for e in entities):
            if (short.start, short.end) not in covered:
                found.append(Span(doc, short.start, short.end, label=label))
    return found


def _part_of_longer_word(span: Span) -> bool:
    """`Hb` inside `HbA1c` is tokenised apart only by accident of the tokenizer."""
    doc = span.doc
    after = doc[span.end] if span.end < len(doc) else None
    return bool(after is not None and not span[-1].whitespace_ and after.text.isalnum() and after.text != "+")


def _value_after(drug: Span, within: int) -> tuple[int, list[Token]] | None:
    """The first number among the `within` words after a name with a word after it, its position
    and the words (a thin or no-break space before a unit is a token of its own, and no word)."""
    doc = drug.doc
    window = [t for t in doc[drug.end : min(len(doc), drug.end + within + 2)] if not t.is_space][:within]
    return next(((i, window) for i, token in enumerate(window[:-1]) if token.like_num), None)


def _concentration_follows(drug: Span) -> bool:
    """A value in a unit of concentration a few words on (`iron was 25 μg/dL`), which a drug is
    measured in, not given in (doses: `mg`, `mg/day`, `mg/kg`); right after the name it is the
    strength of what was given (`lidocaine 10 mg/mL`)."""
    found = _value_after(drug, 4)
    return found is not None and found[0] > 0 and is_concentration(clean_unit(found[1][found[0] + 1].text))


def _is_lab_context(drug: Span, labs: list[Span]) -> bool:
    """A name that is both a drug and a lab test (albumin, immunoglobulin G, ferritin) is a lab
    test when a measured value with a non-dose unit follows it."""
    if not any(lab.start <= drug.start < lab.end or drug.start <= lab.start < drug.end for lab in labs):
        return False
    found = _value_after(drug, 6)
    if found is None:
        return False
    i, window = found
    unit = clean_unit(window[i + 1].text)
    if unit == "×" and i + 2 < len(window):
        return True
    return unit not in dose_units() and is_unit(unit)
