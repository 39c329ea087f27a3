"""A condition's code made more specific by what the article says around it.

The coder first codes a condition by its name. ICD-10-CM often has a more specific code of the
same category that the name alone does not reach: the site (`gastrointestinal stromal tumor of the
duodenum` → C49.A3, small intestine), the type (`soft cleft palate` → Q35.3), a complication
joined by "with" (type 2 diabetes in a patient with polyneuropathy → E11.42, the link ICD-10-CM
presumes, Official Guidelines I.A.15). `icd10cm_refinements.tsv.gz` lists, for each code, the
codes of its category whose titles say more and what they say (tools/code_refinements.py builds it
from the titles alone); this module decides, from the text, which of them the article supports:

- said of it: a code (of its category, or its cause's own elsewhere) whose added words are said
  of the condition: its words, the two just before it and the phrase that hangs on it
  (`attached_words`), never the rest of its sentence; sites read through their synonyms
  (`code_context.json`) and organ adjectives;
- a complication an adjective of the name says (`perforated gastric ulcer`, K25.5), its "with" code.
Of several codes the words support equally, none is taken: the name's own code stays. What the
patient's other mentions say (a site or type said once, a complication, a sign's diagnosis, a
combination ICD-10-CM presumes) is `code_patient.py`'s.
"""

from __future__ import annotations

import re
from collections.abc import Container, Iterable
from dataclasses import dataclass
from functools import cached_property

from spacy.tokens import Span

# words that join, never name (a title's `of`, `with`; a sentence's `the`)
STOP = frozenset("of the and or in on at to with due a an by for as".split())
# a word after a condition that hangs a phrase on it, and the words that end that phrase
ATTACHING = frozenset("of in on over to from involving affecting at along within arising caused due".split())
PHRASE_ENDS = frozenset({"but", "with", "without", "was", "were", "is", "are", "which", "that", "who", "showed"})
AFTER = 9  # words at most in that phrase
BARE_HEADS = frozenset({"syndrome", "disease", "disorder"})  # no condition's name by themselves
FINDING = 10  # tokens at most of a finding a link ties to a condition (`finding_links`)
CLAUSE_WORDS = frozenset({"but", "while", "whereas", "although", "and", "which", "that"})
BRACKETS = re.compile(r"\[[^\]]*\]|\([^)]*\)")
COORDINATED = re.compile(r"(\w+) (?:and|&) (\w+) (\w+)")
WORD = re.compile(r"[a-z0-9']+")
SECONDARY = ("C77", "C78", "C79")  # secondary malignant neoplasms: a metastasis's codes
INITIAL = re.compile(r"[A-Z]\.")  # a capital letter and its full stop, one token
SPELLED = re.compile(r"[CTL]\d{1,2}(?:-[CTLS]?\d{1,2})?|[A-Z]\.")  # a spine's level (`L4-L5`, `T11-12`); `E.` coli
NOT_SAID = frozenset({"no", "not", "non", "without"})  # before a complication's adjective: not said
# a stage's, grade's or type's value: a number or a roman numeral, with a subdivision (`3b`, `IIIA`)
STAGE_VALUE = re.compile(r"(?:\d{1,2}|i{1,3}|iv|vi{0,3})[a-c]?")
WITHOUT_CLAUSE = re.compile(r",?\s*\bwithout\b[^,]*", re.IGNORECASE)
ROMAN = {"i": "1", "ii": "2", "iii": "3", "iv": "4", "v": "5", "vi": "6", "vii": "7", "viii": "8"}
NUMERALS = ROMAN | {figure: roman for roman, figure in ROMAN.items()}  # each way: `iv` ↔ `4`
NOT_PREFIXES = ("non", "un")  # `non-bleeding`, `unperforated`


def singular(word: str) -> str:
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "is", "us", "'s")):
        return word[:-1]
    return word


def written_words(text: str) -> list[str]:
    """A title's or a name's words as written, lower case, its bracketed and optional (parenthesised) words left out."""
    return WORD.findall(BRACKETS.sub(" ", text.lower()))


