"""The NLP stage is a plain spaCy pipeline: it saves to a folder, loads with `spacy.load` in an
interpreter that never imports `pipeline`, and takes its lexicons, rules and token patterns from
files its config names."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import spacy
from spacy.tokens import Doc

from pipeline.lexicons import resource_json
from pipeline.nlp import build_pipeline, load_pipeline

TEXT = (
    "A 67-year-old man with type 2 diabetes mellitus was admitted with fever and productive cough. "
    "Serum creatinine was 2.4 mg/dL and CRP 112 mg/L. He had no chest pain. "
    "Possible Klebsiella pneumoniae infection was treated with meropenem 1 g every 8 hours for 10 days, "
    "then oral levofloxacin 750 mg once daily.\n"
    "At follow-up, hemoglobin was 11.2 g/dL."
)

# everything the casextract components write, as plain values
DESCRIBE = """
def describe(doc):
    def regimen(r):
        return [r.dose.value if r.dose else None, r.dose.unit if r.dose else None, r.route, r.frequency, r.duration]
    ents = [
        [e.start_char, e.end_char, e.label_, e._.normalized, bool(e._.negex), e._.certainty,
         [regimen(r) for r in (e._.regimens or [])], e._.general_score, e._.subject]
        for e in doc.ents
    ]
    labs = [[r.test.text, r.value, r.unit, r.value_si, r.unit_si, r.flag, r.start, r.end] for r in doc._.lab_results]
    people = [[d.start, d.end, d.age_years, d.sex] for d in doc._.demographics]
    sentences = [s.start_char for s in doc.sents]
    return {"ents": ents, "labs": labs, "demographics": people, "sentences": sentences}
"""
namespace: dict = {}
exec(DESCRIBE, namespace)
describe = namespace["describe"]


@pytest.fixture(scope="module")
def saved_pipeline(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("pipeline") / "casextract_nlp"
    load_pipeline().to_disk(folder)
    return folder


def test_saved_pipeline_loads_with_plain_spacy_in_a_fresh_interpreter(saved_pipeline, tmp_path):
    script = DESCRIBE + (
        "import json, sys, spacy\n"
        "assert 'pipeline' not in sys.modules\n"
        f"nlp = spacy.load({str(saved_pipeline)!r})\n"
        f"print(json.dumps({{'pipes': nlp.pipe_names, 'max_length': nlp.max_length,"
        f" 'found': describe(nlp({TEXT!r}))}}))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    loaded = json.loads(done.stdout.splitlines()[-1])
    expected = json.loads(json.dumps(describe(load_pipeline()(TEXT))))
    assert loaded["pipes"] == load_pipeline().pipe_names
    assert loaded["max_length"] == load_pipeline().max_length
    assert loaded["found"] == expected
    # the comparison means something only if the text exercised every component
    assert {e[2] for e in expected["ents"]} == {"DRUG", "DISEASE", "LAB_TEST"}
    assert any(e[4] for e in expected["ents"]) and any(e[5] == "suspected" for e in expected["ents"])
    assert any(e[6] and e[6][0][3] for e in expected["ents"]) and expected["labs"] and expected["demographics"]


def test_components_work_on_a_doc_without_an_article():
    doc = load_pipeline()(TEXT)
    assert doc._.article is None
    assert [d.age_years for d in doc._.demographics] == [67.0]
    meropenem = next(e for e in doc.ents if e._.normalized == "meropenem")
    assert (meropenem._.dose.value, meropenem._.frequency, meropenem._.duration) == (1.0, "3/d", "for 10 days")


def _with_extra_cue(path: Path, cue: str) -> None:
    rules = json.loads(path.read_text("utf-8"))
    rules["suspected"].append(cue)
    path.write_text(json.dumps(rules), "utf-8")


def _certainty_of(nlp, name: str) -> str:
    doc = nlp(f"The team wondered about {name} in this patient.")
    return next(e._.certainty for e in doc.ents if e._.normalized == name)


def test_a_resource_setting_names_the_file_a_component_reads(tmp_path):
    rules = tmp_path / "my_cues.json"
    rules.write_text(json.dumps(resource_json("certainty.json")), "utf-8")
    _with_extra_cue(rules, "wondered about")
    assert _certainty_of(load_pipeline(), "sarcoidosis") == "confirmed"
    custom = build_pipeline(overrides={"components.casextract_certainty.rules": str(rules)})
    assert _certainty_of(custom, "sarcoidosis") == "suspected"


def test_a_saved_pipeline_reads_its_own_copies_of_the_files(saved_pipeline, tmp_path):
    import shutil

    copy = tmp_path / "edited"
    shutil.copytree(saved_pipeline, copy)
    _with_extra_cue(copy / "casextract_certainty" / "rules.json", "wondered about")
    assert _certainty_of(spacy.load(copy), "sarcoidosis") == "suspected"
    assert _certainty_of(spacy.load(saved_pipeline), "sarcoidosis") == "confirmed"


def test_token_patterns_are_data(tmp_path):
    patterns = resource_json("medication_patterns.json")
    without_durations = {**patterns, "patterns": {k: v for k, v in patterns["patterns"].items() if k != "DURATION"}}
    path = tmp_path / "patterns.json"
    path.write_text(json.dumps(without_durations), "utf-8")
    custom = build_pipeline(overrides={"components.casextract_medication.patterns": str(path)})
    text = "She received prednisone 40 mg daily for 2 weeks."
    drug = next(e for e in load_pipeline()(text).ents if e._.normalized == "prednisone")
    assert drug._.duration == "for 2 weeks"
    drug = next(e for e in custom(text).ents if e._.normalized == "prednisone")
    assert drug._.dose.value == 40.0 and drug._.duration is None


def test_every_pipe_is_in_the_config():
    config = load_pipeline().config
    assert list(config["nlp"]["pipeline"]) == load_pipeline().component_names
    # run by casextract_ner and casextract_case_ner
    assert list(config["nlp"]["disabled"]) == ["tok2vec", "ner", "case_ner"]
    assert config["components"]["negex"]["neg_termset"]["@misc"] == "casextract.negation_termset.v1"
    assert (
        "was withdrawn"
        in load_pipeline().get_pipe("negex").following_negations + load_pipeline().get_pipe("negex").preceding_negations
    )


def test_the_article_extension_is_registered_by_the_components():
    assert Doc.has_extension("article")


def test_a_saved_pipeline_does_not_need_the_files_it_was_built_from(tmp_path):
    import shutil

    rules = tmp_path / "source" / "my_cues.json"
    rules.parent.mkdir()
    rules.write_text(json.dumps(resource_json("certainty.json")), "utf-8")
    _with_extra_cue(rules, "wondered about")
    build_pipeline(overrides={"components.casextract_certainty.rules": str(rules)}).to_disk(tmp_path / "saved")
    shutil.rmtree(rules.parent)  # the curator's file is gone; the saved copy is all there is
    script = (
        "import spacy\n"
        f"nlp = spacy.load({str(tmp_path / 'saved')!r})\n"
        "doc = nlp('The team wondered about sarcoidosis in this patient.')\n"
        "print([e._.certainty for e in doc.ents if e._.normalized == 'sarcoidosis'])\n"
    )
    done = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.strip().splitlines()[-1] == "['suspected']"
