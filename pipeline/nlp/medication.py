"""The `casextract_medication` component: dose, route, frequency and duration of each drug."""

from __future__ import annotations

from spacy.language import Language
from spacy.matcher import Matcher, PhraseMatcher
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from ..lexicons import resource_json
from .data_files import DataFiles
from .quantities import (
    dose_units,
    normalize_frequency,
    parse_dose,
)
from .values import (
    DRUG,
    LAB,
    Regimen,
)


def route_variants(routes: dict[str, list[str]]) -> dict[str, str]:
    """`routes.json` (route → ways of writing it) as way of writing → route."""
    return {variant: route for route, variants in routes.items() if not route.startswith("_") for variant in variants}


def token_patterns(spec: dict, vocabularies: dict[str, list[str]]) -> dict[str, list[list[dict]]]:
    """Matcher patterns from `medication_patterns.json`: token names resolved to their specs and
    `$vocabulary` values to the vocabulary's words."""

    def resolve(value):
        if isinstance(value, str) and value.startswith("$"):
            return vocabularies[value[1:]]
        if isinstance(value, dict):
            return {key: resolve(inner) for key, inner in value.items()}
        return value

    tokens = {name: resolve(token) for name, token in spec["tokens"].items()}
    return {
        label: [[tokens[t] if isinstance(t, str) else resolve(t) for t in pattern] for pattern in patterns]
        for label, patterns in spec["patterns"].items()
    }


@Language.factory(
    "casextract_medication",
    default_config={
        "max_distance": 12,
        "patterns": "medication_patterns.json",
        "frequencies": "frequencies.json",
        "routes": "routes.json",
    },
    assigns=["span._.regimens"],
    requires=["doc.ents", "doc.sents"],
)
def make_medication(
    nlp: Language, name: str, max_distance: int, patterns: str, frequencies: str, routes: str
) -> MedicationDetails:
    return MedicationDetails(nlp, max_distance, patterns=patterns, frequencies=frequencies, routes=routes)


class MedicationDetails(DataFiles):
    """Dose, route, frequency and duration of each DRUG entity, from Matcher patterns (data:
    `medication_patterns.json`), attached to the nearest drug before them in the sentence (or just
    after, as in `80 mg of X`)."""

    def __init__(
        self,
        nlp: Language,
        max_distance: int = 12,
        *,
        patterns: str = "medication_patterns.json",
        frequencies: str = "frequencies.json",
        routes: str = "routes.json",
    ):
        self.max_distance = max_distance
        self.vocab, self.tokenizer = nlp.vocab, nlp.tokenizer
        self.files = {"patterns": patterns, "frequencies": frequencies, "routes": routes}

    def load(self, files: dict[str, str]) -> None:
        frequencies = resource_json(files["frequencies"])
        vocabularies = {
            "dose_units": sorted(u for u in dose_units() if u != "%"),
            "time_units": sorted(frequencies["time_units"]),
        }
        self.matcher = Matcher(self.vocab, validate=True)
        for label, patterns in token_patterns(resource_json(files["patterns"]), vocabularies).items():
            self.matcher.add(label, patterns)
        self.freq_phrases = PhraseMatcher(self.vocab, attr="LOWER")
        self.freq_phrases.add("FREQUENCY", list(self.tokenizer.pipe(sorted(frequencies["phrases"]))))
        self.route_phrases = PhraseMatcher(self.vocab, attr="LOWER")
        self.routes = route_variants(resource_json(files["routes"]))
        self.route_phrases.add("ROUTE", list(self.tokenizer.pipe(sorted(self.routes))))

    def __call__(self, doc: Doc) -> Doc:
        self.ready()
        drugs = [e for e in doc.ents if e.label_ == DRUG]
        found: list[Span] = []
        # a detail is only ever given to a drug of its own sentence: the token patterns (the
        # component's cost) are matched in the stretches of sentences that name a drug
        for stretch in _drug_sentences(doc, drugs):
            found += self.matcher(stretch, as_spans=True)
        found += [Span(doc, s, e, label="FREQUENCY") for _, s, e in self.freq_phrases(doc)]
        found += [Span(doc, s, e, label="ROUTE") for _, s, e in self.route_phrases(doc)]
        found = [span for span in filter_spans(found) if not _overlaps_entity(span)]
        doc.spans["medication_details"] = found
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
            dose = parse_dose(text[: text.index("%") + 1] if "%" in text else text)  # `1 % cream` → `1 %`
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
                route = self.routes.get(text.lower())
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


def _drug_sentences(doc: Doc, drugs: list[Span]) -> list[Span]:
    """The runs of consecutive sentences with a drug in them, each as one span."""
    stretches: list[list[int]] = []
    for drug in drugs:
        sentence = drug.sent
        if stretches and sentence.start <= stretches[-1][1]:
            stretches[-1][1] = max(stretches[-1][1], sentence.end)
        else:
            stretches.append([sentence.start, sentence.end])
    return [doc[start:end] for start, end in stretches]


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
