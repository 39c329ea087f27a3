"""The NLP stage on sentences written for the test, including the hard cases."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.nlp import analyse, load_pipeline
from pipeline.nlp.quantities import normalize_frequency, parse_dose, to_canonical
from pipeline.sections import build_article
from pipeline.structures import Block, Layout, TextMap

ROOT = Path(__file__).resolve().parents[1]


def article_from(text: str, tables: list[list[list[str]]] = ()):
    blocks = [Block("text", TextMap(p), None) for p in text.split("\n\n")]
    for rows in tables:
        cells = tuple(tuple(TextMap(c) for c in row) for row in rows)
        blocks.append(Block("table", TextMap("\n".join(" | ".join(r) for r in rows)), None, rows=cells))
    return build_article(Layout("test.txt", None, tuple(blocks)), "test")


def doc_of(text: str, tables=()):
    return analyse(article_from(text, tables))


def drugs(doc):
    return [e for e in doc.ents if e.label_ == "DRUG"]


def test_tokenizer_splits_sentence_end_from_units_and_keeps_powers_of_ten():
    nlp = load_pipeline()
    tokens = [t.text for t in nlp.make_doc("Ferritin was 2140 μg/L. WBC 3.2 × 10^9/L. ALT 226 U/L.")]
    assert tokens == [
        "Ferritin",
        "was",
        "2140",
        "μg/L",
        ".",
        "WBC",
        "3.2",
        "×",
        "10^9/L",
        ".",
        "ALT",
        "226",
        "U/L",
        ".",
    ]


def test_sentences_survive_units_and_abbreviations():
    doc = doc_of("The WBC was 3.2 × 10^9/L. Ferritin was higher vs. the last value (Fig. 1) and rose. She improved.")
    assert [s.text.strip() for s in doc.sents] == [
        "The WBC was 3.2 × 10^9/L.",
        "Ferritin was higher vs. the last value (Fig. 1) and rose.",
        "She improved.",
    ]


@pytest.mark.parametrize(
    "text, drug, dose, unit, frequency",
    [
        ("Cyclophosphamide 0.8 g once a month was given.", "cyclophosphamide", 0.8, "g", "1/mo"),
        ("She received tocilizumab 480 mg every 4 wk.", "tocilizumab", 480, "mg", "1/4wk"),
        ("Methylprednisolone 40 mg BID was started.", "methylprednisolone", 40, "mg", "2/d"),
        ("Solu-Medrol 500 mg daily for 3 d.", "methylprednisolone", 500, "mg", "1/d"),
        ("IVIG 20 g QD was given for 5 d.", "intravenous immunoglobulin", 20, "g", "1/d"),
        ("Prednisone 2-3 mg/kg q12h.", "prednisone", 2, "mg/kg", "2/d"),
    ],
)
def test_drug_dose_and_frequency(text, drug, dose, unit, frequency):
    (found,) = drugs(doc_of(text))
    assert found._.normalized == drug
    assert (found._.dose.value, found._.dose.unit) == (dose, unit)
    assert found._.frequency == frequency


def test_coordinated_drugs_keep_their_own_doses_routes_and_durations():
    doc = doc_of(
        "Methylprednisolone 80 mg and cyclophosphamide 0.8 g intravenously were given for 10 d, "
        "then oral tacrolimus 1 mg twice daily."
    )
    found = {d._.normalized: d for d in drugs(doc)}
    assert found["methylprednisolone"]._.dose.value == 80
    assert found["cyclophosphamide"]._.dose.value == 0.8 and found["cyclophosphamide"]._.route == "intravenous"
    assert found["cyclophosphamide"]._.duration == "for 10 d"
    assert found["tacrolimus"]._.route == "oral" and found["tacrolimus"]._.frequency == "2/d"
    assert found["tacrolimus"]._.dose.value == 1


def test_roman_numeral_is_not_a_route():
    doc = doc_of("Muscle strength was grade IV. Tacrolimus 1 mg was continued.")
    (found,) = drugs(doc)
    assert found._.route is None


def test_medication_details_matched_in_drug_sentences_are_those_matched_in_the_whole_text(monkeypatch, tmp_path):
    """The token patterns are matched only in the sentences that name a drug (a detail is given only
    to a drug of its sentence): every drug's regimens are those of matching the whole text."""
    from pipeline.nlp import medication
    from pipeline.worker import read_layout

    paths = sorted(ROOT.joinpath("corpus").glob("*.pdf"))
    if (ROOT.parent / "shared" / "data" / "case-reports-ada").exists():
        from tools.real_corpus import build

        paths += sorted(build(tmp_path, layouts=("text",))["text"].iterdir())
    articles = [build_article(read_layout(p), p.stem) for p in paths]
    articles.append(
        article_from("The mass was 5 mg. Tacrolimus 1 mg twice daily for 2 wk; then 2 mg.\n\nIt was 3 mg daily.")
    )

    def regimens(article):
        return [(d.start, d.end, d._.regimens) for d in drugs(analyse(article))]

    in_drug_sentences = [regimens(a) for a in articles]
    monkeypatch.setattr(medication, "_drug_sentences", lambda doc, found: [doc[:]] if found else [])
    assert [regimens(a) for a in articles] == in_drug_sentences
    assert sum(bool(r) for doc in in_drug_sentences for _, _, r in doc) > 20  # details were found at all
    hand = dict((d._.normalized, d) for d in drugs(analyse(articles[-1])))["tacrolimus"]
    assert (hand._.dose.value, hand._.frequency, hand._.duration) == (1, "2/d", "for 2 wk")


