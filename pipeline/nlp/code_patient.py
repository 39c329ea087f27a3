"""The codes of a patient's conditions read together: what one mention says holds for the
patient's other mentions, and ICD-10-CM codes some conditions together.

- across the article: a site said of one of the patient's mentions holds for the patient's other
  mentions of the same name (`Crohn's disease` of the ileum, then `the Crohn's disease` alone),
  when no mention says another, and never for another patient of the report or a relative; so
  does the type or side of a longer name one mention has (`ischemic cardiomyopathy`, then `the
  cardiomyopathy`; `bilateral inguinal hernia`), never an acuity or a time (`acute`, `old`:
  `not_carried`), never for a sign or symptom, nor a tumour (its site is `neoplasm_sites.py`'s);
- with another condition: a diabetes "with" code whose complication is another current condition
  of the same patient, with no other cause or hypothesis in its sentence (or one naming the
  diabetes as its cause), the complication's mention taking it too unless the code's note asks for
  the complication's own; the type the patient's diabetes is said to be;
- joined by the text: a complication the sentence joins to a condition by `with`, for every
  category (`duodenal ulcer with bleeding`, K26.4), never one said past, feared or absent;
- named more specifically: a condition coded unspecified takes the one more specific form of its
  category its sentence, else the article, names for the patient (SLE beside lupus nephritis);
- several valves: diseases of two or more heart valves of one patient, ICD-10-CM's combination
  code (I08.-), a coordinated name (`mitral and tricuspid regurgitation`) read as the two;
- a sign integral to the patient's one definitive diagnosis (`seizures` with epilepsy), its code;
- a combination ICD-10-CM presumes with another of the patient's asserted conditions
  (hypertension with heart failure, I11.0: Official Guidelines I.C.9.a), unless the text gives
  either another cause.

Never a relative's condition, nor, in a report of several patients, another patient's.
"""

from __future__ import annotations

from collections.abc import Container

from .code_causes import CAUSED_BY, past_hedges
from .code_context import (
    NOT_SAID,
    PHRASE_ENDS,
    STOP,
    WITHOUT_CLAUSE,
    ArticleContext,
    Mention,
    is_neoplasm,
    singular,
    title_words,
    written_words,
)
from .values import DRUG

# the words that say a condition's cause, and how many tokens at most lie between it and its cause
CAUSE_CUES = CAUSED_BY | {"ascribed to", "related to"}
# words that make a complication's cause hypothetical or general, not the patient's (`caused_complications`)
HYPOTHETICAL = frozenset({"prevent", "avoid", "risk", "could", "may", "might", "can", "common", "commonly", "often"})
CAUSE_GAP = 8
# a condition and its complication said alike: both the patient's now, or both past
SAID_ALIKE = (("confirmed", "confirmed"), ("history", "history"))


def across_article(context: ArticleContext, mentions: list[Mention], titles: dict[str, str]) -> None:
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
        combining = [m for m in patient if m.case == case and m.code[:3] in context.with_categories]
        complications = [
            m
            for m in patient
            if m.case == case
            and (m.complication or m.current and any(_caused_by(m, d, mentions) for d in combining))
            and not _said_as_past(m, context)
        ]
        for code in {m.code for m in combining}:
            found = context.with_complication(code, complications, titles)
            if found:
                refinement, complication = found
                for mention in (m for m in mentions if m.code == code and m.case == case and not m.span._.subject):
                    mention.code = refinement.code
                    mention.evidence += f" with {complication.span._.normalized or complication.span.text}"
                # the complication is the combination's too, unless its note asks for the complication's code
                if complication.code[:3] != code[:3] and not refinement.coded_apart(complication.code):
                    complication.code = refinement.code
                    complication.evidence += f" (a complication of the patient's {code[:3]})"


