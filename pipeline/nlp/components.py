"""Registered spaCy components of the casextract pipeline (see `pipeline.cfg`).

Order in the pipeline: tok2vec → ner (trained: CHEMICAL, DISEASE) → abbreviation_detector
(scispaCy) → casextract_entities → casextract_medication → casextract_labs → negex (negspaCy)
→ casextract_certainty → casextract_demographics (`demographics.py`). Each is a class with `__call__(doc)` built by
a `@Language.factory`, and writes its results on `Doc`/`Span` extensions declared here.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from spacy.language import Language
from spacy.matcher import Matcher, PhraseMatcher
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from ..lexicons import drug_lexicon, resource_json, table_rows, word_list
from .lab_values import NUMBER_START, in_reference_range, is_lab_unit, read_quantity, test_name, test_phrase
from .quantities import (
    Dose,
    clean_unit,
    dose_units,
    is_unit,
    normalize_frequency,
    parse_dose,
    parse_number,
    to_canonical,
)

DRUG, DISEASE, LAB = "DRUG", "DISEASE", "LAB_TEST"
DOSE_AHEAD = re.compile(r"^\d+(?:\.\d+)?\s*(?:mg|g|μg|mcg|mL|ml|IU|U|units)\b", re.I)
DRUG_SUFFIXES = re.compile(
    r"(mab|nib|vir|cillin|mycin|micin|cycline|olol|pril|sartan|azole|statin|tinib|parin|"
    r"floxacin|prazole|dipine|semide|thiazide|oxacin|platin|rubicin|taxel|lukast|gliptin|"
    r"glutide|cept|kinra|zumab|ximab|umab)$",
    re.I,
)
COMPARATORS = {
    ">": ">",
    "<": "<",
    "≥": ">=",
    "≤": "<=",
    ">=": ">=",
    "<=": "<=",
    "more than": ">",
    "greater than": ">",
    "above": ">",
    "over": ">",
    "less than": "<",
    "below": "<",
    "under": "<",
    "up to": "<=",
    "at least": ">=",
}


def _ext(cls, name: str, default=None) -> None:
    if not cls.has_extension(name):
        cls.set_extension(name, default=default)


@dataclass
class Regimen:
    """One way a drug was given: a drug mention can carry several (`80 mg BID …, then 60 mg QD`)."""

    dose: Dose | None = None
    route: str | None = None
    frequency: str | None = None
    frequency_text: str | None = None
    duration: str | None = None


for _name in ("normalized", "regimens", "lab", "certainty", "age_years", "sex"):
    _ext(Span, _name)
for _name in ("dose", "route", "frequency", "frequency_text", "duration"):
    # the first regimen's details, for readers who want one value per drug mention
    if not Span.has_extension(_name):
        Span.set_extension(
            _name, getter=lambda span, name=_name: getattr(span._.regimens[0], name) if span._.regimens else None
        )
_ext(Span, "negex", False)
_ext(Span, "background", False)
_ext(Doc, "lab_results", None)
_ext(Doc, "demographics", None)


@dataclass(frozen=True)
class LabTestEntry:
    name: str
    si_unit: str


@lru_cache(maxsize=1)
def lab_lexicon() -> tuple[dict[str, LabTestEntry], dict[str, LabTestEntry]]:
    """(case-insensitive variants, case-sensitive abbreviations) → test."""
    folded: dict[str, LabTestEntry] = {}
    exact: dict[str, LabTestEntry] = {}
    for row in table_rows("labs.tsv"):
        entry = LabTestEntry(row["test"], (row.get("si_unit") or "").strip())
        for variant in row["variants"].split("|"):
            if variant.startswith("="):
                exact[variant[1:]] = entry
            else:
                folded[variant.lower()] = entry
    return folded, exact


# --- entities: drugs, lab tests, diseases --------------------------------------------------------


@Language.factory("casextract_entities", default_config={"keep_chemicals": False})
def make_entities(nlp: Language, name: str, keep_chemicals: bool) -> ClinicalEntities:
    return ClinicalEntities(nlp, keep_chemicals)


class ClinicalEntities:
    """Drugs (lexicon + NER chemicals with drug-like names), lab tests (lexicon) and the NER's
    diseases, as non-overlapping `doc.ents` with `span._.normalized`."""

    def __init__(self, nlp: Language, keep_chemicals: bool = False):
        self.keep_chemicals = keep_chemicals
        self.drugs = drug_lexicon()
        self.drug_matcher = LexiconMatcher(self.drugs)
        self.disease_matcher = LexiconMatcher(disease_gazetteer())
        folded, exact = lab_lexicon()
        self.labs_folded, self.labs_exact = folded, exact
        self._by_prefix: dict[str, list[str]] = {}
        self.near_matches: dict[tuple[int, int], str] = {}
        self.lab_matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
        self.lab_matcher.add(LAB, list(nlp.tokenizer.pipe(sorted(folded))))
        self.lab_exact_matcher = PhraseMatcher(nlp.vocab, attr="ORTH")
        self.lab_exact_matcher.add(LAB, list(nlp.tokenizer.pipe(sorted(exact))))

    def __call__(self, doc: Doc) -> Doc:
        self.near_matches = {}
        long_forms = _abbreviation_long_forms(doc)
        drugs = [Span(doc, s, e, label=DRUG) for s, e in self.drug_matcher(doc)]
        labs = [Span(doc, s, e, label=LAB) for _, s, e in self.lab_matcher(doc)]
        labs += [Span(doc, s, e, label=LAB) for _, s, e in self.lab_exact_matcher(doc)]
        diseases, chemicals = [], []
        for ent in doc.ents:
            if ent.label_ in ("DISEASE", "Disease"):
                diseases.append(Span(doc, ent.start, ent.end, label=DISEASE))
            elif ent.label_ in ("CHEMICAL", "Chemical"):
                chemicals.append(ent)
        for ent in chemicals:
            text = ent.text.lower()
            if text in self.drugs or long_forms.get(ent.text, "").lower() in self.drugs or DRUG_SUFFIXES.search(text):
                drugs.append(Span(doc, ent.start, ent.end, label=DRUG))
        diseases = [_without_determiner(span) for span in diseases]
        diseases += [Span(doc, s, e, label=DISEASE) for s, e in self.disease_matcher(doc)]
        diseases += _short_forms_of(doc, diseases, DISEASE)
        diseases = [span for span in diseases if not _names_a_test(span) and not _prevented(span)]
        infections = pathogen_infections(doc)
        diseases = [d for d in diseases if not any(i.start < d.end and d.start < i.end for i in infections)]
        diseases += list(infections)
        drugs += _short_forms_of(doc, drugs, DRUG)
        drugs += self.misspelled_drugs(doc, drugs + labs + diseases)
        drugs = self.combinations(doc, drugs, long_forms)
        labs = [span for span in labs if not _part_of_longer_word(span)]
        drugs = [span for span in drugs if not _is_lab_context(span, labs)]
        spans = filter_spans(labs + drugs + diseases)
        if self.keep_chemicals:
            spans = filter_spans(spans + [Span(doc, e.start, e.end, label="CHEMICAL") for e in chemicals])
        for span in spans:
            span._.normalized = infections.get(span, None) or self.normalize(span, long_forms)
        doc.ents = sorted(spans, key=lambda s: s.start)
        return doc

    def misspelled_drugs(self, doc: Doc, taken: list[Span]) -> list[Span]:
        """A word the lexicon does not know, written right before a dose (`Leviteracetam 250 mg`,
        `oxacilin 2g/day`), is the drug whose name it nearly spells (difflib ratio ≥ 0.85)."""
        import difflib

        covered = {i for span in taken for i in range(span.start, span.end)}
        found = []
        for token in doc:
            if token.i in covered or not token.is_alpha or len(token.text) < 6 or token.lower_ in self.drugs:
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

    def combinations(self, doc: Doc, drugs: list[Span], long_forms: dict[str, str]) -> list[Span]:
        """Two drugs joined by a hyphen or slash with no space (`piperacillin-tazobactam`,
        `trimethoprim/sulfamethoxazole`) are one combination product, named by its generics."""
        covered = {i for span in drugs for i in range(span.start, span.end)}
        for token in doc:
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
            generic = self.drugs.get(key) or self.drugs.get(long_forms.get(text, "").lower())
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
        return re.sub(r"\s+", " ", expanded).lower()


class LexiconMatcher:
    """Longest-match lookup of a large name list (the 55,000-name drug lexicon) on token spans.

    Written here rather than using spaCy's PhraseMatcher, which for this lexicon costs ~310 MB
    and ~3 s at every start of every worker (one pattern Doc and trie path per name); a dict
    lookup of each span's lower-cased text costs the dict itself and matches the text exactly
    as written, whatever the tokenizer does with hyphens and slashes inside a name.
    """

    def __init__(self, names: Iterable[str], max_tokens: int = 8):
        self.names = {re.sub(r"\s+", " ", n.lower()) for n in names}
        self.max_tokens = max_tokens
        self.heads = {n[:3] for n in self.names}

    def __call__(self, doc: Doc) -> list[tuple[int, int]]:
        lowers = [t.lower_ for t in doc]
        spaces = [" " if t.whitespace_ else "" for t in doc]
        found = []
        i, n = 0, len(doc)
        while i < n:
            end = None
            if lowers[i][:3] in self.heads or len(lowers[i]) < 3:
                text = lowers[i]
                for j in range(i + 1, min(n, i + self.max_tokens) + 1):
                    if text in self.names:
                        end = j  # keep looking: the longest name wins
                    if j < n:
                        if "\n" in doc[j - 1].whitespace_ or doc[j].is_space:
                            break
                        text = text + spaces[j - 1] + lowers[j]
            if end is not None:
                found.append((i, end))
                i = end
            else:
                i += 1
        return found


@lru_cache(maxsize=1)
def disease_gazetteer() -> frozenset[str]:
    """Disease names annotated in the training corpora (tools/build_disease_gazetteer.py) plus
    `disease_additions.txt`; they back up the NER, which misses rare and long names."""
    return frozenset(row["name"] for row in table_rows("diseases.tsv.gz")) | word_list("disease_additions.txt")


DETERMINERS = {"a", "an", "the", "this", "that", "his", "her", "their", "its"}
INFECTION_WORDS = {"infection", "infections", "coinfection", "co-infection", "superinfection"}


def pathogen_infections(doc: Doc) -> dict[Span, str]:
    """`Pneumocystis jirovecii and Aspergillus fumigatus infections` → two DISEASE spans over the
    organism names, normalised `pneumocystis jirovecii infection`, `aspergillus fumigatus infection`."""
    genera = word_list("microbes.txt")
    found: dict[Span, str] = {}
    pending: list[Span] = []
    i = 0
    while i < len(doc):
        token = doc[i]
        if token.lower_ in genera:
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
        if pending and token.lower_ in INFECTION_WORDS:
            for organism in pending:
                found[organism] = f"{organism.text.lower()} infection"
            pending = []
        elif pending and token.lower_ not in ("and", "or", ",", "/"):
            pending = []
        i += 1
    return found


def _prevented(span: Span) -> bool:
    """`prophylaxis against Pneumocystis pneumonia`: a condition prevented is not one the patient has."""
    before = span.doc[max(span.sent.start, span.start - 3) : span.start].text.lower()
    return any(before.endswith(cue) for cue in resource_json("entity_rules.json")["prevented_after"])


def _names_a_test(span: Span) -> bool:
    """`myositis panel`, `hepatitis B surface antigen`, `HIV antibodies`: the disease word
    names a test, not a condition of the patient."""
    nouns = resource_json("entity_rules.json")["test_nouns"]
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


def _abbreviation_long_forms(doc: Doc) -> dict[str, str]:
    if not Doc.has_extension("abbreviations"):
        return {}
    return {abbr.text: abbr._.long_form.text for abbr in doc._.abbreviations}


def _part_of_longer_word(span: Span) -> bool:
    """`Hb` inside `HbA1c` is tokenised apart only by accident of the tokenizer."""
    doc = span.doc
    after = doc[span.end] if span.end < len(doc) else None
    return bool(after is not None and not span[-1].whitespace_ and after.text.isalnum() and after.text != "+")


def _is_lab_context(drug: Span, labs: list[Span]) -> bool:
    """A name that is both a drug and a lab test (albumin, immunoglobulin G, ferritin) is a lab
    test when a measured value with a non-dose unit follows it."""
    if not any(lab.start <= drug.start < lab.end or drug.start <= lab.start < drug.end for lab in labs):
        return False
    doc = drug.doc
    window = doc[drug.end : min(len(doc), drug.end + 6)]
    for i, token in enumerate(window):
        if token.like_num and i + 1 < len(window):
            unit = clean_unit(window[i + 1].text)
            if unit == "×" and i + 2 < len(window):
                return True
            return unit not in dose_units() and is_unit(unit)
    return False


# --- medication details --------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _routes() -> dict[str, str]:
    raw = resource_json("routes.json")
    return {variant: route for route, variants in raw.items() if not route.startswith("_") for variant in variants}


@Language.factory("casextract_medication", default_config={"max_distance": 12})
def make_medication(nlp: Language, name: str, max_distance: int) -> MedicationDetails:
    return MedicationDetails(nlp, max_distance)


class MedicationDetails:
    """Dose, route, frequency and duration of each DRUG entity, from Matcher patterns, attached
    to the nearest drug before them in the sentence (or just after, as in `80 mg of X`)."""

    def __init__(self, nlp: Language, max_distance: int = 12):
        self.max_distance = max_distance
        self.matcher = Matcher(nlp.vocab)
        number = {"LIKE_NUM": True}
        unit = {"TEXT": {"IN": sorted(u for u in dose_units() if u != "%")}}
        per_body, per_time_unit = r"(?:/(?:kg|m2|m\^2))?", r"(?:day|d|24h|\d+h|wk|week)"
        per_time = {"TEXT": {"REGEX": rf"^(?:mg|g|μg|mcg|ug|mL|ml|IU|U|units?|mmol|mEq){per_body}/{per_time_unit}$"}}
        glued = {"TEXT": {"REGEX": rf"^\d+(?:\.\d+)?(?:mg|g|μg|mcg|mL|ml|IU|U){per_body}(?:/{per_time_unit})?$"}}
        topical = {
            "LOWER": {"IN": ["ointment", "cream", "gel", "lotion", "solution", "drops", "eye", "topical", "spray"]}
        }
        dash = {"TEXT": {"IN": ["-", "–", "to"]}}
        self.matcher.add(
            "DOSE",
            [
                [number, unit],
                [number, dash, number, unit],
                [number, per_time],
                [glued],
                [number, {"TEXT": "%"}, topical],
            ],
        )
        frequencies = sorted(resource_json("frequencies.json")["phrases"])
        self.freq_phrases = PhraseMatcher(nlp.vocab, attr="LOWER")
        self.freq_phrases.add("FREQUENCY", list(nlp.tokenizer.pipe(frequencies)))
        time_units = sorted(resource_json("frequencies.json")["time_units"])
        every = {"LOWER": {"IN": ["every", "each", "q"]}}
        times = {"LOWER": {"IN": ["once", "twice", "thrice", "one", "two", "three", "four"]}}
        self.matcher.add(
            "FREQUENCY",
            [
                [every, number, {"LOWER": {"IN": time_units}}],
                [{"LOWER": {"REGEX": r"^q\d+(h|d|w|wk|mo)$"}}],
                [
                    times,
                    {"LOWER": {"IN": ["times", "time"]}, "OP": "?"},
                    {"LOWER": {"IN": ["a", "per", "each", "every"]}},
                    {"LOWER": {"IN": time_units}},
                ],
                [{"LOWER": {"REGEX": r"^\d/(?:day|d|wk|week)$"}}],
                [number, {"TEXT": "/"}, {"LOWER": {"IN": ["day", "d", "wk", "week"]}}],
            ],
        )
        self.matcher.add(
            "DURATION",
            [
                [
                    {"LOWER": {"IN": ["for", "over", "during"]}},
                    {"LOWER": {"IN": ["another", "a", "the", "further"]}, "OP": "?"},
                    number,
                    {"LOWER": {"IN": time_units}},
                ],
                [{"LOWER": {"IN": ["for", "over"]}}, {"LOWER": {"IN": ["a", "one"]}}, {"LOWER": {"IN": time_units}}],
            ],
        )
        self.route_phrases = PhraseMatcher(nlp.vocab, attr="LOWER")
        self.route_phrases.add("ROUTE", list(nlp.tokenizer.pipe(sorted(_routes()))))

    def __call__(self, doc: Doc) -> Doc:
        found: list[Span] = []
        for match_id, start, end in self.matcher(doc):
            found.append(Span(doc, start, end, label=doc.vocab.strings[match_id]))
        found += [Span(doc, s, e, label="FREQUENCY") for _, s, e in self.freq_phrases(doc)]
        found += [Span(doc, s, e, label="ROUTE") for _, s, e in self.route_phrases(doc)]
        found = [span for span in filter_spans(found) if not _overlaps_entity(span)]
        doc.spans["medication_details"] = found
        drugs = [e for e in doc.ents if e.label_ == DRUG]
        reach: dict[int, int] = {}  # drug start → end of its last detail: details chain on
        for detail in found:
            drug = _nearest_drug(detail, drugs, self.max_distance, reach)
            if drug is None:
                continue
            self.attach(drug, detail)
            reach[drug.start] = detail.end
        return doc

    def attach(self, drug: Span, detail: Span) -> None:
        """A dose opens a new regimen once the current one has a dose; route, frequency and
        duration fill the current regimen's empty slots (`BID twice a day` is one frequency)."""
        text = detail.text
        regimens = list(drug._.regimens or [])
        current = regimens[-1] if regimens else None
        if detail.label_ == "DOSE":
            dose = parse_dose(text.replace("% ", "%").split("%")[0] + "%" if "%" in text else text)
            if dose is None:
                return
            if current is None or current.dose is not None:
                current = Regimen(dose=dose)
                regimens.append(current)
            else:
                current.dose = dose
            if dose.frequency and current.frequency is None:  # `40 mg/day`
                current.frequency, current.frequency_text = dose.frequency, dose.text
        else:
            if current is None:
                current = Regimen()
                regimens.append(current)
            if detail.label_ == "ROUTE" and current.route is None:
                route = _routes().get(text.lower())
                # `IV`/`IM` are also roman numerals (grade IV): only as a route right beside the drug/dose
                if route and not (text in ("IV", "IM") and not _adjacent_to_dose_or_drug(detail, drug)):
                    current.route = route
            elif detail.label_ == "FREQUENCY" and current.frequency is None:
                normalized = normalize_frequency(text)
                if normalized:
                    current.frequency, current.frequency_text = normalized, text
            elif detail.label_ == "DURATION" and current.duration is None:
                current.duration = text
        drug._.regimens = regimens