def title_words(text: str) -> frozenset[str]:
    """The words a title or a name says, as refinements compare them (`written_words`), in the
    singular, joining words left out."""
    return frozenset(singular(w) for w in written_words(text) if w not in STOP)


@dataclass(frozen=True)
class Refinement:
    code: str
    kind: str  # "said": what its title adds is said in the sentence; "with": a complication named as another condition
    said: str  # the words the code's title adds, in its order (`small intestine`)
    also: str = ""  # a "with" code's: the codes its note asks for besides it (`N18.1-N18.6`)

    @cached_property
    def words(self) -> frozenset[str]:
        return frozenset(singular(w) for w in self.said.split())

    def coded_apart(self, code: str) -> bool:
        """Whether a complication coded `code` keeps its code beside this one (E11.22: the stage
        of the chronic kidney disease, N18.1-N18.6: N18.32, and N18.9 whose stage is not said):
        a code of a category the note's codes are of."""
        for codes in self.also.split():
            low, _, high = codes.partition("-")
            if low[:3] <= code[:3] <= (high or low)[:3]:
                return True
        return False


@dataclass
class Mention:
    """One condition as coded so far: its code from the name alone, its code now, and why."""

    span: Span
    name_code: str
    code: str
    evidence: str
    words: frozenset[str]  # its name's words, for "with" codes
    said: Refinement | None = None  # what its own phrase made more specific
    complication: bool = False  # whether it may be the complication of a "with" code
    current: bool = False  # the patient's now, said or suspected: a complication where its sentence names the cause
    case: int | None = None  # the patient (`Case 2`) where a report has several, else None
    bare_code: str = ""  # its name's own code, before the words just before it made it more specific
    plainly_said: bool = False  # the patient's, said as fact, with no other cause nor hypothesis in its sentence
    organ: str = ""  # the one organ its phrase names (`the ovarian tumour`), where that is its site

    @cached_property
    def patients(self) -> bool:
        return the_patients(self.span)

    @property
    def name(self) -> str:
        return self.span._.normalized or self.span.text