def _type_said_once(context: ArticleContext, mentions: list[Mention], patient: list[Mention]) -> None:
    """The code of a longer name of the patient's condition (`ischemic cardiomyopathy`, I25.5; a
    `cataract` with `nuclear sclerotic` before it, H25.10) for their mentions of it named alone
    (`cardiomyopathy`, I42.9): the longer name ends with theirs, its mention is said plainly,
    what it adds says no acuity, time or cause (`not_carried`), and no mention makes it another.
    Never a sign or symptom (`fever` of a patient with typhoid fever is still a fever), an injury
    nor a tumour."""
    targets = [m for m in mentions if m.code == m.bare_code == m.name_code and m.code and not m.span._.subject]
    # nor an injury: a fracture beside a Colles fracture is another fracture
    targets = [m for m in targets if m.code[0] not in "RST" and not is_neoplasm(m.code)]
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
    diagnosis a sign is part of, the type of their diabetes, a combination ICD-10-CM presumes;
    before the valves, a complication the sentence joins to it (`joined_by_with`) or says it caused
    (`caused_complications`) and a more specific form named for the patient (`named_more_specifically`)."""
    across_article(context, mentions, titles)
    joined_by_with(context, mentions, titles)
    caused_complications(context, mentions, titles)
    named_more_specifically(context, mentions, titles)
    multiple_valves(context, mentions)
    integral_signs(context, mentions)
    diabetes_of_its_type(context, mentions, titles)
    presumed_combinations(context, mentions)


def presumed_combinations(context: ArticleContext, mentions: list[Mention]) -> None:
    """A condition of the patient that ICD-10-CM codes together with another of theirs takes the
    combination code (`presumed_combinations`): hypertension with heart failure named with it,
    I11.0 (Official Guidelines I.C.9.a), gallstones with cholecystitis, K80.10; the first whose
    every group of codes one of the patient's current conditions has (or, for a rule `said_together`,
    one of their conditions named in the same sentence, a past one too; `"said_together": "current"`,
    both current)."""
    for case in {m.case for m in mentions}:
        patient = [m for m in mentions if m.case == case and m.patients]
        asserted = [m for m in patient if m.span._.assertion in ("confirmed", "history")]
        current = [m for m in asserted if m.span._.assertion == "confirmed"]
        combined = {}  # every mention's combination from the codes before any changes
        for mention in (m for m in patient if m.code in context.presumed):
            for code, groups, together in context.presumed[mention.code]:
                # named together (a history list; `current`: both now, a past stone is no hydronephrosis's),
                # or current: a past pneumonia is no COPD's infection now
                if together == "current" and mention not in current:
                    continue
                pool = current if together == "current" else asserted
                with_it = [m for m in pool if m.span.sent == mention.span.sent] if together else current
                found = [next((m for m in with_it if m.code.startswith(group)), None) for group in groups]
                # a sentence that gives it a cause must name the other condition as that cause
                # (`anemia attributed to CKD`; never `anemia due to GI bleeding … and CKD`)
                # and a partner given another cause is no partner (`angina due to aortic stenosis`)
                if all(found) and (
                    _cause_follows(mention)
                    and not any(_caused_by(mention, m, mentions) for m in found)
                    or any(_cause_follows(m, strictly=True) and not _caused_by(m, mention, mentions) for m in found)
                ):
                    continue
                if all(found):
                    combined[id(mention)] = code, " and ".join(m.span._.normalized or m.span.text for m in found)
                    break
        for mention in (m for m in patient if id(m) in combined):
            mention.code, names = combined[id(mention)]
            mention.evidence += f" (with the patient's {names})"


SITE_LEADS = frozenset({"of", "in", "involving", "affecting"})  # a condition's site phrase starts so
SITE_WORDS = 6  # tokens at most of that phrase, the lead included


def joined_by_with(context: ArticleContext, mentions: list[Mention], titles: dict[str, str]) -> None:
    """A condition the sentence joins to a complication, another condition right after `with` or
    `complicated by` (`a duodenal ulcer with bleeding`, K26.4; `ulcerative colitis with rectal bleeding`, K51.911), the
    words after `with` where no condition was recognised (`gastric ulcer with perforation`), or
    an adjective condition right before it (`bleeding duodenal ulcer`), takes its "with" code for
    that complication: the text says the link, for every category (not only those ICD-10-CM
    presumes). The complication takes the combination code too, unless its note asks for the
    complication's own; never one the text says is past, feared, absent or another's (`not_now`)."""
    by_start = {m.span.start: m for m in mentions}
    by_end = {m.span.end: m for m in mentions}
    for mention in mentions:
        span, doc = mention.span, mention.span.doc
        at = _past_its_site(span, by_start)  # `angiodysplasia of the ascending colon` with …
        joiner = _joiner(doc[at : min(at + 2, span.sent.end - 1)])
        # `with` and the words up to the complication (`with acute exacerbation`), or the words
        # themselves where no condition was recognised there (`with perforation`)
        words = []
        for token in doc[at + joiner : min(at + joiner + 4, span.sent.end)] if joiner else ():
            if not token.is_alpha or token.i in by_start or token.lower_ in ("and", "or", "but"):
                break
            words.append(token.lower_)
        after = by_start.get(at + joiner + len(words)) if joiner else None
        other = after or (None if words else by_end.get(span.start))
        said_as = (other.span._.assertion, mention.span._.assertion) if other is not None else ()
        if other is mention or said_as and said_as not in SAID_ALIKE:
            continue  # the complication said as past (of a current condition), hypothetical or negated
        words += [t.lower_ for t in other.span] if other else []
        following = [t.lower_ for t in doc[at + joiner + len(words) : at + joiner + 4 + len(words)]]
        if not words or NOT_SAID.intersection(words) or context.not_now.intersection([*words, *following]):
            continue  # `with no bleeding`, `with a history of bleeding`, `with bleeding two years earlier`
        # the complication's own code (not a combination it was given), its title's `without` aside
        refinement = context.with_named(mention.code, words, titles.get(other.name_code, "") if other else "")
        if refinement:
            mention.code = refinement.code
            mention.evidence += f" (with {' '.join(words)})"
            if other is not None and other.code[:3] != refinement.code[:3] and not refinement.coded_apart(other.code):
                other.code = refinement.code  # the complication is the combination's too
                other.evidence += f" (a complication of the patient's {mention.name})"


def _past_its_site(span, others: Container[int]) -> int:
    """Where the site phrase hanging on a condition ends (`of the ascending colon`, `in the
    stomach`), if a complication is joined after it; else the condition's own end."""
    doc, end = span.doc, span.sent.end
    if span.end >= end or doc[span.end].lower_ not in SITE_LEADS:
        return span.end
    i = span.end + 1
    while i < min(end, span.end + SITE_WORDS) and doc[i].is_alpha and i not in others:
        if doc[i].lower_ in PHRASE_ENDS or doc[i].lower_ in ("and", "or"):  # `… of the colon and a polyp`
            break
        i += 1
    return i if i < end and _joiner(doc[i : i + 2]) else span.end