def _overlaps_entity(span: Span) -> bool:
    return any(token.ent_type_ in (DRUG, LAB) for token in span)


def _nearest_drug(detail: Span, drugs: list[Span], max_distance: int, reach: dict[int, int]) -> Span | None:
    """The drug a detail belongs to: the one it directly qualifies when it stands right before
    a drug (`oral tacrolimus`, `80 mg of methylprednisolone`), else the nearest drug before it
    in the sentence with nothing but details between, else one just after it."""
    sentence = detail.sent
    doc = detail.doc
    following = next((d for d in drugs if d.start >= detail.end), None)
    if following is not None and following.end <= sentence.end:
        gap = [t.lower_ for t in doc[detail.end : following.start]]
        if gap in ([], ["of"]) and (detail.label_ == "ROUTE" or gap == ["of"]):
            return following
    before = [d for d in drugs if d.end <= detail.start and d.start >= sentence.start]
    if before:
        drug = before[-1]
        if detail.start - max(drug.end, reach.get(drug.start, 0)) <= max_distance:
            return drug
        return None
    after = [d for d in drugs if d.start >= detail.end and d.end <= sentence.end]
    if after and after[0].start - detail.end <= 3:
        return after[0]
    return None


def _adjacent_to_dose_or_drug(detail: Span, drug: Span) -> bool:
    doc = detail.doc
    neighbours = [doc[i] for i in (detail.start - 1, detail.end) if 0 <= i < len(doc)]
    return detail.start - drug.end <= 4 or any(t.text in dose_units() for t in neighbours)