def lab_results(text, tables=()):
    return {r.test._.normalized: r for r in doc_of(text, tables)._.lab_results}


def test_lab_values_units_and_si_conversion():
    labs = lab_results(
        "Tests showed WBC 3.2 × 10^9/L, platelet count ( 2.1 × 10^11/L ), ferritin > 2000 μg/L "
        "and hemoglobin of 118 g/L."
    )
    wbc = labs["white blood cell count"]
    assert (wbc.value, wbc.unit, wbc.value_si, wbc.unit_si) == (3.2, "10^9/L", 3.2, "10^9/L")
    plt = labs["platelet count"]
    assert (plt.value, plt.unit, plt.value_si, plt.unit_si) == (2.1, "10^11/L", 210.0, "10^9/L")
    ferritin = labs["ferritin"]
    assert (ferritin.comparator, ferritin.value, ferritin.unit) == (">", 2000, "μg/L")
    assert labs["hemoglobin"].value == 118


def test_reference_range_and_flag():
    labs = lab_results("Serum ferritin was 1455.6 μg/L (normal 20-200 μg/L), and LDH 387 U/L ↑.")
    assert labs["ferritin"].reference_range == "20-200 μg/L" and labs["ferritin"].flag == "high"
    assert labs["lactate dehydrogenase"].flag == "high"


def test_unit_pint_cannot_read_is_kept_without_si_value():
    labs = lab_results("Ferritin was 300 blorps/L on admission.")
    assert (labs["ferritin"].value, labs["ferritin"].unit, labs["ferritin"].value_si) == (300, "blorps/L", None)


def test_qualitative_antibody_results():
    labs = lab_results("The anti-MDA5 antibody (+) and anti-Ro52 (+++) were found.")
    assert labs["anti-mda5 antibody"].result == "positive"
    assert labs["anti-ro52 antibody"].result == "positive (+++)"
    assert labs["anti-mda5 antibody"].value is None


def test_lab_table_rows_and_date_columns():
    table = [
        ["Test", "Admission", "Week 8", "Unit"],
        ["WBC", "3.2", "6.1", "× 10^9/L"],
        ["Ferritin", "2140", "380", "μg/L"],
    ]
    results = doc_of("Laboratory results are shown below.", [table])._.lab_results
    got = sorted((r.test._.normalized, r.column, r.value, r.unit) for r in results)
    assert got == [
        ("ferritin", "Admission", 2140, "μg/L"),
        ("ferritin", "Week 8", 380, "μg/L"),
        ("white blood cell count", "Admission", 3.2, "10^9/L"),
        ("white blood cell count", "Week 8", 6.1, "10^9/L"),
    ]


