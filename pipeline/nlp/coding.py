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
MeSH synonym that holds its descriptor's name, the descriptor's code (the evidence says so:
`hepatitis b virus infection → hepatitis b`).
The coder reads the name the pipeline gave the condition (abbreviations already expanded), in
American spelling, and takes the most specific name the index knows: the whole name, then the
name without the words before it that never say which condition (`severe acute pancreatitis` →
`acute pancreatitis`, `community-acquired pneumonia` → `pneumonia`; never an organism, a site or
`history of`), never a name too general to code by itself (`disease`, `syndrome`); a name that
says `malignant` never takes a benign code (`malignant meningioma` → C70.9, not D32.9). Then what
the article says of the condition makes the code more specific (`code_context.py`: a site, type or
cause said of it; `code_patient.py`: the type a longer name of the patient's condition says, a
complication, another valve's disease or a combination of the same patient, the diagnosis a sign
is part of; a past condition coded as old; a newborn's, `code_newborn.py`; `code_causes.py`: the
disease, drug or procedure that caused it), a tumour no vocabulary names is coded by its site and
behaviour, or by the site of the patient's other tumours (`neoplasm_sites.py`), a name no
vocabulary knows by its main term where no word before it changes the code (`hemorrhagic
cystitis` → cystitis), and a side said of it or of its organ picks that side's code
(`code_sides.py`). A condition none of these reach stays uncoded.