# --- lab results ---------------------------------------------------------------------------------


@dataclass
class LabResult:
    """One measured (or qualitative) result of a LAB_TEST entity."""

    test: Span
    value: float | None = None
    comparator: str = ""
    unit: str = ""
    value_si: float | None = None
    unit_si: str = ""
    reference_range: str = ""
    flag: str = ""
    result: str = ""  # qualitative: positive, negative, +, +++
    start: int = 0  # character offsets of the whole result (test … unit)
    end: int = 0
    column: str = ""  # table column header (a date, a day, a patient) when read from a table
    row_label: str = ""


POSITIVE = {"+", "++", "+++", "++++", "positive", "pos", "(+)", "(++)", "(+++)", "reactive"}
NEGATIVE = {"-", "−", "negative", "neg", "(-)", "(−)", "nonreactive", "non-reactive"}


@Language.factory("casextract_labs", default_config={"max_distance": 8})
def make_labs(nlp: Language, name: str, max_distance: int) -> LabValues:
    return LabValues(nlp, max_distance)


class LabValues:
    """Value, comparator, unit, reference range and flag of each LAB_TEST in running text; lab
    tables (a row per test, a column per date or patient) are read cell by cell."""

    def __init__(self, nlp: Language, max_distance: int = 8):
        self.max_distance = max_distance

    def __call__(self, doc: Doc) -> Doc:
        results: list[LabResult] = []
        table_ranges = _table_ranges(doc)
        taken: set[int] = set()  # tokens whose number is already some test's value
        for test in (e for e in doc.ents if e.label_ == LAB):
            if any(lo <= test.start_char < hi for lo, hi in table_ranges):
                continue
            result = self.read_value(test, taken)
            if result is not None:
                test._.lab = result
                results.append(result)
        results.extend(self.results_by_unit(doc, taken, table_ranges))
        results.extend(read_lab_tables(doc))
        doc._.lab_results = results
        return doc

    def read_value(self, test: Span, taken: set[int]) -> LabResult | None:
        doc = test.doc
        before = self.percent_before(test)
        if before is not None:  # a differential count: `61 % neutrophils`
            taken.add(before)
            quantity = read_quantity(doc, before)
            return LabResult(test, quantity.value, "", "%", start=quantity.start, end=test.end_char)
        sentence_end = test.sent.end
        i = test.end
        limit = min(sentence_end, test.end + self.max_distance)
        # skip filler: "(", ",", ":", "was", "of", "level", "count"
        while i < limit and not NUMBER_START.match(doc[i].text) and doc[i].ent_type_ != LAB:
            word = doc[i].lower_
            qualitative = _qualitative(doc, i)
            if qualitative:
                return LabResult(test, result=qualitative[0], start=test.start_char, end=qualitative[1])
            if word in (".", ";") or doc[i].ent_type_ in (DRUG, DISEASE):
                return None
            i += 1
        if i >= limit or i in taken:
            return None
        quantity = read_quantity(doc, i)
        if quantity is None or (quantity.unit == "%" and self.percent_names_next(doc, i)):
            return None
        if not quantity.unit and len(test.text) <= 2:
            return None  # `K 1` in an author list: a one-letter test needs its unit
        taken.add(i)
        entry = _lab_entry(test)
        unit = quantity.unit
        value_si, unit_si = to_canonical(quantity.value, unit, entry.si_unit if entry else "") if unit else (None, "")
        result = LabResult(
            test,
            quantity.value,
            _comparator_before(doc, i, test.end),
            unit,
            value_si,
            unit_si,
            start=test.start_char,
            end=quantity.end,
        )
        _reference_and_flag(doc, _token_after(doc, quantity.end), result)
        return result

    @staticmethod
    def percent_before(test: Span) -> int | None:
        doc, i = test.doc, test.start
        if i >= 2 and doc[i - 1].text == "%" and NUMBER_START.fullmatch(doc[i - 2].text):
            return i - 2
        return None

    @staticmethod
    def percent_names_next(doc: Doc, i: int) -> bool:
        """`… and 25 % lymphocytes`: the percentage belongs to the test written after it."""
        j = i + 1
        while j < len(doc) and doc[j].text != "%":
            j += 1
        return j + 1 < len(doc) and doc[j + 1].ent_type_ == LAB

    def results_by_unit(self, doc: Doc, taken: set[int], table_ranges: list[tuple[int, int]]) -> list[LabResult]:
        """Numbers with a lab unit that no known test claimed: the test is the phrase before."""
        folded, _ = lab_lexicon()
        sentences = list(doc.sents)
        sentence_starts = [s.start for s in sentences]
        by_sentence: dict[int, LabResult] = {
            sentence_starts[bisect.bisect_right(sentence_starts, r.test.start) - 1]: r
            for r in self.sentence_results(doc)
        }
        results = []
        for sentence in sentences:
            previous = by_sentence.get(sentence.start)
            for i in range(sentence.start, sentence.end):
                if i in taken or not NUMBER_START.match(doc[i].text) or doc[i].ent_type_ or in_reference_range(doc, i):
                    continue
                if any(lo <= doc[i].idx < hi for lo, hi in table_ranges):
                    continue
                quantity = read_quantity(doc, i)
                if quantity is None:
                    continue
                result = LabResult(None, quantity.value, "", quantity.unit, end=quantity.end)  # type: ignore[arg-type]
                _reference_and_flag(doc, _token_after(doc, quantity.end), result)
                if not is_lab_unit(result.unit):
                    continue  # no lab unit after the number, nor in its reference range
                phrase = test_phrase(doc, i, sentence.start)
                if phrase is not None and not any(t.ent_type_ == DRUG for t in phrase):
                    # a name the NER took for a disease (`chromogranin A`) is a test when a result follows
                    if any(t.ent_type_ == DISEASE for t in phrase):
                        doc.ents = [
                            e
                            for e in doc.ents
                            if not (e.label_ == DISEASE and e.start < phrase.end and phrase.start < e.end)
                        ]
                    test = Span(doc, phrase.start, phrase.end, label=LAB)
                    test._.normalized = test_name(phrase, folded)
                elif previous is not None and previous.unit == result.unit and previous.test is not None:
                    test = previous.test  # a series: `fell from 1553 U/L to 203 U/L`, `3 mm/h … and 14 mm/h`
                else:
                    continue
                taken.add(i)
                result.test, result.start = test, test.start_char
                result.comparator = _comparator_before(doc, i, test.end if test.end <= i else i)
                results.append(result)
                previous = result
        return results

    @staticmethod
    def sentence_results(doc: Doc) -> list[LabResult]:
        """The last lexicon-test result of each sentence, which a following bare value may continue."""
        return [e._.lab for e in doc.ents if e.label_ == LAB and e._.lab is not None and e._.lab.value is not None]