def test_negation_and_certainty_of_diagnoses():
    doc = doc_of(
        "She had no fever. Tuberculosis was ruled out. A lymphoma was suspected. "
        "He had a history of hypertension. She developed pneumonia. Possible sarcoidosis was noted."
    )
    diseases = {e.text.lower(): e for e in doc.ents if e.label_ == "DISEASE"}
    assert diseases["fever"]._.negex is True
    assert diseases["tuberculosis"]._.negex is True
    assert diseases["lymphoma"]._.certainty == "suspected"
    assert diseases["hypertension"]._.certainty == "history"
    assert diseases["pneumonia"]._.negex is False and diseases["pneumonia"]._.certainty == "confirmed"
    assert diseases["sarcoidosis"]._.certainty == "suspected"


def test_coordinated_pathogen_infections_are_diagnoses():
    doc = doc_of("He had pneumonia with Pneumocystis jirovecii and Aspergillus fumigatus infections.")
    names = {e._.normalized for e in doc.ents if e.label_ == "DISEASE"}
    assert {"pneumocystis jirovecii infection", "aspergillus fumigatus infection"} <= names


def test_abbreviations_expand_to_their_long_form():
    doc = doc_of("She had rapidly progressive interstitial lung disease (RP-ILD). The RP-ILD worsened.")
    diseases = [e for e in doc.ents if e.label_ == "DISEASE" and e.text == "RP-ILD"]
    assert diseases and all(d._.normalized == "rapidly progressive interstitial lung disease" for d in diseases)


@pytest.mark.parametrize(
    "text, age, sex",
    [
        ("A 30-year-old woman was admitted.", 30, "female"),
        ("A 31-year-old man presented.", 31, "male"),
        ("A 2-mo-old boy was seen.", 0.1667, "male"),
        ("An 18-month-old girl had fever.", 1.5, "female"),
        ("The patient, aged 45 years, was well.", 45, ""),
    ],
)
def test_age_and_sex(text, age, sex):
    (found,) = doc_of(text)._.demographics
    assert found.age_years == pytest.approx(age, abs=1e-3) and found.sex == sex


def test_background_sections_are_marked(journal_pdf):
    from pipeline.pdf import read_pdf

    doc = analyse(build_article(read_pdf(journal_pdf[0]), "synth-001"))
    rituximab = [d for d in drugs(doc) if d._.normalized == "rituximab"]
    tocilizumab = [d for d in drugs(doc) if d._.normalized == "tocilizumab"]
    assert rituximab and all(d._.background for d in rituximab)  # named only in the Discussion
    assert any(not d._.background for d in tocilizumab)


@pytest.mark.parametrize("text", ["", "mg", "every", "q0h", "1e400 mg", "every 0 wk", "×", "10^999/L", "nan mg"])
def test_parsers_reject_nonsense_cleanly(text):
    normalize_frequency(text)
    parse_dose(text)
    assert to_canonical(1.0, text, "g/L") in ((None, ""),) or text == ""


def test_run_description_without_loading_matches_the_loaded_pipeline():
    from pipeline.nlp import loaded_description, pipeline_description

    assert pipeline_description() == loaded_description()


def test_every_casextract_component_declares_what_it_assigns_and_requires():
    from pipeline.nlp import load_pipeline

    nlp = load_pipeline()
    analysis = nlp.analyze_pipes(pretty=False)
    assert not any(analysis["problems"].values()), analysis["problems"]
    # paragraphs needs nothing before it; casextract_ner (run twice: the NER and the case-report
    # recogniser) reads scispaCy's `doc._.abbreviations`, which scispaCy does not declare (declaring
    # it would make the analysis report it missing)
    recognisers = ("casextract_ner", "casextract_case_ner")
    for name in nlp.pipe_names:
        if name.startswith("casextract_") and name not in ("casextract_paragraphs", *recognisers):
            meta = nlp.get_pipe_meta(name)
            assert meta.assigns and meta.requires, name
    assert [nlp.get_pipe_meta(name).assigns for name in recognisers] == [["doc.spans"], ["doc.spans"]]