class ArticleContext:
    def __init__(
        self,
        rows: Iterable[list[str]],
        sites: dict[str, str],
        adjectives: dict[str, str],
        linking: Iterable[str],
        anatomy: Iterable[str] = (),
        with_categories: Iterable[str] = (),
        size_words: Iterable[str] = (),
        multiple_valves: dict | None = None,
        integral_signs: dict[str, list[str]] | None = None,
        not_carried: Iterable[str] = (),
        finding_links: Iterable[str] = (),
        diabetes_types: dict | None = None,
        complication_adjectives: dict[str, str] | None = None,
        with_codes: Iterable[list[str]] = (),
        presumed_combinations: dict[str, list[dict]] | None = None,
        stage_words: Iterable[str] = (),
        word_forms: dict[str, str] | None = None,
        lymph_node_sites: dict[str, str] | None = None,
        not_now: Iterable[str] = (),
        state_heads: Iterable[str] = (),
        drug_classes: Iterable[str] = (),
    ):
        self.refinements: dict[str, list[Refinement]] = {}
        for code, refined, kind, words, *also in [
            *rows,
            *((code, refined, "with", words) for code, refined, words in with_codes),
        ]:
            self.refinements.setdefault(code, []).append(Refinement(refined, kind, words, *also))
        adjectives_of = (complication_adjectives or {}).items()
        self.complication_words = {adjective: frozenset(words.split()) for adjective, words in adjectives_of}
        self.presumed = {
            code: [
                (rule["code"], [tuple(group) for group in rule["with"]], rule.get("said_together", False))
                for rule in rules
            ]
            for code, rules in (presumed_combinations or {}).items()
        }
        organ_of = {adjective: organ for organ, adjective in adjectives.items() if adjective != organ}
        self.sites = {phrase: title_words(site) for phrase, site in sites.items()}
        for adjective, organ in organ_of.items():
            self.sites[adjective] = title_words(organ) | self.sites.get(organ, frozenset())
        self.linking = frozenset(linking)
        self.anatomy = frozenset().union(*self.sites.values(), *(title_words(o) for o in adjectives), anatomy)
        # a lymphoma's site, as its category's titles name it (`mediastinal` → intrathoracic lymph
        # nodes); a site for the patient's other mentions too, but for `multiple` nodes
        for phrase, site in (lymph_node_sites or {}).items():
            self.sites[phrase] = self.sites.get(phrase, frozenset()) | title_words(site)
            self.anatomy |= title_words(site) - {"multiple"}
        self.stage_words = frozenset(stage_words)
        self.not_now = frozenset(not_now)
        self.state_heads = frozenset(state_heads)
        self.drug_classes = frozenset(drug_classes)
        self.word_forms = word_forms or {}
        self.with_categories = frozenset(with_categories)
        # `large`: a site word only in a site phrase
        self.not_said = STOP | frozenset(size_words)
        self.valve_of = (multiple_valves or {}).get("valves", {})
        self.valve_codes = (multiple_valves or {}).get("codes", {})
        self.integral_signs = integral_signs or {}
        self.not_carried = frozenset(not_carried)
        self.finding_links = tuple(tuple(link.split()) for link in finding_links)
        diabetes = diabetes_types or {"categories": [], "default": "", "type_2_words": []}
        self.diabetes, self.default_diabetes = frozenset(diabetes["categories"]), diabetes["default"]
        words = "|".join(map(re.escape, diabetes["type_2_words"]))
        self.type_2 = re.compile(rf"\b(?:{words})\b" if words else "(?!)")

    def integral_to(self, code: str) -> tuple[str, ...]:
        """The codes (by prefix) of the definitive diagnoses a sign or symptom's code is integral to."""
        return tuple(self.integral_signs.get(code) or self.integral_signs.get(code[:3]) or ())

    def valves_code(self, codes: Iterable[str]) -> str:
        """ICD-10-CM's code for diseases of all these valves together, or "" (`multiple_valves`)."""
        valves = {self.valve_of.get(code[:3]) for code in codes}
        return "" if None in valves else self.valve_codes.get(" ".join(sorted(valves)), "")

    def in_phrase(self, code: str, words: list[str]) -> Refinement | None:
        """The code of `code`'s category, or of its cause, whose added words the condition's
        phrase says (`attached_words`)."""
        refinements = self.refinements.get(code, ())
        if not refinements:
            return None
        said = self.phrase_words(words)
        if best := _only_best([r for r in refinements if r.kind == "said" and r.words <= said]):
            return best
        # `hemorrhagic gastritis`: gastritis with bleeding, where the adjective says the complication
        parts = [part for word in words if not word.startswith(NOT_PREFIXES) for part in word.split("-")]
        said = [part for part, before in zip(parts, ["", *parts]) if before not in NOT_SAID]  # not `no bleeding`
        complications = frozenset().union(*(self.complication_words.get(part, ()) for part in said))
        return _only_best([r for r in refinements if r.kind == "with" and r.words - self.linking <= complications])

    def in_disease(self, code: str) -> Refinement | None:
        """The code ICD-10-CM gives `code`'s condition when another disease causes it (G62.9 → G63)."""
        return next((r for r in self.refinements.get(code, ()) if r.kind == "in_disease"), None)

    def is_site(self, refinement: Refinement) -> bool:
        """Whether a refinement names a part of the body only (what holds for every mention)."""
        return refinement.words <= self.anatomy

    def with_named(self, code: str, words: Iterable[str], title: str) -> Refinement | None:
        """The "with" code whose complication the text joins to the condition: the other condition's words (`with rectal
        bleeding`), an adjective's complication (`bleeding`: hemorrhage) or its code's title (R58, Hemorrhage)."""
        said = {singular(w) for w in words} | title_words(WITHOUT_CLAUSE.sub("", title))  # not `… without coma`
        said |= frozenset().union(*(self.complication_words.get(word, ()) for word in words))
        return _only_best(
            [r for r in self.refinements.get(code, ()) if r.kind == "with" and r.words - self.linking <= said]
        )

    def phrase_words(self, tokens: list[str]) -> frozenset[str]:
        parts = [w for token in tokens for w in WORD.findall(token)]  # `parasagittal-parafalcine`: two
        words = {singular(w) for w in parts if w not in self.not_said}
        words |= frozenset().union(*(title_words(self.word_forms[w]) for w in parts if w in self.word_forms))
        # a stage in roman numerals or in figures, as the titles write it (`stage IV` is `stage 4`)
        for before, value in zip(parts, parts[1:]):
            if before in self.stage_words and STAGE_VALUE.fullmatch(value):
                number = value.rstrip("abc")  # the value as written is among `words` already
                words.add(NUMERALS.get(number, number) + value[len(number) :])
        for phrase in {*tokens, *parts, *(" ".join(pair) for pair in zip(tokens, tokens[1:]))}:
            words |= self.sites.get(phrase, frozenset())
        return frozenset(words)

    def with_complication(
        self, code: str, conditions: list[Mention], titles: dict[str, str]
    ) -> tuple[Refinement, Mention] | None:
        """The "with" code whose complication is one of the article's other `conditions`, by its
        name (`diabetic nephropathy` is the nephropathy of `… with diabetic nephropathy`), by its
        code's title (`distal symmetric polyneuropathy`: G62.9, Polyneuropathy, unspecified) or by
        the combination code it has already (`diabetic ketoacidosis`, E11.10)."""
        named = [
            (m, (m.words - self.linking, title_words(titles.get(m.code, "")) - {"unspecified"})) for m in conditions
        ]
        found = []
        for refinement in self.refinements.get(code, ()):
            if refinement.kind != "with":
                continue
            complication = refinement.words - self.linking
            found += [
                (refinement, m)
                for m, names in named
                if m.code != code
                # coded with it already (`euglycemic diabetic ketoacidosis`), or named as it
                and (m.code == refinement.code or complication in names)
            ]
        best = _only_best([r for r, _ in found])
        return next(((r, m) for r, m in found if r == best), None) if best else None