def _token_after(doc: Doc, char: int) -> int:
    """The index of the first token that starts at or after character `char`."""
    starts = doc.user_data.get("casextract_token_starts")
    if starts is None or len(starts) != len(doc):
        starts = doc.user_data["casextract_token_starts"] = [t.idx for t in doc]
    return bisect.bisect_left(starts, char)


def _lab_entry(test: Span) -> LabTestEntry | None:
    folded, exact = lab_lexicon()
    return (
        exact.get(test.text)
        or folded.get(test.text.lower())
        or next((e for e in folded.values() if e.name == test._.normalized), None)
    )


def _qualitative(doc: Doc, i: int) -> tuple[str, int] | None:
    token = doc[i]
    if token.text == "(":
        j = i + 1
        while j < len(doc) and j - i <= 5 and re.fullmatch(r"[+\-−]+", doc[j].text):
            j += 1
        inner = doc[i + 1 : j].text.replace(" ", "")
        if j < len(doc) and doc[j].text == ")" and (inner in POSITIVE or inner in NEGATIVE):
            sign = "positive" if inner in POSITIVE else "negative"
            return sign + ("" if inner in ("+", "-", "−") else f" ({inner})"), doc[j].idx + 1
    if token.lower_ in POSITIVE or token.lower_ in NEGATIVE:
        label = "positive" if token.lower_ in POSITIVE else "negative"
        if token.text.startswith("+") and len(token.text) > 1:
            label = f"positive ({token.text})"
        return label, token.idx + len(token.text)
    return None