def _joiner(tokens) -> int:
    """How many words join a condition to its complication right after it: `with`, or
    `complicated by` (`… with`), as case reports say it (0: none)."""
    words = [t.lower_ for t in tokens]
    if words[:1] == ["with"]:
        return 1
    return 2 if words[:1] == ["complicated"] and words[1:2] in (["by"], ["with"]) else 0


def caused_complications(context: ArticleContext, mentions: list[Mention], titles: dict[str, str]) -> None:
    """A complication the sentence says another condition of the patient caused (`melena from
    gastric antral vascular ectasia`, `hemorrhage due to a duodenal ulcer`) makes that condition's
    "with" code for it (K31.811, K26.4), both mentions, as `joined_by_with` does for `… with
    bleeding`: ICD-10-CM's combination code (Official Guidelines I.B.9). Both said as current, or
    both as past; never one the words before it say is past or feared."""
    for complication in (m for m in mentions if m.code and m.code == m.name_code and not _said_as_past(m, context)):
        end = complication.span.end
        after = [m for m in mentions if m.code and 0 <= m.span.start - end <= CAUSE_GAP]  # the few it may name
        cause = next((m for m in after if _caused_by(complication, m, mentions)), None)
        cause = cause or (_right_after_from(complication, after) if after else None)
        if cause is None or HYPOTHETICAL.intersection(t.lower_ for t in complication.span.sent):
            continue  # `to prevent bleeding from the ulcer`, `could arise from`, `a common complication`
        said_as = (cause.span._.assertion, complication.span._.assertion)
        if said_as not in SAID_ALIKE or cause.code[:3] == complication.code[:3]:
            continue  # negated or hypothetical, or one past and one current
        words = [t.lower_ for t in complication.span]
        refinement = context.with_named(cause.code, words, titles.get(complication.name_code, ""))
        if refinement and not refinement.coded_apart(complication.code):
            cause.code, complication.code = refinement.code, refinement.code
            cause.evidence += f" (with {complication.span._.normalized or complication.span.text})"
            complication.evidence += f" (a complication of the patient's {cause.name})"