def attached_words(span: Span, before: int, others: set[int], context: ArticleContext) -> list[str]:
    """The words that qualify a condition, lower case: its own, the run of words just before it (at most `before`, two
    more that name a site, `axillary` lymph node metastasis; a stage's value after its word, `stage 5` CKD), and
    before those a state's noun that has it (`an exacerbation of` severe persistent asthma: `state_heads`), the
    stage said right after it (`CKD stage 3b`, `(stage 4)`), the finding a link ties to it (`erosions in the ileum,
    suggesting` it: `links`), and the phrase that hangs on it (`… of the duodenum`, `… in the right ear`, `… caused
    by Klebsiella pneumoniae`; also past a condition joined to it by `and`, where its own words name no site), never
    the rest of its sentence: there a word belongs to another finding as often as not (`systolic blood pressure`,
    `left ventricular`, `negative for Streptococcus pneumoniae`). The other conditions' words are left out."""
    doc, sentence = span.doc, span.sent
    links, stages = context.finding_links, context.stage_words
    first, words = span.start, 0
    while (
        first > sentence.start
        and doc[first - 1].i not in others
        and (words < before or words < before + 2 and doc[first - 1].lower_ in context.sites and _alone(doc, first - 1))
    ):
        if not (is_word(doc[first - 1]) or _is_stage(doc[first - 1], stages)):
            break
        first -= 1
        # `acute on chronic`: one acuity; `stage 4` one stage
        words += doc[first].lower_ not in ("-", "on") and not _is_stage(doc[first], stages)
    if first - 2 >= sentence.start and _is_stage(doc[first - 1], stages):  # a stage is no word (`stage 4` sacral …)
        first -= 2
    first = min(first, _state_before(span, context.state_heads, others), _finding_before(span, links, others))
    stated = any(t.lower_ in context.state_heads for t in doc[first : span.start])
    if stated and any(t.lower_ in NOT_SAID for t in doc[max(sentence.start, first - 4) : first]):
        first = span.start  # `no evidence of an exacerbation of` asthma: its state is not said
    after = after_parenthesis(span, sentence.end)  # `Crohn's disease (CD) of the ileum`
    joined = after + 1 + (after + 2 < sentence.end and doc[after + 1].lower_ in ("a", "an", "the"))
    shared = joined < sentence.end and doc[after].lower_ in ("and", "or") and joined in others
    if shared and not any(t.lower_ in context.anatomy for t in doc[first : span.end]):  # `a lung neoplasm and a …`
        # `neuritis and axonopathy along the peroneal nerve`, `cellulitis and an abscess of the leg`
        while joined < sentence.end and joined in others:
            joined += 1
        after = joined if joined < sentence.end and doc[joined].lower_ in ATTACHING else after
    last = after
    if last < sentence.end and doc[last].lower_ in ATTACHING:
        # to the end of the phrase: punctuation, a verb or `with`, the next condition, AFTER words
        while last < min(sentence.end, after + AFTER) and is_word(doc[last]) and doc[last].i not in others:
            if last > after and doc[last].lower_ in PHRASE_ENDS:
                break
            last += 1
    # `CKD (stage 4)`, `CKD stage 3b`, `a pressure ulcer of the sacrum, stage 3`
    staged = [t for at in (span.end, last) for t in _stage_at(doc, at, stages, sentence.end)][:2]
    if staged and any(t.i in others for t in doc[staged[0].i : staged[-1].i + 2]):
        staged = []  # another condition's (`… of the sacrum and type 2 diabetes`)
    return [t.lower_ for t in (*doc[first : span.end], *staged, *doc[after:last])]