def _comparator_before(doc: Doc, i: int, floor: int) -> str:
    if i - 1 >= floor and doc[i - 1].text in COMPARATORS:
        return COMPARATORS[doc[i - 1].text]
    if i - 2 >= floor:
        two = f"{doc[i - 2].lower_} {doc[i - 1].lower_}"
        if two in COMPARATORS:
            return COMPARATORS[two]
    if i - 1 >= floor and doc[i - 1].lower_ in COMPARATORS:
        return COMPARATORS[doc[i - 1].lower_]
    return ""


def _reference_and_flag(doc: Doc, j: int, result: LabResult) -> None:
    """`(normal 20-200 μg/L)`, `(reference range: 3.5–9.5)`, `↑`, `(H)` right after the value."""
    window = doc[j : min(len(doc), j + 12)]
    text = window.text
    arrow = re.match(r"\s*(↑|↓|\(H\)|\(L\)|\bH\b|\bL\b)", text)
    if arrow:
        result.flag = "high" if arrow.group(1) in ("↑", "(H)", "H") else "low"
    reference = re.match(
        r"\s*[(\[]\s*(?:normal(?: range)?|reference(?: range| value)?|ref(?:erence)?\.?|nr|n|rr)?\s*[:=,]?\s*"
        r"((?:<|>|≤|≥)?\s*\d[\d.,]*\s*(?:[-–~]|to)?\s*\d*[\d.,]*)\s*([^\s)\]]*)\s*[)\]]",
        text,
        re.I,
    )
    if (
        reference
        and re.search(r"\d", reference.group(1))
        and ("normal" in text.lower()[:20] or "ref" in text.lower()[:20] or re.search(r"[-–~]|to", reference.group(1)))
    ):
        result.reference_range = (reference.group(1) + (" " + reference.group(2) if reference.group(2) else "")).strip()
        if not result.unit and reference.group(2) and is_unit(clean_unit(reference.group(2))):
            result.unit = clean_unit(reference.group(2))  # `CRP was 39 (normal range: 0–5 mg/L)`
        bounds = re.match(r"\s*(\d[\d.,]*)\s*(?:[-–~]|to)\s*(\d[\d.,]*)", reference.group(1))
        if bounds and not result.flag and result.value is not None:
            low, high = parse_number(bounds.group(1)), parse_number(bounds.group(2))
            if low is not None and high is not None:
                result.flag = "high" if result.value > high else "low" if result.value < low else ""


