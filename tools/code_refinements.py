"""The table the coder refines a code with from the article (`pipeline/resources/icd10cm_refinements.tsv.gz`),
built by tools/build_code_index.py from the ICD-10-CM titles alone:

- `said` rows: for a code, each code of its category (or titled "… due to" a cause, in another)
  whose title says more and nothing else
  (`Crohn's disease, unspecified, without complications` → `Crohn's disease of small intestine
  without complications`, words `small intestine`; `Cleft palate, unspecified` → `Cleft soft
  palate`, word `soft`). The more specific title may only drop words that say nothing was named
  (`unspecified`, `site`); what it adds must be said in the condition's sentence for the coder to take it.
- `in_disease` rows: for a code, the code ICD-10-CM gives the same condition when another disease
  causes it (`Polyneuropathy, unspecified` → `Polyneuropathy in diseases classified elsewhere`, G63).
- `with` rows (`also`: the codes the combination's own `Use additional code` note asks for, a
  complication coded apart): for a code in its form without complications (`Type 2 diabetes mellitus without
  complications`), each code of its category "with" a complication (`… with diabetic
  polyneuropathy`, words `diabetic polyneuropathy`): ICD-10-CM presumes the link between
  conditions its titles join by "with" (Official Guidelines I.A.15), so a complication named as
  a condition of the same article takes the combination code.
"""

from __future__ import annotations

import re

from pipeline.nlp.code_context import WITHOUT_CLAUSE, singular, title_words, written_words

# words a more specific title may leave out: they only say that nothing more was named
GENERIC = {
    "unspecified",
    "site",
    "sites",
    "part",
    "parts",
    "type",
    "organism",
    "cause",
    "location",
    "joint",
    "limb",
    "nos",
}
# a title that adds one of these says "some other" or a side (the coder's side table takes sides)
NEVER_ADDED = {
    "with",
    "other",
    "specified",
    "elsewhere",
    "classified",
    "unspecified",
    "without",
    "right",
    "left",
    "bilateral",
    "unilateral",
}
IN_DISEASES = re.compile(r"(?P<stem>[^,]+?) in (?:other )?diseases classified elsewhere", re.IGNORECASE)
NOT_IN_REMISSION = re.compile(r",? not having achieved remission", re.IGNORECASE)
# a code's form with no complication: `… without complications`, `…, uncomplicated`, or the
# category's `…, unspecified` where its other titles add `with …` to the same name (Chronic
# obstructive pulmonary disease, unspecified → … with (acute) exacerbation, J44.1)
WITHOUT = re.compile(
    r"^(?P<stem>.+?)(?:,? without (?:complications?|.*)|, uncomplicated|, unspecified)$", re.IGNORECASE
)
# `…, unspecified whether with hypoxia or hypercapnia`: says neither, as `unspecified` does
UNSPECIFIED_WHETHER = re.compile(r",? unspecified whether (with )?.*$", re.IGNORECASE)


def refinement_rows(icd, codes: set[str]) -> list[str]:
    lines = ["code\trefined\tkind\twords\talso"]
    due_to = _codes_due_to(icd)
    in_diseases = _codes_in_diseases(icd)
    for code in sorted(codes):
        if not icd.is_valid_item(code) or not icd.is_leaf(code):
            continue
        title = icd.get_description(code)
        # a leukemia's or myeloma's default state says nothing was said (`… in remission` says more)
        own = with_words(UNSPECIFIED_WHETHER.sub(r" \1", NOT_IN_REMISSION.sub("", title)))
        without = WITHOUT.match(title)
        stems = _with_stems(title, without["stem"]) if without else []
        organ = _organ_words(icd, code)
        # the category's codes, and a cause's own code elsewhere (`Pneumonia, unspecified organism`
        # → `Pneumonia due to Klebsiella pneumoniae`, J15.0), each once
        for other in dict.fromkeys([*_leaves(icd, code[:3]), *due_to.get(title.split(",")[0].lower(), ())]):
            if other == code:
                continue
            other_title = icd.get_description(other)
            theirs = with_words(other_title)
            added = theirs - own
            part_of = organ if other[:3] == code[:3] else set()  # a part of the category's organ
            if added and not added & NEVER_ADDED and own - theirs <= GENERIC | part_of:
                lines.append(f"{code}\t{other}\tsaid\t{' '.join(in_title_order(other_title, added))}\t")
            elif joined := next(((stem, j) for stem in stems if (j := _with_joined(other_title, stem))), None):
                tail = other_title[len(joined[0]) + len(joined[1]) :]
                tail = re.sub(r",\s*unspecified$", "", tail, flags=re.IGNORECASE)
                # a last `without` clause (`… with esophagitis, without bleeding`) says the default,
                # unless the code's own title has what it leaves out (`…, with abscess`)
                last_without = re.search(r",? without ([^,]*)$", tail, re.IGNORECASE)
                if last_without and _contradicts(title, last_without[1]):
                    continue
                tail = tail[: last_without.start()] if last_without else tail
                if not re.search(r"\b(other|specified|unspecified|and|or|with)\b|,", tail, re.IGNORECASE):
                    also = " ".join(additional_codes(icd, other))
                    lines.append(f"{code}\t{other}\twith\t{' '.join(written_words(tail))}\t{also}")
        if manifestation := in_diseases.get(_stem(title)):
            lines.append(f"{code}\t{manifestation}\tin_disease\t\t")
    return lines


