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
- across the article: a site said of one of the patient's mentions holds for the patient's other
  mentions of the same name (`Crohn's disease` of the ileum, then `the Crohn's disease` alone),
  when no mention says another, and never for another patient of the report or a relative; so
  does the type or side of a longer name one mention has (`ischemic cardiomyopathy`, then `the
  cardiomyopathy`; `bilateral inguinal hernia`), never an acuity or a time (`acute`, `old`:
  `not_carried`), never for a sign or symptom, nor a tumour (its site is `neoplasm_sites.py`'s);
- with another condition: a diabetes "with" code whose complication is another current condition
  of the same patient, with no other cause or hypothesis in its sentence.
- several valves: diseases of two or more heart valves of one patient, ICD-10-CM's combination
  code (I08.-), a coordinated name (`mitral and tricuspid regurgitation`) read as the two;
- a sign integral to the patient's one definitive diagnosis (`seizures` with epilepsy), its code;
- a combination ICD-10-CM presumes with another of the patient's asserted conditions
  (hypertension with heart failure, I11.0: Official Guidelines I.C.9.a);
- a complication an adjective of the name says (`perforated gastric ulcer`, K25.5), its "with" code.
Of several codes the words support equally, none is taken: the name's own code stays.
"""

from __future__ import annotations

import re
from collections.abc import Container, Iterable
from dataclasses import dataclass
from functools import cached_property

from spacy.tokens import Span

# words that join, never name (a title's `of`, `with`; a sentence's `the`)
STOP = frozenset({"of", "the", "and", "or", "in", "on", "at", "to", "with", "due", "a", "an", "by", "for", "as"})
# a word after a condition that hangs a phrase on it, and the words that end that phrase
ATTACHING = frozenset(
    {"of", "in", "on", "to", "from", "involving", "affecting", "at", "within", "arising", "caused", "due"}
)
PHRASE_ENDS = frozenset({"but", "with", "without", "was", "were", "is", "are", "which", "that", "who", "showed"})
AFTER = 7  # words at most in that phrase
FINDING = 10  # tokens at most of a finding a link ties to a condition (`finding_links`)
CLAUSE_WORDS = frozenset({"but", "while", "whereas", "although", "and", "which", "that"})
BRACKETS = re.compile(r"\[[^\]]*\]|\([^)]*\)")
COORDINATED = re.compile(r"(\w+) (?:and|&) (\w+) (\w+)")
WORD = re.compile(r"[a-z0-9']+")
SECONDARY = ("C77", "C78", "C79")  # secondary malignant neoplasms: a metastasis's codes
INITIAL = re.compile(r"[A-Z]\.")  # a capital letter and its full stop, one token


def singular(word: str) -> str:
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "is", "us", "'s")):
        return word[:-1]
    return word


def written_words(text: str) -> list[str]:
    """A title's or a name's words as written, lower case, its bracketed and optional
    (parenthesised) words left out."""
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

    @cached_property
    def words(self) -> frozenset[str]:
        return frozenset(singular(w) for w in self.said.split())


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
    case: int | None = None  # the patient (`Case 2`) where a report has several, else None
    bare_code: str = ""  # its name's own code, before the words just before it made it more specific
    plainly_said: bool = False  # the patient's, said as fact, with no other cause nor hypothesis in its sentence

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
    ):
        self.refinements: dict[str, list[Refinement]] = {}
        for code, refined, kind, words in [
            *rows,
            *((code, refined, "with", words) for code, refined, words in with_codes),
        ]:
            self.refinements.setdefault(code, []).append(Refinement(refined, kind, words))
        adjectives_of = (complication_adjectives or {}).items()
        self.complication_words = {adjective: frozenset(words.split()) for adjective, words in adjectives_of}
        self.presumed = {
            code: [(rule["code"], [tuple(group) for group in rule["with"]]) for rule in rules]
            for code, rules in (presumed_combinations or {}).items()
        }
        organ_of = {adjective: organ for organ, adjective in adjectives.items() if adjective != organ}
        self.sites = {phrase: title_words(site) for phrase, site in sites.items()}
        for adjective, organ in organ_of.items():
            self.sites[adjective] = title_words(organ) | self.sites.get(organ, frozenset())
        self.linking = frozenset(linking)
        self.anatomy = frozenset().union(*self.sites.values(), *(title_words(o) for o in adjectives), anatomy)
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
        parts = [part for word in words for part in word.split("-")]  # `erosive-hemorrhagic`
        complications = frozenset().union(*(self.complication_words.get(part, ()) for part in parts))
        return _only_best([r for r in refinements if r.kind == "with" and r.words - self.linking <= complications])

    def in_disease(self, code: str) -> Refinement | None:
        """The code ICD-10-CM gives `code`'s condition when another disease causes it (G62.9 → G63)."""
        return next((r for r in self.refinements.get(code, ()) if r.kind == "in_disease"), None)

    def is_site(self, refinement: Refinement) -> bool:
        """Whether a refinement names a part of the body only (what holds for every mention)."""
        return refinement.words <= self.anatomy

    def phrase_words(self, tokens: list[str]) -> frozenset[str]:
        words = {singular(w) for token in tokens for w in WORD.findall(token) if w not in self.not_said}
        for phrase in {*tokens, *(" ".join(pair) for pair in zip(tokens, tokens[1:]))}:
            words |= self.sites.get(phrase, frozenset())
        return frozenset(words)

    def with_complication(self, code: str, conditions: list[Mention]) -> tuple[Refinement, Mention] | None:
        """The "with" code whose complication is one of the article's other `conditions`."""
        found = []
        for refinement in self.refinements.get(code, ()):
            if refinement.kind != "with":
                continue
            complication = refinement.words - self.linking
            found += [(refinement, m) for m in conditions if m.code != code and m.words == complication]
        best = _only_best([r for r, _ in found])
        return next(((r, m) for r, m in found if r == best), None) if best else None


def attached_words(span: Span, before: int, others: set[int], links: Iterable[tuple[str, ...]] = ()) -> list[str]:
    """The words that qualify a condition, lower case: its own, the run of words just before it
    (at most `before`), the finding a link ties to it (`erosions in the ileum, suggesting` it:
    `links`), and the phrase that hangs on it (`… of the duodenum`, `… in the right ear`, `…
    caused by Klebsiella pneumoniae`), never the rest of its sentence: there a word belongs to
    another finding as often as not (`systolic blood pressure`, `left ventricular`, `negative for
    Streptococcus pneumoniae`). The other conditions' words are left out."""
    doc, sentence = span.doc, span.sent
    first, words = span.start, 0
    while first > sentence.start and words < before and _word(doc[first - 1]) and doc[first - 1].i not in others:
        first -= 1
        words += doc[first].text != "-"
    first = min(first, _finding_before(span, links, others))
    after = after_parenthesis(span)  # `Crohn's disease (CD) of the ileum`
    last = after
    if last < sentence.end and doc[last].lower_ in ATTACHING:
        # to the end of the phrase: punctuation, a verb or `with`, the next condition, AFTER words
        while last < min(sentence.end, after + AFTER) and _word(doc[last]) and doc[last].i not in others:
            if last > after and doc[last].lower_ in PHRASE_ENDS:
                break
            last += 1
    return [t.lower_ for t in (*doc[first : span.end], *doc[after:last])]


def words_after(span: Span, known: Container[str], others: Container[int] = (), most: int = 4) -> list[str]:
    """The words just after a condition that may end its name (`alopecia totalis`, `influenza
    A`, `heart failure with reduced ejection fraction`), in its sentence and up to another
    condition (`others`: `nausea` and `vomiting` are two), each a word some name the index knows
    goes on with (`known`): the longest first, then fewer, then none."""
    words = []
    for token in span.doc[span.end : min(span.end + most, span.sent.end)]:
        if token.i in others:
            break
        if INITIAL.fullmatch(token.text):  # `hepatitis C.`: the tokenizer keeps an initial's full stop
            words.append(token.text[0])
            break
        if not token.is_alpha or token.lower_ not in known:
            break
        words.append(token.text)
    return [" ".join(words[:count]) for count in range(len(words), 0, -1)] + [""]


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
    """Where the finding starts that a link just before the condition ties to it (`multiple erosions
    in the ileum, suggesting` …, `ileal biopsies showed … consistent with` …): back from the link,
    past a comma, to the clause's start, another condition or FINDING tokens; else the condition's
    own start."""
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


def _ends_clause(token) -> bool:
    return token.is_punct and token.text not in ("-", "–", "(", ")", "/") or token.lower_ in CLAUSE_WORDS


def after_parenthesis(span: Span) -> int:
    """Where the words after a condition go on: past a short parenthesis that follows its name
    (an abbreviation, `(CD)`), else right after it."""
    doc, end = span.doc, span.sent.end
    if span.end < end and doc[span.end].text == "(":
        for i in range(span.end + 1, min(end, span.end + 5)):
            if doc[i].text == ")":
                return i + 1
    return span.end


def _word(token) -> bool:
    """A word or a hyphenated one (`drug-induced`), or the hyphen between two."""
    return token.text == "-" or token.text.replace("-", "").isalpha()


def _only_best(refinements: list[Refinement]) -> Refinement | None:
    """The refinement that says the most, unless another says as much (then none)."""
    if not refinements:
        return None
    most = max(len(r.words) for r in refinements)
    best = {r.code for r in refinements if len(r.words) == most}
    return next(r for r in refinements if r.code in best) if len(best) == 1 else None


def across_article(context: ArticleContext, mentions: list[Mention]) -> None:
    """Codes the other mentions make more specific: a site said once, a complication named."""
    patient = [m for m in mentions if m.patients]
    said: dict[tuple, set[str]] = {}
    for mention in patient:
        # only a part of the body holds for every mention: a stage, a cause or an acuity is of its time
        if mention.said and context.is_site(mention.said):
            said.setdefault((mention.case, mention.name_code, mention.words), set()).add(mention.code)
    # a code names the condition, whether the mention asserts, negates or weighs it (`no
    # pneumonia` is J18.9 too); only another patient's, a relative's or the literature's is another
    for mention in (m for m in mentions if not m.span._.subject):
        refined = said.get((mention.case, mention.name_code, mention.words), set())
        if mention.code == mention.name_code and len(refined) == 1:
            mention.code = next(iter(refined))
            mention.evidence += " (its site said of another mention)"
    _type_said_once(context, mentions, patient)
    for case in {m.case for m in patient}:
        complications = [m for m in patient if m.complication and m.case == case]
        for code in {m.code for m in patient if m.case == case and m.code[:3] in context.with_categories}:
            found = context.with_complication(code, complications)
            if found:
                refinement, complication = found
                for mention in (m for m in mentions if m.code == code and m.case == case and not m.span._.subject):
                    mention.code = refinement.code
                    mention.evidence += f" with {complication.span._.normalized or complication.span.text}"


def _type_said_once(context: ArticleContext, mentions: list[Mention], patient: list[Mention]) -> None:
    """The code of a longer name of the patient's condition (`ischemic cardiomyopathy`, I25.5; a
    `cataract` with `nuclear sclerotic` before it, H25.10) for their mentions of it named alone
    (`cardiomyopathy`, I42.9): the longer name ends with theirs, its mention is said plainly,
    what it adds says no acuity, time or cause (`not_carried`), and no mention makes it another.
    Never a sign or symptom (`fever` of a patient with typhoid fever is still a fever) nor a tumour."""
    targets = [m for m in mentions if m.code == m.bare_code == m.name_code and m.code and not m.span._.subject]
    targets = [m for m in targets if m.code[0] != "R" and not is_neoplasm(m.code)]
    sources = [m for m in patient if m.plainly_said and m.code == m.name_code and m.code and not is_neoplasm(m.code)]
    said: dict[tuple, set[str]] = {}
    named = {id(target): _head_first(target.name) for target in targets}
    not_added = context.not_carried | STOP  # nor a word joining another name
    for source in sources if targets else ():
        longer = _head_first(source.evidence.split(" → ")[0])
        for target in (t for t in targets if t.case == source.case and t.code != source.code):
            head = named[id(target)]
            added = set(longer[len(head) :])  # the words before its head
            if added and longer[: len(head)] == head and not added & not_added:
                said.setdefault((target.case, target.code), set()).add(source.code)
    for mention in targets:
        refined = said.get((mention.case, mention.code), set())
        if len(refined) == 1:
            mention.code = next(iter(refined))
            mention.evidence += " (its type said of another mention)"


def _head_first(name: str) -> list[str]:
    """A name's words from its last (its head, `cardiomyopathy`) back, in the singular."""
    return [singular(w) for w in reversed(written_words(name))]


def is_neoplasm(code: str) -> bool:
    """Whether a code is of chapter 2, Neoplasms (C00–D49)."""
    return code[:1] == "C" or "D00" <= code[:3] <= "D49"


def coordinated_names(name: str) -> list[str]:
    """The names a coordinated one joins (`mitral and tricuspid regurgitation` → `mitral
    regurgitation`, `tricuspid regurgitation`), or none."""
    match = COORDINATED.fullmatch(name.lower())
    return [f"{match[1]} {match[3]}", f"{match[2]} {match[3]}"] if match else []


def multiple_valves(context: ArticleContext, mentions: list[Mention]) -> None:
    """Diseases of two or more heart valves of one patient take ICD-10-CM's combination code
    (`mitral regurgitation` and `aortic stenosis`, I08.0), each mention of them."""
    for case in {m.case for m in mentions}:
        valves = [m for m in mentions if m.case == case and m.code[:3] in context.valve_of and m.patients]
        code = context.valves_code(m.code for m in valves)
        for mention in valves if code else ():
            mention.code = code
            mention.evidence += " (with another valve's disease)"


def integral_signs(context: ArticleContext, mentions: list[Mention]) -> None:
    """A sign or symptom of the patient that is integral to their one definitive diagnosis takes
    its code (`seizures` of a patient with epilepsy → G40.-; Official Guidelines I.B.5)."""
    for case in {m.case for m in mentions}:
        patient = [m for m in mentions if m.case == case and m.patients]
        for sign in (m for m in patient if context.integral_to(m.code)):
            diagnoses = {m.code for m in patient if m.code.startswith(context.integral_to(sign.code))}
            if len(diagnoses) == 1:
                sign.code = diagnoses.pop()
                sign.evidence += " (a sign of the patient's diagnosis)"


def diabetes_of_its_type(context: ArticleContext, mentions: list[Mention], codes: Container[str]) -> None:
    """A diabetic condition of the patient coded by the default type (`diabetic ketoacidosis`,
    E11.10) takes the one type their other mentions say (`type 1 diabetes mellitus`: E10.10):
    the type said, not the default, where a code of that type exists (Official Guidelines I.C.4.a.2)."""
    default = context.default_diabetes
    for case in {m.case for m in mentions}:
        patient = [m for m in mentions if m.case == case and m.patients and m.code[:3] in context.diabetes]
        typed = {m.code[:3] for m in patient if m.code[:3] != default or context.type_2.search(m.name.lower())}
        if len(typed) != 1 or (kind := typed.pop()) == default:
            continue
        for mention in (m for m in patient if m.code[:3] == default and f"{kind}{m.code[3:]}" in codes):
            mention.code = f"{kind}{mention.code[3:]}"
            mention.evidence += f" (the patient's diabetes is {kind})"


def across_the_patient(context: ArticleContext, mentions: list[Mention], titles: dict[str, str]) -> None:
    """Each mention's code made more specific by the patient's other mentions, in this order: a
    site, type or complication said of another (`across_article`), other valves' diseases, the
    diagnosis a sign is part of, the type of their diabetes, a combination ICD-10-CM presumes."""
    across_article(context, mentions)
    multiple_valves(context, mentions)
    integral_signs(context, mentions)
    diabetes_of_its_type(context, mentions, titles)
    presumed_combinations(context, mentions)


def presumed_combinations(context: ArticleContext, mentions: list[Mention]) -> None:
    """A condition of the patient that ICD-10-CM codes together with another of theirs takes the
    combination code (`presumed_combinations`): hypertension with heart failure, I11.0 (Official
    Guidelines I.C.9.a), G6PD deficiency with anemia, D55.0; the first whose every group of codes
    one of the patient's asserted conditions has."""
    for case in {m.case for m in mentions}:
        patient = [m for m in mentions if m.case == case and m.patients]
        asserted = [m for m in patient if m.span._.assertion in ("confirmed", "history")]
        for mention in (m for m in patient if m.code in context.presumed):
            for code, groups in context.presumed[mention.code]:
                found = [next((m for m in asserted if m.code.startswith(group)), None) for group in groups]
                if all(found):
                    names = " and ".join(m.span._.normalized or m.span.text for m in found)
                    mention.code, mention.evidence = code, f"{mention.evidence} (with the patient's {names})"
                    break


def the_patients(span: Span) -> bool:
    """Whether a condition is the patient's, as the text asserts it (not negated, weighed or
    another person's)."""
    return span._.assertion not in ("negated", "differential") and not span._.subject