def _table_ranges(doc: Doc) -> list[tuple[int, int]]:
    article = doc._.article if Doc.has_extension("article") else None
    if article is None:
        return []
    return [(t.start, t.end) for t in article.tables]


def read_lab_tables(doc: Doc) -> list[LabResult]:
    """Tables with a test per row: each numeric cell is a result; the column header (a date,
    `Admission`, `Case 2`) is kept; a `Unit` column or a unit in the test cell gives the unit."""
    article = doc._.article if Doc.has_extension("article") else None
    if article is None:
        return []
    results = []
    for table in article.tables:
        cells: dict[tuple[int, int], tuple[int, int]] = {(c.row, c.column): (c.start, c.end) for c in table.cells}
        if not cells:
            continue
        n_cols = 1 + max(c for _, c in cells)

        def cell_text(row: int, col: int | None, cells: dict = cells) -> str:
            return article.text[slice(*cells[(row, col)])] if (row, col) in cells else ""

        header = [cell_text(0, c) for c in range(n_cols)]
        unit_col = next((c for c, h in enumerate(header) if h.strip().lower() in ("unit", "units")), None)
        range_col = next((c for c, h in enumerate(header) if re.search(r"reference|normal|range", h, re.I)), None)
        for row in range(1, table.n_rows):
            if (row, 0) not in cells:
                continue
            label_start, label_end = cells[(row, 0)]
            tests = [e for e in doc.ents if e.label_ == LAB and label_start <= e.start_char < label_end]
            if not tests:
                continue
            test = tests[0]
            unit = clean_unit(cell_text(row, unit_col))
            if not unit:
                inline = re.search(r"\(([^)]+)\)\s*$", article.text[label_start:label_end])
                unit = clean_unit(inline.group(1)) if inline and is_unit(inline.group(1)) else ""
            reference = cell_text(row, range_col)
            entry = _lab_entry(test)
            for col in range(1, n_cols):
                if col in (unit_col, range_col) or (row, col) not in cells:
                    continue
                start, end = cells[(row, col)]
                raw = article.text[start:end].strip()
                match = re.fullmatch(r"(<|>|≤|≥)?\s*([\d.,]+)\s*(↑|↓|H|L)?", raw)
                if not match:
                    continue
                value = parse_number(match.group(2))
                if value is None:
                    continue
                value_si, unit_si = to_canonical(value, unit, entry.si_unit if entry else "") if unit else (None, "")
                flag = {"↑": "high", "H": "high", "↓": "low", "L": "low"}.get(match.group(3) or "", "")
                results.append(
                    LabResult(
                        test,
                        value,
                        COMPARATORS.get(match.group(1) or "", ""),
                        unit,
                        value_si,
                        unit_si,
                        reference.strip(),
                        flag,
                        start=start,
                        end=end,
                        column=header[col].strip(),
                        row_label=article.text[label_start:label_end],
                    )
                )
    return results