def _right_after_from(complication: Mention, mentions: list[Mention]) -> Mention | None:
    """The condition `from` names right after a complication (`hemorrhage from a gastric ulcer`): its
    article or a word or two of its name between, no punctuation."""
    span = complication.span
    doc, end = span.doc, span.sent.end
    if span.end >= end or doc[span.end].lower_ != "from":
        return None
    starts = {m.span.start: m for m in mentions}
    for i in range(span.end + 1, min(end, span.end + 4)):
        if i in starts:
            return starts[i]
        if not doc[i].is_alpha:
            return None
    return None


def _caused_by(complication: Mention, cause: Mention, mentions: list[Mention]) -> bool:
    """Whether the sentence names `cause` as the condition's cause: after it, a few words on,
    with a word that says so (`CKD attributed to type 2 diabetes`) and no other condition nor a
    drug between them (never `polyneuropathy after cisplatin` in a patient with diabetes, nor
    `neuropathy after radiotherapy and diabetes`)."""
    span, other = complication.span, cause.span
    if other.start < span.end or other.start - span.end > CAUSE_GAP:
        return False
    words = " ".join(t.lower_ for t in span.doc[span.end : other.start])
    if not any(f" {cue} " in f" {words} " for cue in CAUSE_CUES) or span.sent != other.sent:
        return False  # the cheap tests first: it is asked of every pair of conditions
    between = range(span.end, other.start)
    drugs = any(e.start in between for e in span.doc.ents if e.label_ == DRUG)
    return not drugs and not any(m.span.start in between for m in mentions)


def named_more_specifically(context: ArticleContext, mentions: list[Mention], titles: dict[str, str]) -> None:
    """A condition coded unspecified that the same sentence names more specifically for the
    patient, as a code of its category whose title holds its name (`lupus nephritis`, M32.14,
    `in a woman with systemic lupus erythematosus`: Glomerular disease in systemic lupus
    erythematosus), takes that code; else the one such code the article says plainly for the
    patient (`acne vulgaris`, then `the acne`: code to the most specific form documented); never
    another condition of the category (`atrial fibrillation` beside `typical atrial flutter`)."""
    words_of = {code: title_words(titles.get(code, "")) for code in {m.code for m in mentions}}
    # what a title says besides that nothing more is (`Chronic kidney disease, stage 3 unspecified`
    # says stage 3, which a stage 2 does not hold)
    said_of = {code: title_words(WITHOUT_CLAUSE.sub("", titles.get(code, ""))) - {"unspecified"} for code in words_of}
    patients = [m for m in mentions if m.patients and m.code]
    for mention in (m for m in patients if not m.span._.subject and words_of[m.code] & {"unspecified", "without"}):
        same_category = [
            m
            for m in patients
            if m.code[:3] == mention.code[:3]
            and m.code != mention.code
            and m.case == mention.case
            and "unspecified" not in words_of[m.code]
            and mention.words | said_of[mention.code] <= words_of[m.code]
            and m.span._.assertion == mention.span._.assertion
            and not _said_as_past(m, context)
        ]
        sentence = mention.span.sent if same_category else None  # walked only where it may matter
        specific = {m.code for m in same_category if sentence.start <= m.span.start < sentence.end}
        where = "its sentence"
        if not specific:  # else the one more specific form the article names for the patient
            specific, where = {m.code for m in same_category if m.plainly_said}, "the article"
        if len(specific) == 1:
            mention.code = specific.pop()
            mention.evidence += f" (named more specifically in {where})"


def _cause_follows(mention: Mention, strictly: bool = False) -> bool:
    """Whether the words right after a condition give it a cause (`anemia due to …`, `the
    anemia was attributed to …`) or, unless `strictly`, a time it followed (`anemia after
    surgery`; a trigger, `hemolysis after fava beans`, is no other cause of G6PD's anemia)."""
    doc, end = mention.span.doc, mention.span.sent.end
    i = past_hedges(mention.span, mention.span.end, end)
    words = " ".join(t.lower_ for t in doc[i : min(end, i + 2)])
    return words in CAUSE_CUES or not strictly and words.split(" ")[0] in ("after", "following", "from")


def _said_as_past(mention: Mention, context: ArticleContext) -> bool:
    """Whether the words just before a condition say it is past or feared (`a history of`)."""
    doc, start = mention.span.doc, mention.span.start
    return bool(context.not_now.intersection(t.lower_ for t in doc[max(mention.span.sent.start, start - 3) : start]))
