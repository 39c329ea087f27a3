"""Invented matter around a test article, as PDFs downloaded from journal sites carry it.

    invented_pages(kinds, seed=0, article=None) -> [page dict, ...]   for render_pdf's before / after
    with_surroundings(spec, before, after, seed=0) -> a copy of `spec` with those pages

Kinds: ``contents-numbered``, ``contents-leaders``, ``contents-two-column`` (an issue's contents:
30-45 entries under EDITORIAL … LETTER TO THE EDITOR, 2-3 pages), ``cover`` (masthead, about the
cover, aims and scope, indexing, editorial board), ``article_end`` (the previous article's last page),
``article_start`` (the next article's first page), ``article`` (a whole other case report) and
``publisher`` (the closing page). The other articles are invented case reports with their own
patients (tools/invented_case.py); their page dicts carry those patients' `facts`, which must never
reach the tables of the article the PDF is about.

All of it is made up here from word lists (seeded: the same seed gives the same pages), so nothing
in it comes from a real journal. One seed describes one issue: its contents list the main article
(when given) between the previous and the next article, as a real issue's contents do.

    python tools/front_matter.py SPEC.json OUT.pdf --before contents-numbered,cover --after article_start
"""

from __future__ import annotations

import argparse
import copy
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script
    sys.path.insert(0, str(ROOT))

from tools.invented_case import SCENARIOS, affiliation, author_list, invented_case, person

KINDS = (
    "contents-numbered",
    "contents-leaders",
    "contents-two-column",
    "cover",
    "article_end",
    "article_start",
    "article",
    "publisher",
)
JOURNALS = [
    ("Annals of Clinical Case Medicine", "Ann Clin Case Med"),
    ("Journal of Bedside Reports", "J Bedside Rep"),
    ("Clinical Vignettes Quarterly", "Clin Vignettes Q"),
    ("International Archive of Therapeutic Cases", "Int Arch Ther Cases"),
    ("Northern Medical Case Letters", "North Med Case Lett"),
]
PUBLISHERS = [  # name, address, telephone
    (
        "Harbourlight Medical Press Ltd",
        "14 Fenwick Row, Suite 300, Aldermoor AL3 9QT, United Kingdom",
        "+44-20-5550-1847",
    ),
    ("Quillstone Scientific Inc", "2200 Meridian Parkway, Building C, Castlemere, CA 90001, USA", "+1-555-0143-772"),
    ("Verdant Bay Academic Publishers", "Kaiserstrasse 41, 8th Floor, 60311 Dunhollow, Germany", "+49-69-5550-2290"),
]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October"]
GROUPS = ("EDITORIAL", "REVIEW", "ORIGINAL ARTICLE", "CASE REPORT", "LETTER TO THE EDITOR")

DRUG_EVENTS = [
    ("Rituximab", "late-onset neutropenia"), ("Amiodarone", "pulmonary toxicity"),
    ("Clozapine", "eosinophilic myocarditis"), ("Isoniazid", "fulminant hepatitis"),
    ("Valproate", "hyperammonaemic encephalopathy"), ("Allopurinol", "Stevens-Johnson syndrome"),
    ("Cefepime", "non-convulsive status epilepticus"), ("Nivolumab", "autoimmune diabetes mellitus"),
    ("Methotrexate", "mucositis and pancytopenia"), ("Tacrolimus", "posterior reversible encephalopathy"),
    ("Bevacizumab", "bowel perforation"), ("Colistin", "neuromuscular blockade"),
    ("Levetiracetam", "acute psychosis"), ("Infliximab", "disseminated histoplasmosis"),
    ("Apixaban", "spontaneous haemarthrosis"), ("Empagliflozin", "euglycaemic ketoacidosis"),
]  # fmt: skip
PATIENTS = [
    "a teenager", "an elderly woman", "a 7-year-old boy", "a pregnant woman", "a kidney transplant recipient",
    "a man on maintenance haemodialysis", "an infant", "a young athlete", "a heart transplant recipient",
]  # fmt: skip
DISEASES = [
    "steroid-dependent nephrotic syndrome", "granulomatosis with polyangiitis", "metastatic melanoma",
    "chronic myeloid leukaemia", "rheumatoid arthritis", "focal epilepsy", "infective endocarditis",
    "Crohn disease", "systemic lupus erythematosus", "multidrug-resistant tuberculosis", "sarcoidosis",
    "myasthenia gravis", "IgA nephropathy", "hepatosplenic T-cell lymphoma", "Takayasu arteritis",
]  # fmt: skip
PRESENTATIONS = [
    "isolated hoarseness", "recurrent syncope", "a painless neck mass", "acute urinary retention",
    "bilateral foot drop", "massive haemoptysis", "refractory hypoglycaemia", "a migratory skin rash",
]  # fmt: skip
THERAPIES = [
    "tocilizumab", "plasma exchange", "intravenous immunoglobulin", "belimumab", "anakinra",
    "eculizumab", "high-dose dexamethasone", "vedolizumab", "cyclosporine", "ruxolitinib",
]  # fmt: skip
SPECIALTIES = ["nephrology", "clinical pharmacology", "rheumatology", "paediatrics", "infectious diseases"]