# --- certainty and demographics ------------------------------------------------------------------


@Language.factory("casextract_certainty", default_config={"window": 6})
def make_certainty(nlp: Language, name: str, window: int) -> Certainty:
    return Certainty(nlp, window)


class Certainty:
    """`suspected` / `history` / `confirmed` for each DISEASE and DRUG, from cue phrases before
    the entity in its sentence (rules are data: `resources/certainty.json`), and whether the
    entity sits in a background section (Introduction, Discussion)."""

    def __init__(self, nlp: Language, window: int = 6):
        self.window = window
        rules = resource_json("certainty.json")
        self.matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
        for label in ("suspected", "history", "suspected_following"):
            self.matcher.add(label, list(nlp.tokenizer.pipe(rules[label])))

    def __call__(self, doc: Doc) -> Doc:
        cues = [(doc.vocab.strings[m], s, e) for m, s, e in self.matcher(doc)]
        article = doc._.article if Doc.has_extension("article") else None
        for ent in doc.ents:
            if ent.label_ not in (DISEASE, DRUG):
                continue
            certainty = "confirmed"
            for label, start, end in cues:
                if label == "suspected_following":
                    if ent.end <= start < ent.sent.end and start - ent.end <= 2:
                        certainty = "suspected"
                elif ent.sent.start <= start and end <= ent.start and ent.start - end <= self.window:
                    certainty = label
            ent._.certainty = certainty
            if article is not None:
                section = article.section_at(ent.start_char)
                ent._.background = bool(section and section.role == "background")
        return doc