def _state_before(span: Span, heads: Container[str], others: set[int]) -> int:
    """Where a state's noun joined to the condition by `of` starts, a few words before it (`a
    flare of` his asthma), else the condition's own start."""
    doc, start = span.doc, span.sent.start
    for at in range(span.start - 1, max(start, span.start - 4), -1):
        if at in others or not is_word(doc[at]):
            break
        if doc[at].lower_ == "of" and at > start and doc[at - 1].lower_ in heads:
            return at - 1
    return span.start


def _stage_at(doc, at: int, stages: Container[str], end: int) -> list:
    """The stage, grade or type said at `at` (right after a condition's name or its phrase), or
    in a parenthesis or after a comma there: its word and its value (`stage`, `3b`)."""
    at += at < end and doc[at].text in "(,"
    if at + 1 < end and doc[at].lower_ in stages and STAGE_VALUE.fullmatch(doc[at + 1].lower_):
        return [doc[at], doc[at + 1]]
    return []


def _is_stage(token, stages: Container[str]) -> bool:
    """A stage's value after its word (`stage 5` CKD)."""
    return token.i > 0 and token.doc[token.i - 1].lower_ in stages and bool(STAGE_VALUE.fullmatch(token.lower_))


def words_after(
    span: Span, known: Container[str], others: Container[int] = (), parts: Container[str] = (), most: int = 6
) -> list[str]:
    """The words just after a condition that may end its name (`alopecia totalis`, `influenza A`, `heart failure with
    reduced ejection fraction`), in its sentence and up to another condition (`others`: `nausea` and `vomiting` are
    two), each a word some name the index knows goes on with (`known`): the longest first, then fewer, then none."""
    words = []
    for token in span.doc[span.end : min(span.end + most, span.sent.end)]:
        if token.i in others and token.lower_ not in BARE_HEADS:  # a bare `syndrome` is no condition of its own
            break
        if INITIAL.fullmatch(token.text):  # `hepatitis C.`: the tokenizer keeps an initial's full stop
            words.append(token.text[0])
            break
        if not token.is_alpha or token.lower_ not in known:
            break
        words.append(token.text)
    # never a run that ends at a part the next words say whose it is (`fracture of the neck` `of the femur`)
    doc, end = span.doc, span.sent.end
    cut = [
        n and words[n - 1].lower() in parts and span.end + n < end and doc[span.end + n].lower_ == "of"
        for n in range(len(words) + 1)
    ]
    return [" ".join(words[:count]) for count in range(len(words), 0, -1) if not cut[count]] + [""]


