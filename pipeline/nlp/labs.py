"""The `casextract_labs` component: value, comparator, unit, reference range and flag of each lab
result, in running text and in tables."""

from __future__ import annotations

import bisect
import re

from spacy.language import Language
from spacy.tokens import Doc, Span

from .data_files import DataFiles
from .lab_tables import read_lab_tables, table_character_ranges
from .lab_values import NUMBER_START, in_reference_range, lab_context, read_quantity
from .quantities import (
    clean_unit,
    conversions,
    is_concentration,
    is_unit,
    parse_number,
    to_canonical,
)
from .values import (
    COMPARATORS,
    DISEASE,
    DRUG,
    LAB,
    LabResult,
    abbreviation_long_forms,
    lab_entry,
    lab_lexicon,
    token_after,
    token_view,
)

# --- lab results ---------------------------------------------------------------------------------


POSITIVE = {"+", "++", "+++", "++++", "positive", "pos", "(+)", "(++)", "(+++)", "reactive"}
NEGATIVE = {"-", "−", "negative", "neg", "(-)", "(−)", "nonreactive", "non-reactive"}


@Language.factory(
    "casextract_labs",
    default_config={"max_distance": 8, "labs": "labs.tsv", "context": "lab_context.json"},
    # doc.ents: a name the NER took for a disease (`chromogranin A 230 ng/mL`) is a test when a
    # result follows; the DISEASE entity is removed, so no later component reads it as a condition
    assigns=["doc._.lab_results", "span._.lab", "span._.normalized", "doc.ents"],
    requires=["doc.ents", "doc.sents"],
)
def make_labs(nlp: Language, name: str, max_distance: int, labs: str, context: str) -> LabValues:
    return LabValues(nlp, max_distance, labs=labs, context=context)