def _title(rng: random.Random, group: str) -> str:
    drug, event = rng.choice(DRUG_EVENTS)
    disease, other = rng.sample(DISEASES, 2)
    therapy, therapy2 = rng.sample(THERAPIES, 2)
    n = rng.randint(24, 480)
    templates = {
        "EDITORIAL": [
            f"Why single case reports still change practice in {rng.choice(SPECIALTIES)}",
            f"Monitoring {drug.lower()} therapy: time for a rethink",
            f"Adverse drug reactions in {rng.choice(SPECIALTIES)}: what we owe our patients",
        ],
        "REVIEW": [
            f"{drug}-induced {event}: mechanisms, risk factors and management",
            f"Current evidence on {therapy} for {disease}: A narrative review",
            f"{disease[0].upper() + disease[1:]} in adults: A systematic review of {n} published cases",
        ],
        "ORIGINAL ARTICLE": [
            f"Incidence of {event} in {n} patients receiving {drug.lower()}: A retrospective cohort study",
            f"{therapy[0].upper() + therapy[1:]} versus {therapy2} for {disease}: A prospective pilot study",
            f"Predictors of relapse after withdrawal of {therapy} in {disease}: An observational study",
        ],
        "CASE REPORT": [
            f"{drug}-associated {event} in {rng.choice(PATIENTS)} with {disease}: A case report",
            f"{disease[0].upper() + disease[1:]} presenting as {rng.choice(PRESENTATIONS)}: "
            "A case report and review of literature",
            f"Successful treatment of refractory {disease} with {therapy}: A case report",
            f"{other[0].upper() + other[1:]} mimicking {disease}: Two case reports",
        ],
        "LETTER TO THE EDITOR": [
            f'Comment on "{drug}-associated {event} in {rng.choice(PATIENTS)}"',
            f"{therapy[0].upper() + therapy[1:]} dosing in {disease}: a reply",
        ],
    }
    return rng.choice(templates[group])


def vancouver(authors: str) -> str:
    """Authors as contents pages list them: "Laura Moreno, Ana-Maria Pop" → "Moreno L, Pop AM"."""
    out = []
    for name in authors.replace("**", "").replace(" and ", ", ").split(","):
        words = name.split()
        if words:
            initials = "".join(part[0] for word in words[:-1] for part in word.split("-") if part)
            out.append(f"{words[-1]} {initials.upper()}".strip())
    return ", ".join(out)


