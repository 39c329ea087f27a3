"""The `casextract_medication` component: dose, route, frequency and duration of each drug."""

from __future__ import annotations

from functools import lru_cache

from spacy.language import Language
from spacy.matcher import Matcher, PhraseMatcher
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from ..lexicons import resource_json
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

# --- medication details --------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _routes() -> dict[str, str]:
    raw = resource_json("routes.json")
    return {variant: route for route, variants in raw.items() if not route.startswith("_") for variant in variants}


@Language.factory(
    "casextract_medication",
    default_config={"max_distance": 12},
    assigns=["span._.regimens"],
    requires=["doc.ents", "doc.sents"],
)
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