class LabValues(DataFiles):
    """Value, comparator, unit, reference range and flag of each LAB_TEST in running text; lab
    tables (a row per test, a column per date or patient) are read cell by cell."""

    def __init__(
        self, nlp: Language, max_distance: int = 8, *, labs: str = "labs.tsv", context: str = "lab_context.json"
    ):
        self.max_distance = max_distance
        self.files = {"labs": labs, "context": context}

    def load(self, files: dict[str, str]) -> None:
        self.lexicon = lab_lexicon(files["labs"])
        self.context = lab_context(files["context"])
        conversions()  # the units pint reads: with the pipeline, not in a document

    def __call__(self, doc: Doc) -> Doc:
        self.ready()
        results: list[LabResult] = []
        table_ranges = table_character_ranges(doc)
        taken: set[int] = set()  # tokens whose number is already some test's value
        for test in (e for e in doc.ents if e.label_ == LAB):
            if any(lo <= test.start_char < hi for lo, hi in table_ranges):
                continue
            result = self.read_value(test, taken)
            if result is not None:
                test._.lab = result
                results.append(result)
        results.extend(self.results_by_unit(doc, taken, table_ranges))
        results.extend(self.results_in_words(doc, table_ranges))
        results.extend(_shared_by_list(doc, self.context.words["list_joiners"]))
        results.extend(read_lab_tables(doc, self.lexicon))
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
        clause_ended = False  # `ANA and cryoglobulin except for positive …`: that word is another's
        while i < limit and not NUMBER_START.match(doc[i].text) and doc[i].ent_type_ != LAB:
            word = doc[i].lower_
            qualitative = None if clause_ended else _qualitative(doc, i)
            if qualitative:
                # `negative ANA and cryoglobulin, positive anti-cardiolipin`: its own word comes first
                return self.result_described(test) or LabResult(
                    test, result=qualitative[0], start=test.start_char, end=qualitative[1]
                )
            clause_ended = clause_ended or word in self.context.words["clause_words"]
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
        after = token_after(doc, quantity.end)
        taken.update(range(i, after))  # `36 790`: every token of the value
        entry = lab_entry(test, self.lexicon)
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
        _reference_and_flag(doc, after, result)
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
        folded, _ = self.lexicon
        sentences = list(doc.sents)
        sentence_starts = [s.start for s in sentences]
        by_sentence: dict[int, LabResult] = {
            sentence_starts[bisect.bisect_right(sentence_starts, r.test.start) - 1]: r
            for r in self.sentence_results(doc)
        }
        long_forms = abbreviation_long_forms(doc)
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
                after = token_after(doc, quantity.end)
                _reference_and_flag(doc, after, result)
                if not self.context.is_lab_unit(result.unit):
                    continue  # no lab unit after the number, nor in its reference range
                named_after = self.test_named_after(doc, after)
                if named_after is not None:
                    test = named_after  # `… including 16,400/mm3 neutrophils`, `she had 3,500/mm3 eosinophils`
                elif (phrase := self.context.test_phrase(doc, i, sentence.start)) is not None and (
                    not any(t.ent_type_ == DRUG for t in phrase) or self.context.measured(doc, phrase.end)
                ):
                    # a name the NER took for a disease (`chromogranin A`) is a test when a result
                    # follows, and a drug's name (`parathyroid hormone level of 286 pg/mL`) when the
                    # word right after it says its level is what the number gives
                    by_condition = len(phrase) == 1 and self.context.condition_test(phrase[0].lower_)
                    if by_condition and not self.fits(by_condition, result.unit):
                        continue  # `microcytic anemia (65 fL)`: the cells' volume, not the hemoglobin
                    if any(t.ent_type_ in (DISEASE, DRUG) for t in phrase) and not by_condition:
                        doc.ents = [
                            e
                            for e in doc.ents
                            if not (e.label_ in (DISEASE, DRUG) and e.start < phrase.end and phrase.start < e.end)
                        ]
                    test = Span(doc, phrase.start, phrase.end, label=LAB)
                    if by_condition:
                        result.name = self.context.test_name(phrase, folded)
                    else:
                        test._.normalized = self.context.test_name(phrase, folded, long_forms)
                elif previous is not None and previous.unit == result.unit and previous.test is not None:
                    test = previous.test  # a series: `fell from 1553 U/L to 203 U/L`, `3 mm/h … and 14 mm/h`
                    result.name = previous.name
                else:
                    continue
                taken.update(range(i, after))  # `36 790`: every token of the value
                result.test, result.start = test, test.start_char
                result.comparator = _comparator_before(doc, i, test.end if test.end <= i else i)
                results.append(result)
                previous = result
        return results

    def results_in_words(self, doc: Doc, table_ranges: list[tuple[int, int]]) -> list[LabResult]:
        """Results written without a number (`blood cultures were negative`, `hemoglobin was
        normal`, `electrolytes were within normal limits`, `elevated CRP`): the test is a lexicon
        test with no result yet, or a phrase ending with a word that names a test (`cultures`)."""
        lab_at = {i: e for e in doc.ents if e.label_ == LAB for i in range(e.start, e.end)}
        words = self.context.result_words
        results, read_to = [], 0
        # the cheap test first, on the lower-case text of every token
        for i in [i for i, lower in enumerate(token_view(doc)[0]) if lower in words]:
            found = self.context.result_in_words(doc, i) if i >= read_to else None
            if found is None or any(lo <= doc[i].idx < hi for lo, hi in table_ranges):
                continue
            result, flag, after = found
            read_to = after  # `within normal limits` is one result, not two
            if any(NUMBER_START.match(t.text) for t in doc[after : after + 3]):
                continue  # `elevated at 45 mg/L`: the number is the result
            # `elevated CRP`, not `CRP was elevated` (nor `creatinine was elevated because …`)
            test = self.test_described(doc, after, lab_at) if self.context.describes_next(doc, after) else None
            described = test is not None
            if not described:
                test = self.test_before(doc, i, doc[i].sent.start, lab_at)
            if test is None:
                continue
            start, end = (
                (doc[i].idx, test.end_char)
                if described
                else (test.start_char, doc[after - 1].idx + len(doc[after - 1].text))
            )
            lab = LabResult(test, result=result, flag=flag, start=start, end=end)
            if test.start in lab_at:
                test._.lab = lab
            results.append(lab)
        return results

    def test_before(self, doc: Doc, i: int, floor: int, lab_at: dict[int, Span]) -> Span | None:
        """The test a result in words at token `i` is said of: a lexicon test with no result yet,
        or a phrase ending with a word that names a test."""
        phrase = self.context.test_phrase(doc, i, floor, in_words=True)
        if phrase is None or any(t.ent_type_ in (DISEASE, DRUG) for t in phrase):
            return None
        negations = self.context.words["negation_words"]
        if any(t.lower_ in negations for t in doc[max(0, phrase.start - 1) : phrase.end]):
            return None  # `neither CRP nor ESR was elevated`, `no blood cultures were positive`
        while len(phrase) > 1 and phrase[0].lower_ in self.context.words["phrase_openers"]:
            phrase = phrase[1:]  # `A QuantiFERON test`, `All tests`
        test = lab_at.get(phrase.end - 1)
        if test is not None:
            return test if test._.lab is None else None  # its result is read already
        if not self.context.names_test_in_words(phrase):
            return None
        test = Span(doc, phrase.start, phrase.end, label=LAB)
        name = self.context.test_name(phrase, self.lexicon[0])
        # the specimen is the test's own name when only a general noun is left (`blood cultures`)
        test._.normalized = phrase.text.lower() if self.context.names_no_test(name) else name
        return test

    def result_described(self, test: Span) -> LabResult | None:
        """The result a word right before a test gives it (`negative ANA`, `raised serum ferritin`)."""
        doc, i = test.doc, test.start - 1
        if i >= 0 and doc[i].lower_ in self.context.words["specimen_words"]:
            i -= 1
        found = self.context.result_in_words(doc, i) if i >= 0 else None
        if found is None:
            return None
        return LabResult(test, result=found[0], flag=found[1], start=doc[i].idx, end=test.end_char)

    def test_described(self, doc: Doc, i: int, lab_at: dict[int, Span]) -> Span | None:
        """The lexicon test a result word right before token `i` qualifies (`elevated CRP`,
        `negative serum ANA`), when it has no result of its own."""
        if i < len(doc) and doc[i].lower_ in self.context.words["specimen_words"]:
            i += 1
        test = lab_at.get(i)
        if test is None or test.start != i or test._.lab is not None:
            return None
        # the test names what follows it: `a low sodium diet`, `a high glucose infusion`
        return None if self.context.describes_next(doc, test.end) else test

    def fits(self, test: str, unit: str) -> bool:
        """Whether a result in `unit` can be the test's: a unit its canonical one converts from, or
        an amount per volume (`mg/dL` of glucose, whose canonical unit is `mmol/L`)."""
        entry = self.lexicon[0].get(test)
        converts = entry is not None and bool(entry.si_unit) and to_canonical(1.0, unit, entry.si_unit)[0] is not None
        return converts or is_concentration(unit)

    @staticmethod
    def test_named_after(doc: Doc, i: int) -> Span | None:
        """The lexicon's test starting at token `i`, right after a value, when it has no value of
        its own: the value is then its result (`16,400/mm3 neutrophils`); a test followed by a
        number (`… 200/μL, platelets 150 × 10^9/L`) opens the next result of a list instead."""
        if i >= len(doc) or doc[i].ent_type_ != LAB or doc[i].ent_iob_ != "B":
            return None
        test = next(e for e in doc.ents if e.start == i)
        if test._.lab is not None or any(NUMBER_START.match(t.text) for t in doc[test.end : test.end + 3]):
            return None
        return test

    @staticmethod
    def sentence_results(doc: Doc) -> list[LabResult]:
        """The last lexicon-test result of each sentence, which a following bare value may continue."""
        return [e._.lab for e in doc.ents if e.label_ == LAB and e._.lab is not None and e._.lab.value is not None]


def _shared_by_list(doc: Doc, joiners: frozenset[str]) -> list[LabResult]:
    """`ANA, RF and ANCA were negative`: lexicon tests listed before a result in words share the
    result of the list's last test, the first one with a result."""
    tests = [e for e in doc.ents if e.label_ == LAB]
    shared = []
    for k, test in enumerate(tests):
        if test._.lab is not None:
            continue
        j = k + 1
        while j < len(tests) and _joined(doc, tests[j - 1].end, tests[j].start, joiners) and tests[j]._.lab is None:
            j += 1
        if j == len(tests) or not _joined(doc, tests[j - 1].end, tests[j].start, joiners):
            continue
        result = tests[j]._.lab
        if result.value is not None or not result.result or result.start < tests[j].start_char:
            continue  # a number, or a result word written before its test (`negative RF`): not the list's
        test._.lab = LabResult(test, result=result.result, flag=result.flag, start=test.start_char, end=result.end)
        shared.append(test._.lab)
    return shared


def _joined(doc: Doc, start: int, end: int, joiners: frozenset[str]) -> bool:
    """Whether only commas and conjunctions stand between two tests."""
    return end > start and all(t.lower_ in joiners for t in doc[start:end])


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