class _Issue:
    """One invented journal issue: everything is drawn from the seed up front, in a fixed order,
    so a kind's page is the same whichever other kinds are asked for."""

    def __init__(self, seed: int, article: dict | None = None):
        rng = random.Random(seed)
        self.journal = rng.choice(JOURNALS)
        self.publisher = rng.choice(PUBLISHERS)
        year, volume, number = rng.randint(2019, 2026), rng.randint(3, 19), rng.randint(1, 24)
        month, day = rng.choice(MONTHS), rng.randint(1, 28)
        self.year = year
        counts = {"EDITORIAL": rng.randint(1, 2), "REVIEW": rng.randint(2, 4), "ORIGINAL ARTICLE": rng.randint(4, 7)}
        counts["LETTER TO THE EDITOR"] = rng.randint(1, 2)
        counts["CASE REPORT"] = rng.randint(30, 45) - sum(counts.values())
        page = rng.randint(101, 4800)
        spans = {"EDITORIAL": (3, 5), "LETTER TO THE EDITOR": (2, 3)}
        groups = []
        for heading in GROUPS:
            entries = []
            for _ in range(counts[heading]):
                entries.append({"page": page, "title": "", "authors": author_list(rng)[1]})
                page += rng.randint(*spans.get(heading, (6, 13)))
            groups.append({"heading": heading, "entries": entries})
        last_page = page - 1
        self.issue = f"{self.journal[1]} {year} {month} {day}; {volume}({number})"
        self.issue_line = f"{self.issue}: {groups[0]['entries'][0]['page']}-{last_page}"
        self.subtitle = f"Monthly Volume {volume} Number {number} {month} {day}, {year}"

        # the main article sits among the case reports, after the previous and before the next one
        cases = groups[3]["entries"]
        at = rng.randint(1, len(cases) - 4)
        following = [e["page"] for e in cases[1:]] + [groups[4]["entries"][0]["page"]]
        self.others = {}
        for offset, key, scenario in zip(
            (-1, 1, 2), ("article_end", "article_start", "article"), rng.sample(SCENARIOS, 3)
        ):
            entry = cases[at + offset]
            pages = (entry["page"], following[at + offset] - 1)
            case = invented_case(rng, self.journal, pages, self.issue, scenario)
            entry.update(title=case["spec"]["title"], authors=case["vancouver"])
            self.others[key] = case
        used = {e["title"] for e in cases if e["title"]}
        for group in groups:
            for entry in group["entries"]:
                while not entry["title"]:
                    title = _title(rng, group["heading"])
                    if title not in used:
                        entry["title"] = title
                        used.add(title)
        if article:
            cases[at].update(
                title=article.get("title", cases[at]["title"]), authors=vancouver(article.get("authors", ""))
            )
        self.groups = groups
        self.cover = self._cover(rng)

    def _cover(self, rng: random.Random) -> dict:
        name = self.journal[0]
        member = person(rng)[0]
        board = [f"{person(rng)[0]}, MD, PhD, {affiliation(rng)}" for _ in range(rng.randint(10, 14))]
        blocks = [
            {"heading": "ABOUT COVER", "text": f"Editorial Board Member of {name}, {member}, MD, PhD, Professor, "
             f"{affiliation(rng)}. The cover shows a polarised-light micrograph of a renal biopsy."},
            {"heading": "AIMS AND SCOPE", "text": [
                f"{name} ({self.journal[1]}) publishes peer-reviewed case reports, case series, reviews and "
                "original articles from every field of clinical medicine, with an emphasis on adverse drug "
                "reactions, rare presentations of common diseases and diagnostic pitfalls.",
                "The journal aims to give clinicians a forum in which single observations are reported in "
                "enough detail to be useful to others, following the CARE guidelines.",
            ]},
            {"heading": "INDEXING", "text": f"{self.journal[1]} is abstracted and indexed in the Clinical "
             "Literature Index, Bedside Evidence Abstracts, the Open Case Registry and the Directory of Invented "
             f"Journals. Its {rng.randint(2019, 2025)} citation figure is {rng.randint(8, 31) / 10:.1f}."},
            {"heading": "EDITORIAL BOARD", "text": board},
            {"heading": "COPYRIGHT", "text": f"© {self.year} {self.publisher[0]}. All rights reserved."},
        ]  # fmt: skip
        return {"kind": "cover", "journal": name, "issue_line": self.issue_line, "blocks": blocks}

    def page(self, kind: str) -> dict:
        if kind not in KINDS:
            raise ValueError(f"unknown kind {kind!r}; choose from {', '.join(KINDS)}")
        if kind.startswith("contents-"):
            style = kind.removeprefix("contents-")
            return {
                "kind": "contents",
                "style": style,
                "journal": self.journal[0],
                "issue_line": self.issue_line,
                "subtitle": self.subtitle,
                "groups": copy.deepcopy(self.groups),
            }
        if kind == "cover":
            return copy.deepcopy(self.cover)
        if kind in self.others:
            case = self.others[kind]
            which = {"article_end": "last", "article_start": "first", "article": "all"}[kind]
            return {"kind": "article", "spec": copy.deepcopy(case["spec"]), "pages": which, "facts": case["facts"]}
        if kind == "publisher":
            name, address, phone = self.publisher
            site = name.split()[0].lower() + "-press.example"
            return {
                "kind": "publisher",
                "lines": [
                    f"Published by **{name}**",
                    address,
                    f"Telephone: {phone}",
                    f"E-mail: editorial.office@{site}",
                    f"Help Desk: https://help.{site}",
                    f"https://www.{site}",
                ],
            }
        raise AssertionError(kind)


def invented_pages(kinds: list[str], seed: int = 0, article: dict | None = None) -> list[dict]:
    """Page dicts of the given kinds, invented from `seed`. `article` (a spec) is listed in the
    contents, as the issue's contents list the article the PDF is about."""
    issue = _Issue(seed, article)
    return [issue.page(kind) for kind in kinds]


def with_surroundings(spec: dict, before: list[str], after: list[str], seed: int = 0) -> dict:
    """A copy of `spec` with invented pages of the given kinds before and after the article."""
    issue = _Issue(seed, spec)
    out = copy.deepcopy(spec)
    out["before"] = [issue.page(kind) for kind in before]
    out["after"] = [issue.page(kind) for kind in after]
    return out


def main() -> None:
    from tools.journal_pdf import load_spec, render_pdf

    parser = argparse.ArgumentParser(description="Render a spec with invented pages around the article.")
    parser.add_argument("spec", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--before", default="", help=f"comma-separated kinds: {', '.join(KINDS)}")
    parser.add_argument("--after", default="")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    before, after = ([k.strip() for k in text.split(",") if k.strip()] for text in (args.before, args.after))
    spec = with_surroundings(load_spec(args.spec), before, after, args.seed)
    render_pdf(spec, args.out)
    print(args.out)


if __name__ == "__main__":
    main()