CODE_RANGE = re.compile(r"\b([A-Z]\d[0-9A-Z](?:\.[0-9A-Z]{1,4})?)(?:-([A-Z]\d[0-9A-Z](?:\.[0-9A-Z]{1,4})?)|\.?-)?")


def additional_codes(icd, code: str) -> list[str]:
    """The codes a combination code's own `Use additional code` note asks for, as ranges
    (`N18.1-N18.6`, E11.22's stage of chronic kidney disease; `I50` for `I50.-`): a complication
    in them is coded apart, with its own code."""
    note = icd.get_use_additional_code(code) if icd.is_valid_item(code) else ""
    return [f"{low}-{high}" if high else low for low, high in CODE_RANGE.findall(note or "")]


def _organ_words(icd, code: str) -> set[str]:
    """The organ a tumour's category names (`Malignant neoplasm of stomach`), which a code of one
    of its parts (in the category) may leave out (`… of pyloric antrum`, C16.3), refining the
    category's code of an unspecified part: nothing for other categories (lymphoid and
    blood-forming tissue, C81–C96, are coded by cell type), nor from a part already named."""
    solid = "C00" <= code[:3] <= "C80" or "D00" <= code[:3] <= "D49"
    if not solid or "unspecified" not in title_words(icd.get_description(code)):
        return set()
    category = icd.get_description(code[:3])
    return set(title_words(category)) - set(title_words("malignant benign neoplasm of"))


def _contradicts(title: str, left_out: str) -> bool:
    """Whether a title has a complication another title leaves out (`with abscess` against
    `without abscess`): one of its words, not in a `without` clause of its own."""
    withouts = " ".join(WITHOUT_CLAUSE.findall(title))
    return bool(title_words(left_out) & (title_words(title) - title_words(withouts)))


def _with_stems(title: str, stem: str) -> list[str]:
    """The parts of a code's title another title may go on from with `with`: the name before its
    first `without` clause, and before its last where it has two (`Diverticulosis of large
    intestine without perforation or abscess without bleeding` → `… with bleeding`, K57.31)."""
    last = re.match(r"^(.+) without [^,]*$", title, re.IGNORECASE)
    return list(dict.fromkeys([stem, *([last[1]] if last else [])]))


def _with_joined(title: str, stem: str) -> str:
    """How `title` joins its complication to `stem`, or "": ` with ` (`Acute gastritis with
    bleeding`) or `, with ` (`Gastritis, unspecified, with bleeding`)."""
    return next((j for j in (" with ", ", with ") if title.lower().startswith(stem.lower() + j)), "")


def _stem(title: str) -> str:
    """A title's name before its qualifiers, in the singular (`Polyneuropathy, unspecified` → `polyneuropathy`)."""
    return " ".join(singular(w) for w in title.split(",")[0].lower().split())


def _codes_in_diseases(icd) -> dict[str, str]:
    """`polyneuropathy` → G63, `Polyneuropathy in diseases classified elsewhere`: the code of a
    condition another disease causes (ICD-10-CM's manifestation codes, coded after that disease)."""
    found: dict[str, str] = {}
    for code in icd.get_all_codes(with_dots=True):
        match = IN_DISEASES.fullmatch(icd.get_description(code))
        if not match or not icd.is_leaf(code):
            continue
        # not pneumonia: a disease's own pneumonia has its combination or organism code (J17 is for a listed few)
        if not re.search(r"\b(other|specified|pneumonia)\b", match["stem"], re.IGNORECASE):
            found.setdefault(_stem(match["stem"]), code)
    return found


def with_words(title: str) -> set[str]:
    """A title's words with `with` kept: a title that adds or drops a `with` says another
    condition, and is no refinement (`… with aura` is not `… without aura` made specific)."""
    return set(title_words(title)) | ({"with"} if re.search(r"\bwith\b", title, re.IGNORECASE) else set())


def in_title_order(title: str, words: set[str]) -> list[str]:
    """`words` as the title writes them (`small intestine`, for the coder's evidence)."""
    return [w for w in dict.fromkeys(written_words(title)) if singular(w) in words]


def _codes_due_to(icd) -> dict[str, list[str]]:
    """`pneumonia` → the codes titled `Pneumonia due to …`."""
    found: dict[str, list[str]] = {}
    for code in icd.get_all_codes(with_dots=True):
        title = icd.get_description(code)
        if " due to " in title and icd.is_leaf(code) and not icd.is_extended_subcategory(code):
            found.setdefault(title.split(" due to ")[0].lower(), []).append(code)
    return found


def _leaves(icd, category: str) -> list[str]:
    return [c for c in icd.get_descendants(category) if icd.is_leaf(c) and not icd.is_extended_subcategory(c)]