def where_it_is(code: str, words: list[str], last: str) -> list[str]:
    """The words of a metastasis's phrase (`last`: its name's last word) that may say where it
    is: not what follows `from` after its name, its primary (`metastasis from the breast` is no
    secondary of the breast, C79.81; `suffered from liver metastases` keeps the liver)."""
    if not code.startswith(SECONDARY) or "from" not in words:
        return words
    end = len(words) - words[::-1].index(last) if last in words else 0
    cut = next((i for i in range(end, len(words)) if words[i] == "from"), len(words))
    return words[:cut]


def _finding_before(span: Span, links: Iterable[tuple[str, ...]], others: set[int]) -> int:
    """Where the finding starts that a link just before the condition ties to it (`multiple erosions in the ileum,
    suggesting` …, `ileal biopsies showed … consistent with` …): back from the link, past a comma, to the clause's
    start, another condition or FINDING tokens; else the condition's own start."""
    doc, start = span.doc, span.sent.start
    last = doc[span.start - 1].lower_ if span.start > start else ""
    for link in links:
        at = span.start - len(link)
        if link[-1] != last or at <= start or [t.lower_ for t in doc[at : span.start]] != list(link):
            continue
        first = at - 1 if doc[at - 1].text == "," else at
        while first > max(start, at - FINDING) and doc[first - 1].i not in others and not _ends_clause(doc[first - 1]):
            first -= 1
        return first
    return span.start


def _alone(doc, at: int) -> bool:
    """Whether no `and`, `or` or comma joins another word to the one at `at` (`axillary and supraclavicular`)."""
    return at == 0 or doc[at - 1].lower_ not in ("and", "or", ",")


def _ends_clause(token) -> bool:
    return token.is_punct and token.text not in ("-", "–", "(", ")", "/") or token.lower_ in CLAUSE_WORDS


def after_parenthesis(span: Span, end: int | None = None) -> int:
    """Where the words after a condition go on: past a short parenthesis that follows its name
    (an abbreviation, `(CD)`), else right after it; `end`: its sentence's, when known."""
    doc, end = span.doc, span.sent.end if end is None else end
    if span.end < end and doc[span.end].text == "(":
        for i in range(span.end + 1, min(end, span.end + 5)):
            if doc[i].text == ")":
                return i + 1
    return span.end


def is_word(token) -> bool:
    """A word or a hyphenated one (`drug-induced`), the hyphen between two, a vertebra (`L4-L5`) or an initial."""
    return token.text == "-" or token.text.replace("-", "").isalpha() or bool(SPELLED.fullmatch(token.text))


def _only_best(refinements: list[Refinement]) -> Refinement | None:
    """The refinement that says the most, where it says all the others say too (`stage 3b` over
    `stage 3`); none where another says as much, or something it does not (`cervical` and
    `mediastinal` nodes: neither region is the lymphoma's)."""
    if not refinements:
        return None
    most = max(len(r.words) for r in refinements)
    best = {r.code for r in refinements if len(r.words) == most}
    if len(best) != 1:
        return None
    chosen = next(r for r in refinements if len(r.words) == most)
    return chosen if all(r.words <= chosen.words for r in refinements if r.code != chosen.code) else None


def is_neoplasm(code: str) -> bool:
    """Whether a code is of chapter 2, Neoplasms (C00–D49)."""
    return code[:1] == "C" or "D00" <= code[:3] <= "D49"


def coordinated_names(name: str) -> list[str]:
    """The names a coordinated one joins (`mitral and tricuspid regurgitation` → `mitral
    regurgitation`, `tricuspid regurgitation`), or none."""
    match = COORDINATED.fullmatch(name.lower())
    return [f"{match[1]} {match[3]}", f"{match[2]} {match[3]}"] if match else []


def the_patients(span: Span) -> bool:
    """Whether a condition is the patient's, as the text asserts it (not negated, weighed or another person's)."""
    return span._.assertion not in ("negated", "differential") and not span._.subject