def test_casextract_negex_negates_exactly_what_negspacy_negates(tmp_path):
    """The bisecting NegEx against negspaCy's own, on the bundled corpus and on cues that end or
    cross sentences (`but`, entities spanning a termination cue)."""
    from negspacy.negation import Negex

    from pipeline.worker import read_layout

    nlp = load_pipeline()
    ours = nlp.get_pipe("negex")
    reference = Negex(
        nlp,
        "negex",
        {
            "pseudo_negations": ours.pseudo_negations,
            "preceding_negations": ours.preceding_negations,
            "following_negations": ours.following_negations,
            "termination": ours.termination,
        },
        ent_types=sorted(ours.ent_types),
    )
    articles = [build_article(read_layout(p), p.stem) for p in sorted(ROOT.joinpath("corpus").glob("*.pdf"))]
    articles.append(
        article_from(
            "No fever, but pneumonia was present. She denied cough or hepatitis but had tuberculosis. "
            "Sarcoidosis was excluded. There was no evidence of lymphoma, although anemia persisted. "
            # a following cue that opens the next sentence or piece negates nothing before it
            "He had hepatitis. Unlikely as it seemed, she had malaria but declined treatment."
        )
    )
    compared = negated = 0
    for article in articles:
        doc = analyse(article)
        got = [bool(e._.negex) for e in doc.ents]
        for entity in doc.ents:
            entity._.negex = False
        reference(doc)
        assert got == [bool(e._.negex) for e in doc.ents], article.doc_id
        compared += len(got)
        negated += sum(got)
    assert compared > 100 and negated >= 5


def _whole_doc_entities(text: str) -> list[tuple[int, int, str]]:
    """What the trained tok2vec + ner find when they read the whole text."""
    nlp = load_pipeline()
    doc = nlp.get_pipe("ner")(nlp.get_pipe("tok2vec")(nlp.make_doc(text)))
    return [(e.start, e.end, e.label_) for e in doc.ents]


def _up_to_the_ner(article):
    """The article's Doc after casextract_ner (and the components before it)."""
    nlp = load_pipeline()
    doc = nlp.make_doc(article.text)
    doc._.article = article
    for name in nlp.pipe_names[: nlp.pipe_names.index("casextract_ner") + 1]:
        doc = nlp.get_pipe(name)(doc)
    return doc


def test_trained_ner_skips_background_sections_but_reads_abbreviations_defined_there():
    filler = "Such reports are uncommon and the literature on the subject remains limited to small series. " * 3
    article = article_from(
        "Introduction\n\n"
        "Acute kidney injury (AKI) is a severe complication. " + filler + "\n\n"
        "Case presentation\n\n"
        "A 50-year-old woman presented with cough. The AKI worsened despite prednisone.\n\n"
        "Discussion\n\n" + filler + "Sarcoidosis was considered in the differential diagnosis."
    )
    doc = _up_to_the_ner(article)
    parts = load_pipeline().get_pipe("casextract_ner").parts_to_read(doc)
    sarcoidosis = next(t.i for t in doc if t.text == "Sarcoidosis")
    long_form = next(t.i for t in doc if t.text == "Acute")
    assert not any(p.start <= sarcoidosis < p.end for p in parts)  # deep in the Discussion: not read
    assert any(p.first <= long_form < p.last for p in parts)  # the abbreviation's long form is
    assert sum(p.end - p.start for p in parts) < 0.7 * len(doc)
    assert [e.text for e in doc.spans["ner"] if e.start == long_form] == ["Acute kidney injury"]

    doc = analyse(article)
    case_mention = [e for e in doc.ents if e.text == "AKI" and not e._.background]
    assert case_mention and case_mention[0].label_ == "DISEASE"
    assert case_mention[0]._.normalized == "acute kidney injury"
    assert not any(e.text == "Sarcoidosis" for e in doc.spans["ner"])  # the NER did not read it


def test_trained_ner_finds_in_the_parts_it_reads_what_it_finds_reading_everything(tmp_path):
    from pipeline.worker import read_layout

    articles = [build_article(read_layout(p), p.stem) for p in sorted(ROOT.joinpath("corpus").glob("*.pdf"))]
    real_reports = (ROOT.parent / "shared" / "data" / "case-reports-ada").exists()
    if real_reports:  # and the 45 real reports
        from tools.real_corpus import build

        texts = build(tmp_path, layouts=("text",))["text"]
        articles += [build_article(read_layout(p), p.stem) for p in sorted(texts.iterdir())]
    skipped = 0
    for article in articles:
        doc = _up_to_the_ner(article)
        parts = load_pipeline().get_pipe("casextract_ner").parts_to_read(doc)
        whole = _whole_doc_entities(article.text)
        kept = [e for e in whole if any(e[0] < p.last and e[1] > p.first for p in parts)]
        assert [(e.start, e.end, e.label_) for e in doc.spans["ner"]] == kept, article.doc_id
        skipped += len(doc) - sum(p.end - p.start for p in parts)
    # the comparison means something only where parts were skipped: the corpus's three reports
    # skip a few hundred tokens, the real reports thousands
    assert skipped > (1000 if real_reports else 100)