Why by hand: scispaCy's entity linker needs UMLS knowledge bases fetched at run time, and the
code sets' own search is by words (a bag-of-words hit is a guess, not a code).
"""

from __future__ import annotations

import re
from collections.abc import Container
from dataclasses import replace
from functools import lru_cache
from itertools import zip_longest

import numpy
from spacy.attrs import LOWER
from spacy.language import Language
from spacy.tokens import Doc, Span

from ..cases import patient_of, segment_cases
from .code_causes import Causes
from .code_context import Mention, attached_words, coordinated_names, is_word, title_words, where_it_is, words_after
from .code_history import personal_history
from .code_newborn import newborn_form, newborn_patients
from .code_patient import across_the_patient
from .code_sides import Sides
from .code_tables import FILES, code_index
from .concepts import Codes, own_ids
from .data_files import DataFiles
from .name_forms import as_one_word, fold_name, inverted, plurals, singulars
from .neoplasm_sites import malignant_form
from .values import DISEASE, DRUG, _ext

_ext(Span, "codes")

INFECTIOUS = tuple("AB") + ("J09", "J10", "J11", "U07")  # chapter 1, influenza, COVID-19
LOOKED_UP = 50_000  # names remembered at most (a few MB)
PARENTHESIS = re.compile(r"\s*[(\[][^)\]]*[)\]]")
# chapters whose codes are never a disease's main term: symptoms and signs (a word before one often
# makes a disease of it), external causes, circumstances (Z65.3 `arrest`)
MAIN_TERMS_NOT = frozenset("RVWXYZ")


@Language.factory(
    "casextract_coder",
    default_config=FILES,
    # a lab result's `loinc` is written on the LabResult both doc._.lab_results and span._.lab hold
    assigns=["span._.codes", "token.ent_kb_id", "doc._.lab_results", "span._.lab"],
    requires=["doc.ents", "span._.normalized", "doc._.demographics"],
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
    nonspecific: str,
    sides: str,
    laterality: str,
    refinements: str,
    context: str,
    organs: str,
    morphology: str,
    abbreviations: str,
    main_term_stops: str,
    microbes: str,
    blocks: str,
    poisonings: str,
) -> Coder:
    arguments = locals()  # the config's file arguments, one per FILES key
    return Coder({key: arguments[key] for key in FILES})


class Coder(DataFiles):
    def __init__(self, files: dict[str, str] | None = None):
        self.files = FILES | (files or {})

    def load(self, files: dict[str, str]) -> None:
        self.__dict__.update(code_index(*(files[name] for name in FILES)))
        self.looked_up: dict[str, Codes | None] = {}  # a name's codes, once per name and process
        # a word's first word as the index writes it (`oesophageal` → `esophageal`, `drug-induced` → `drug`)
        self.first_word = lru_cache(maxsize=LOOKED_UP)(lambda word: next(iter(fold_name(word, self.folds).split()), ""))
        self.side_rules = Sides(self.sides, self.side_words, self.titles)
        self.causes = Causes(self.context, self.condition, self.drugs.__contains__, self.procedures, self.titles)

    def __call__(self, doc: Doc) -> Doc:
        self.ready()
        conditions = self.coded_conditions(doc)
        ents = []
        for ent in doc.ents:
            codes = conditions.get(ent.start)
            if ent.label_ == DRUG:
                codes = self.drug(ent._.normalized or ent.text.lower())
            if codes and codes.icd10cm:  # its block, its category's
                block, title = self.blocks.get(codes.icd10cm[:3], ("", ""))
                codes = replace(codes, icd10cm_block=block, icd10cm_block_title=title)
            kb_id = (codes.icd10cm or codes.drugbank_id) if codes else ""
            coded = Span(doc, ent.start, ent.end, label=ent.label, kb_id=kb_id) if kb_id else ent
            coded._.codes = codes
            ents.append(coded)
        doc.ents = ents
        for result in doc._.lab_results or ():
            result.loinc = self.labs.get(result.name or result.test._.normalized or "", "")
        return doc

    def coded_conditions(self, doc: Doc) -> dict[int, Codes | None]:
        """Each condition's codes (by its first token): from its name, made more specific by its phrase and the
        patient's other mentions (`code_context.py`), then its side."""
        diseases = [ent for ent in doc.ents if ent.label_ == DISEASE]
        in_conditions = {i for ent in diseases for i in range(ent.start, ent.end)}
        starts = {ent.start for ent in diseases}
        drugs = {ent.start: (ent._.normalized or ent.text).lower() for ent in doc.ents if ent.label_ == DRUG}
        other_cause = self.other_cause_tokens(doc) if diseases else set()
        article = doc._.article
        cases = segment_cases(article) if article is not None else []
        several = len({c.case for c in cases}) > 1  # a report of one patient: every mention is theirs
        newborns = newborn_patients(doc.text, doc._.demographics, cases, several)
        coded, mentions, phrases = {}, [], {}
        for ent in diseases:
            name = ent._.normalized or ent.text
            phrase = phrases[ent.start] = attached_words(ent, self.words_before, in_conditions, self.context)
            bare = self.condition(name)
            codes = self.poisonings.coded(ent, drugs, self.titles) or self.as_history(name, ent)
            codes = codes or self.refined(bare, ent, in_conditions)
            if not (codes and codes.icd10cm):
                codes = self.abbreviated(ent) or self.coordinated(name) or codes
            if not (codes and codes.icd10cm) or self.neoplasms.site_unknown(codes.icd10cm_title):
                codes = self.by_site(name, ent, codes, phrase) or codes
            if not (codes and codes.icd10cm):
                codes = self.main_term(name, codes) or codes
            coded[ent.start] = codes
            code = codes.icd10cm if codes else ""
            mention = Mention(ent, code, code, codes.evidence if codes else "", title_words(name))
            mention.bare_code = bare.icd10cm if bare else ""
            if code.startswith("D49."):  # a bare tumour: its organ (`tumour_sites`)
                mention.organ = self.neoplasms.only_organ(fold_name(" ".join(phrase), self.folds).split())
            if code and (refinement := self.context.in_phrase(code, where_it_is(code, phrase, ent[-1].lower_))):
                mention.code, mention.said = refinement.code, refinement
                mention.evidence += f"; {refinement.said} said of it"
            elif code and (caused := self.causes.code_of(ent, code, name, starts, drugs)):
                mention.code, mention.evidence = caused.code, f"{mention.evidence}; caused by {caused.by}"
            mention.current = self.is_current(ent)
            mention.complication = mention.current and ent.start not in other_cause
            mention.plainly_said = ent._.assertion in ("confirmed", "history") and ent.start not in other_cause
            mention.case = patient_of(article, cases, ent.start_char) if several else None
            term = mention.evidence.split(" → ")[0].split(";")[0]
            newborns_own = mention.case in newborns and not ent._.subject and mention.code == mention.bare_code
            if code and newborns_own and (neonatal := newborn_form((name.lower(), term), self.condition)):
                mention.code, mention.evidence = neonatal.icd10cm, f"{neonatal.evidence} (a newborn's)"
            mentions.append(mention)
        across_the_patient(self.context, mentions, self.titles)
        self.cultures.grown(self.context, mentions)  # `blood cultures grew` its organism
        self.tumour_sites(mentions)
        personal_history(self.history, mentions, self.titles)  # once every site is known
        for mention in mentions:
            codes = coded[mention.span.start]
            if codes and mention.code != codes.icd10cm:
                title = self.titles.get(mention.code, "")
                codes = replace(codes, icd10cm=mention.code, icd10cm_title=title, evidence=mention.evidence)
            phrase = where_it_is(mention.code, phrases[mention.span.start], mention.span[-1].lower_)
            coded[mention.span.start] = self.on_side(codes, phrase, mention.span, in_conditions)
        return coded

    def coordinated(self, name: str) -> Codes | None:
        """ICD-10-CM's combination code of a name that joins two (`mitral and tricuspid regurgitation`, I08.1)."""
        parts = [self.condition(part) for part in coordinated_names(name)]
        code = self.context.valves_code(p.icd10cm for p in parts if p) if parts and all(parts) else ""
        evidence = " + ".join(p.evidence for p in parts if p)
        return Codes(icd10cm=code, icd10cm_title=self.titles.get(code, ""), evidence=evidence) if code else None

    def tumour_sites(self, mentions: list[Mention]) -> None:
        """A tumour named without its site (`the carcinoma`, C80.1) is the patient's tumour of the one site their other
        mentions name (`lung adenocarcinoma`), by its own cell type where their names say the organ; a bare tumour of
        an organ (`the ovarian tumour`, D49.59) only by their tumour of it."""
        for mention in (m for m in mentions if self.neoplasms.from_the_patient(m.code) and not m.span._.subject):
            tumours = [(m.name, m.code) for m in mentions if m.case == mention.case and m.patients]
            code, names = self.neoplasms.patients_site(mention.code, mention.name, tumours)
            if (
                not code
                or mention.code.startswith("D49.")
                and mention.organ
                and code[:3] not in self.neoplasms.categories_of(mention.organ, self.condition)
            ):
                continue
            organ = self.neoplasms.only_organ(fold_name(" ".join(names), self.folds).split())
            own = self.by_site(mention.name, mention.span, None, [organ]) if organ else None
            mention.code = own.icd10cm if own and own.icd10cm[:3] == code[:3] else code
            mention.evidence += "; the site of the patient's other tumours"

    def abbreviated(self, span: Span) -> Codes | None:
        """The codes of a condition named by an abbreviation the article leaves undefined, written in capitals (`AKI` →
        acute kidney injury; `condition_abbreviations.json`)."""
        if sum(char.isupper() for char in span.text) < 2:
            return None
        expansion = self.abbreviations.get(span.text.lower())
        codes = self.condition(expansion) if expansion else None
        if not (codes and codes.icd10cm):
            return None
        return replace(codes, evidence=f"{span.text.lower()} → {codes.evidence}")

    def is_current(self, span: Span) -> bool:
        """Whether a condition is current, said or suspected, as a diagnosis or a symptom: one that may be the
        complication of a "with" code (where no other cause, nor a hypothesis, is in its sentence: `polyneuropathy
        after cisplatin`; or where it names the diabetes as the cause)."""
        return span._.assertion in ("confirmed", "suspected") and span._.fact_type in ("diagnosis", "symptom")

    def other_cause_tokens(self, doc: Doc) -> set[int]:
        """The tokens of the sentences that give a condition another cause or make it hypothetical (the cue words found
        by their hashes in one pass over the Doc's array)."""
        cues = numpy.fromiter((doc.vocab.strings[word] for word in self.other_cause), dtype=numpy.uint64)
        found = numpy.flatnonzero(numpy.isin(doc.to_array(LOWER), cues))
        sentences = {(doc[int(i)].sent.start, doc[int(i)].sent.end) for i in found}
        return {i for start, end in sentences for i in range(start, end)}

    def by_site(self, name: str, span: Span, own: Codes | None, phrase: list[str]) -> Codes | None:
        """The code of a condition no vocabulary names, by its organ (`neoplasm_sites.py`): a tumour by site and
        behaviour, with the organ its phrase names (`duodenal` adenocarcinoma, adenocarcinoma `of the stomach`); an
        organ adjective as the organ's noun; a name without a code, or a benign tumour of unspecified site, with the
        organ its phrase names (`fibrosis of the liver`; `hemangioma of the liver`, D18.03). Its own DO and MeSH ids
        stay."""
        folded = fold_name(name, self.folds)
        written = fold_name(" ".join(phrase), self.folds)
        tumours = self.neoplasms.tumour_names(folded, written)
        unknown = not (own and own.icd10cm) or own.icd10cm[0] == "D" and self.neoplasms.site_unknown(own.icd10cm_title)
        organs = self.neoplasms.with_organ(folded, written) if unknown else []
        for candidate in [*self.neoplasms.by_organ_word(folded), *tumours, *organs]:
            codes = self.condition(candidate)
            if codes and codes.icd10cm:
                return replace(codes, evidence=f"{folded} → {codes.evidence}", **own_ids(own))
        return None

    def main_term(self, name: str, own: Codes | None) -> Codes | None:
        """The code of a name no vocabulary knows by its main term, as a coder takes it where the Alphabetic Index has
        no subterm for the words before it: the name without its first words, one at a time (`hemorrhagic cystitis` →
        `cystitis`, N30.90), never past a word that changes the code (`main_term_stops.txt`: `congenital`, a cause, a
        behaviour; a drug), nor down to a name too general to code or to a sign's or a circumstance's code
        (`argentine hemorrhagic fever` is no R50.9, `sinus arrest` no Z65.3), but to a name its site there refines
        (`sigmoid diverticulitis`: K57.32); in a name joined by a preposition, only a tumour before it (`melanoma of
        the back`, C43.9) or a name its site refines. Its own DO and MeSH ids stay."""
        words = fold_name(name, self.folds).split()
        # a tumour coded by its own category, not one coded by a site it leaves unknown (C80.1)
        if head := self.neoplasms.tumour_head(words, self.joining, self.condition):
            return replace(head, evidence=f"{' '.join(words)} → {head.evidence} (its tumour)", **own_ids(own))
        if (cut := next((i for i, word in enumerate(words) if word in self.joining), None)) is not None:
            return self.head_at_its_site(words[:cut], words[cut:], own)
        if len(words) < 2:
            return None
        for first in range(1, len(words)):
            rest, left_off = " ".join(words[first:]), words[first - 1]
            stops = left_off in self.main_term_stops or left_off.endswith(self.main_term_stop_endings)
            if stops:
                return self.head_at_its_site(words[first:], words[:first], own, sites_only=True)
            if left_off in self.drugs or rest in self.too_general:
                return None
            # an acuity the name starts with, kept where the Index has it (`acute erosive gastritis` → K29.00)
            acuity = self.condition(f"{words[0]} {rest}") if words[0] in self.acuity and first > 1 else None
            codes = acuity if acuity and acuity.icd10cm else self.condition(rest)
            if codes and codes.icd10cm:
                if codes.icd10cm[0] in MAIN_TERMS_NOT:  # a symptom's main term, a circumstance's
                    return None
                return replace(codes, evidence=f"{' '.join(words)} → {codes.evidence} (its main term)", **own_ids(own))
        return None

    def head_at_its_site(self, head: list[str], site: list[str], own: Codes | None, sites_only=False) -> Codes | None:
        """A name holding its site coded as its head where the site refines it (`cellulitis of the left leg`,
        `sigmoid diverticulitis`), says only its organ's side (`… of the left eye`) or the head is coded by cell
        type (`esophageal MALT lymphoma`); else none."""
        codes = self.condition(" ".join(head)) if head else None
        if not (code := codes.icd10cm if codes else ""):
            return None
        name = " ".join([*site, *head] if sites_only else [*head, *site])
        if self.neoplasms.kept_after_an_organ(code) if sites_only else self.side_rules.only_a_side(code, site):
            return replace(codes, evidence=f"{name} → {codes.evidence}", **own_ids(own))
        refined = self.context.in_phrase(code, site)
        if refined is None or refined.kind != "said" or sites_only and not self.context.is_site(refined):
            return None
        title, said = self.titles.get(refined.code, ""), f"{name} → {codes.evidence}; {refined.said} said of it"
        return replace(codes, icd10cm=refined.code, icd10cm_title=title, evidence=said, **own_ids(own))

    def as_history(self, name: str, span: Span) -> Codes | None:
        """A condition of the patient's past that ICD-10-CM codes as such (`old myocardial infarction`)."""
        if not self.history.said_as_past(span):  # the same reading as a personal history's
            return None
        codes = self.condition(f"old {name.removeprefix('acute ')}")  # a past acute one is old now
        return codes if codes and codes.icd10cm else None

    def condition(self, name: str) -> Codes | None:
        if name not in self.looked_up:
            if len(self.looked_up) > LOOKED_UP:
                self.looked_up.clear()
            codes = self.by_name(name)
            self.looked_up[name] = (
                codes if codes and codes.icd10cm else malignant_form(name, codes, self.condition, self.titles) or codes
            )
        return self.looked_up[name]

    def by_name(self, name: str) -> Codes | None:
        """The codes of the most specific name the index knows within `name`, or None: the name as written, then without
        the words before it that never say which condition (`nonspecific_modifiers.txt`), the first with an ICD-10-CM
        code (`community-acquired pneumonia` → J18.9), else the first known at all. Of the ways one name is written
        (`cataracts`, `cataract`), the one with an ICD-10-CM code."""
        known = [[t for t in spellings if t in self.conditions] for spellings in self.spellings(name)]
        known = [terms for terms in known if terms]
        if not known:
            return self.infection(name) or self.by_genus(name)
        term = next((t for terms in known for t in terms if self.conditions[t][0]), known[0][0])
        icd10cm, doid, mesh_id, coded_as = self.conditions[term]
        if not doid and not mesh_id:  # the ICD-10-CM code of a shorter name; the name's own ids
            doid, mesh_id = self.conditions[known[0][0]][1:3]
        evidence = f"{term} → {coded_as}" if coded_as else term
        return Codes(
            icd10cm=icd10cm, icd10cm_title=self.titles.get(icd10cm, ""), doid=doid, mesh_id=mesh_id, evidence=evidence
        )

    def spellings(self, name: str) -> list[list[str]]:
        """`names_within` the name, and of a hyphenated one or one with a prefix written apart also as one word
        (`schizo-affective disorder`, `schizoaffective disorder`; `pre eclampsia`), and of `H of the M` also as `M H`
        (`abscess of the liver`), level by level."""
        levels = self.names_within(fold_name(name, self.folds))
        for other in [n for n in dict.fromkeys((as_one_word(name), inverted(name, self.side_words))) if n != name]:
            written_so = self.names_within(fold_name(other, self.folds))
            levels = [[*written, *so] for written, so in zip_longest(levels, written_so, fillvalue=[])]
        return levels

    def by_genus(self, name: str) -> Codes | None:
        """`pseudomonas aeruginosa pneumonia`: a condition named with its organism's genus and species that the code set
        names by the genus alone (Pneumonia due to Pseudomonas, J15.1), for a genus whose species never change the
        category (`code_context.json`: never `streptococcus agalactiae pneumonia` as pneumococcal)."""
        words = fold_name(name, self.folds).split()
        by_genus = len(words) > 2 and words[0] in self.coded_by_genus
        codes = self.condition(" ".join([words[0], *words[2:]])) if by_genus else None
        return replace(codes, evidence=f"{' '.join(words)} → {codes.evidence}") if codes and codes.icd10cm else None

    def infection(self, name: str) -> Codes | None:
        """`varicella infection`: an infectious disease's name with `infection` after it is that disease (A00–B99,
        influenza, COVID-19), never another category's (`wound infection`)."""
        written = name.strip().lower()
        disease = re.sub(r" infections?$", "", written)
        codes = self.condition(disease) if disease != written else None
        if codes and codes.icd10cm.startswith(INFECTIOUS):
            return replace(codes, evidence=f"{written} → {codes.evidence}")
        return None

    def refined(self, codes: Codes | None, span: Span, others: Container[int] = ()) -> Codes | None:
        """The code of a longer name the words just after the condition (the most first, never another condition's:
        `others`) and just before it (the most first) make with it, where the index knows that name (`ovarian
        endometriosis` where the recogniser found `endometriosis`: N80.1-, not N80.9; `liver metastases`: C78.7, not
        C79.9; `complete heart block`: I44.2, not I45.9; `alopecia totalis`: L63.0, not L65.9; `chronic hepatitis C`;
        `chronic calcific pancreatitis`: K86.1, chronic pancreatitis, not K85.90), the name itself coded or not
        (`hypoglossal nerve palsy`)."""
        name, doc = span._.normalized or span.text, span.doc
        befores = []  # the runs of words before it that a name the index knows may start with
        for first in range(self.context_start(span), span.start):
            if self.first_word(doc[first].lower_) not in self.first_words:  # `post-transplant`: `posttransplant`
                continue  # no name the index knows starts with it: nothing to look up
            before = doc[first : span.start]
            alternative = first > 0 and doc[first - 1].lower_ == "or"  # `acute or chronic`: neither is said
            # words, hyphenated or not, and numbers (`type 1 diabetes`, `post-transplant`)
            if not alternative and all(is_word(t) or t.is_digit for t in before):
                befores.append(before.text)
        # an acuity with the name, past the words between (`chronic calcific pancreatitis` → chronic pancreatitis)
        befores += [b.split()[0] for b in befores if b.split()[0].lower() in self.acuity and " " in b]
        for after in words_after(span, self.later_words, others, self.part_words):
            for before in [*befores, ""] if after else befores:
                wider = self.condition(" ".join(part for part in (before, name, after) if part))
                if wider and wider.icd10cm and (codes is None or wider.icd10cm != codes.icd10cm):
                    return wider
        # the rest of its name split off as a condition of its own (`herpes simplex` `encephalitis`,
        # `vitamin B12 deficiency` `anemia`): the name the index knows for the two is its code
        own = codes.icd10cm if codes else ""
        for after in words_after(span, self.later_words, (), self.part_words)[:-1] if span.end in others else ():
            wider = self.condition(f"{name} {after}")
            if wider and wider.icd10cm and wider.icd10cm != own:
                return wider
        return codes

    def context_start(self, span: Span) -> int:
        """Where the words that may qualify a condition start: a few before it, in its sentence."""
        return max(span.start - self.words_before, span.sent.start)

    def on_side(self, codes: Codes | None, phrase: list[str], span: Span, others: Container[int]) -> Codes | None:
        """The code of the side said of the condition or of its organ (`code_sides.py`)."""
        side, code = self.side_rules.coded(codes.icd10cm, phrase, span, others) if codes else ("", "")
        if not code:
            return codes
        return replace(
            codes, icd10cm=code, icd10cm_title=self.titles.get(code, ""), evidence=f"{codes.evidence} ({side})"
        )

    def names_within(self, name: str) -> list[list[str]]:
        """The ways to write `name` (as written, without its parenthesis and a stage word it ends with, `AKI stage`, in
        the singular, in the plural), then the same with each phrase before it that never says which condition left
        off, one at a time, while what is left is not too general to code by itself; last, the name after its acuity
        (`chronic asthma` → `asthma`), where the index has no name for that acuity."""
        words = PARENTHESIS.sub("", name).split()
        words = words[:-1] if len(words) > 1 and words[-1] in self.context.stage_words else words
        whole = " ".join(words)
        names = [[name, whole, *singulars(whole), *plurals(whole)]]
        start = 0
        while start < len(words) and (
            modifier := next(
                (m for m in self.nonspecific.get(words[start], ()) if tuple(words[start : start + len(m)]) == m), None
            )
        ):
            start += len(modifier)
            rest = " ".join(words[start:])
            if not rest or rest in self.too_general:
                break
            names.append([rest, *singulars(rest)])
        rest = " ".join(words[start + 1 :])
        if start < len(words) and words[start] in self.acuity and rest and rest not in self.too_general:
            names.append([rest, *singulars(rest)])
        return [list(dict.fromkeys(spellings)) for spellings in names]

    def drug(self, generic: str) -> Codes | None:
        if generic not in self.drugs:
            return None
        drugbank_id, mesh_id = self.drugs[generic]
        return Codes(drugbank_id=drugbank_id, mesh_id=mesh_id, evidence=generic)