def test_the_pipeline_is_built_once_per_process_whatever_the_call():
    """`prepare_worker` loads `load_pipeline()`; documents use `load_pipeline(None)`: one pipeline."""
    from pipeline.nlp import DEFAULT_NER_MODEL

    assert load_pipeline() is load_pipeline(None) is load_pipeline(str(DEFAULT_NER_MODEL))
    doc = doc_of("She received prednisone.")
    assert doc.vocab is load_pipeline().vocab


def test_an_entity_reaching_past_an_abbreviations_long_form_is_kept():
    """scispaCy's long form can start after the NER's entity (`Autoimmune pulmonary alveolar
    proteinosis (PAP)`: long form `pulmonary alveolar proteinosis`); the entity is kept whole, and
    the case's `PAP` is a diagnosis."""
    from pipeline.link import link

    filler = "Such reports are uncommon and the literature on the subject remains limited to small series. " * 3
    article = article_from(
        "Introduction\n\n"
        + filler
        + "Autoimmune pulmonary alveolar proteinosis (PAP) is a rare lung disorder. "
        + filler
        + "\n\nCase presentation\n\nA 40-year-old man had dyspnea. He was diagnosed with PAP after a biopsy."
        "\n\nDiscussion\n\n" + filler
    )
    doc = _up_to_the_ner(article)
    long_form = next(a._.long_form for a in doc._.abbreviations if a.text == "PAP")
    whole = _whole_doc_entities(article.text)
    assert [e for e in whole if e[1] == long_form.end] == [(long_form.start - 1, long_form.end, "DISEASE")]
    assert [(e.start, e.end, e.label_) for e in doc.spans["ner"] if e.end == long_form.end] == [
        (long_form.start - 1, long_form.end, "DISEASE")
    ]
    facts = link(analyse(article), article)
    assert [(d.mention, d.case_id) for d in facts.diagnoses if d.mention == "PAP"] == [("PAP", "1")]


def _labels_within(spans, ent) -> list[str]:
    """The label each token of `ent` has among `spans` ("" for none)."""
    labels = {i: s.label_ for s in spans for i in range(s.start, s.end)}
    return [labels.get(i, "") for i in range(ent.start, ent.end)]


def test_the_case_recogniser_reads_around_each_condition_what_it_reads_in_the_whole_text(tmp_path):
    """`casextract_case_ner` reads only around the conditions found that no condition vocabulary
    names (12 tokens either side); the recogniser's labels on those conditions' tokens (what
    `casextract_fact_types` reads) are the ones it gives reading everything. (A span of it reaching
    far past a condition may end elsewhere: the labels inside the condition are what is compared.)"""
    from pipeline.worker import read_layout

    articles = [build_article(read_layout(p), p.stem) for p in sorted(ROOT.joinpath("corpus").glob("*.pdf"))]
    real_reports = (ROOT.parent / "shared" / "data" / "case-reports-ada").exists()
    if real_reports:
        from tools.real_corpus import build

        texts = build(tmp_path, layouts=("text",))["text"]
        articles += [build_article(read_layout(p), p.stem) for p in sorted(texts.iterdir())[:15]]
    nlp = load_pipeline()
    compared = 0
    for article in articles:
        doc = analyse(article)
        whole = nlp.get_pipe("case_ner")(nlp.make_doc(article.text))
        read = [(span.start, span.end) for span in doc.spans["case_read"]]
        for ent in (e for e in doc.ents if e.label_ == "DISEASE" and not e._.background):
            if not any(lo <= ent.start and ent.end <= hi for lo, hi in read):
                continue  # a vocabulary's name: its type is the vocabulary's
            mine = _labels_within(doc.spans["case"], ent)
            assert mine == _labels_within(whole.ents, ent), (article.doc_id, ent.text)
            compared += 1
    # the real reports hold some hundred conditions no vocabulary names; the corpus's three reports,
    # read alone (no ../shared), hold a few (3 once the vocabularies had grown to their size of 12-07)
    assert compared > (50 if real_reports else 0)


def _longest_names_by_brute_force(names: set[str], lowers: list[str], spaces: list[str], stops: list[bool]):
    """Every run of up to 8 tokens tried, left to right, the longest name kept (the matcher's contract)."""
    found, i = [], 0
    while i < len(lowers):
        best = None
        for j in range(i + 1, min(len(lowers), i + 8) + 1):
            if j - 1 > i and stops[j - 1]:
                break
            text = "".join(lowers[k] + (spaces[k] if k < j - 1 else "") for k in range(i, j))
            if text in names:
                best = j
        found.append((i, best)) if best else None
        i = best or i + 1
    return found


def test_the_lexicon_matcher_finds_the_longest_name_as_trying_every_run_does():
    from pipeline.nlp.lexicon_matcher import LexiconMatcher
    from pipeline.nlp.values import token_view

    names = {"anti", "anti-mda5", "anti-mda5 antibody", "vitamin b12", "vitamin b12 deficiency", "b", "il-6", "zz"}
    matcher = LexiconMatcher(names | {"Vitamin  B12 DEFICIENCY syndrome type"})
    doc = load_pipeline().make_doc(
        "Anti-MDA5 antibody and anti-MDA5 were high; vitamin B12 deficiency (vitamin b12\nsyndrome), "
        "IL-6 rose, a b c, antibody zz. Vitamin B12 deficiency syndrome type 2."
    )
    found = matcher(doc)
    folded = {" ".join(n.lower().split()) for n in matcher.names}
    assert found == _longest_names_by_brute_force(folded, *token_view(doc))
    assert [doc[s:e].text for s, e in found][:3] == ["Anti-MDA5 antibody", "anti-MDA5", "vitamin B12 deficiency"]
    assert "Vitamin B12 deficiency syndrome type" in [doc[s:e].text for s, e in found]  # runs of spaces folded


def test_the_lexicon_matcher_finds_the_same_names_with_the_answers_it_remembered(monkeypatch):
    from pipeline.nlp import lexicon_matcher
    from pipeline.nlp.values import token_view

    matcher = lexicon_matcher.LexiconMatcher({"vitamin b12", "vitamin b12 deficiency", "il-6", "anti-mda5 antibody"})
    nlp = load_pipeline()
    docs = [
        nlp.make_doc("Vitamin B12 deficiency and IL-6; vitamin C."),
        nlp.make_doc("anti-MDA5 antibody, vitamin B12"),
    ]
    expected = [_longest_names_by_brute_force(matcher.names, *token_view(doc)) for doc in docs]
    assert [matcher(doc) for doc in docs] == expected and matcher.begun["vitamin"] and not matcher.begun[";"]
    assert [matcher(doc) for doc in docs] == expected  # now from what it remembered
    monkeypatch.setattr(lexicon_matcher, "REMEMBERED", 3)
    assert [matcher(doc) for doc in docs] == expected and len(matcher.begun) < 20  # started again


def test_a_cue_before_a_list_holds_for_every_entity_of_the_list():
    doc = doc_of(
        "Her past medical history was notable for asthma, gout and a stroke; she now presented with pneumonia. "
        "The differential diagnosis included sarcoidosis, lymphoma, tuberculosis, histoplasmosis or cryptococcosis."
    )
    diseases = {e.text.lower(): e._.certainty for e in doc.ents if e.label_ == "DISEASE"}
    assert [diseases[name] for name in ("asthma", "gout", "stroke")] == ["history"] * 3
    assert diseases["pneumonia"] == "confirmed"  # the list ended: `she now presented with` stands between
    listed = ("sarcoidosis", "lymphoma", "tuberculosis", "histoplasmosis", "cryptococcosis")
    assert {diseases[name] for name in listed} == {"differential"}  # the last beyond the cue's reach
