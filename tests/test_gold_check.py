"""Gold at the door: `casextract gold check` names every problem of a hand-curated gold file (the
typo a curator makes), `casextract eval` refuses malformed gold and leaves earlier scores alone, and
`casextract gold draft` starts a gold file from a run that checks clean and scores perfectly
against the run it came from."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from pathlib import Path

import bad_inputs
import pytest
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.evaluate import FIELDS, SPLITS_FILE, check_gold

ROOT = Path(__file__).resolve().parents[1]
CORPUS_PDF = ROOT / "corpus" / "synth-001.pdf"
CASE_KEYS = "a case has age_years, sex, medications, labs, diagnoses"
NOTE = "(a key starting with '_' is a note the scorer ignores)"

GOOD = {
    "doc_id": "d1",
    "cases": {
        "1": {
            "age_years": 42,
            "sex": "female",
            "medications": [
                {"drug": "methylprednisolone", "dose_value": 80, "dose_unit": "mg", "frequency": "1/d"},
                {"drug": ["trimethoprim-sulfamethoxazole", "co-trimoxazole"], "timepoint": "hospital"},
            ],
            "labs": [{"test": ["ferritin"], "value": 2140, "unit": "μg/L", "timepoint": "admission"}],
            "diagnoses": [
                "dermatomyositis",
                {"diagnosis": "tuberculosis", "negated": True, "icd10cm": "A15.9"},
                {"diagnosis": ["sle", "systemic lupus erythematosus"], "certainty": "suspected", "icd10cm": "M32.9"},
            ],
        }
    },
}


def invoke(*args):
    return CliRunner().invoke(app, [str(a) for a in args])


def problems_of(path: Path) -> list[str]:
    return [str(problem) for problem in check_gold(path).problems]


def write_gold(folder: Path, change=None, name: str = "d1.json") -> Path:
    gold = copy.deepcopy(GOOD)
    if change:
        change(gold, gold["cases"]["1"])
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(json.dumps(gold, indent=2, ensure_ascii=False), encoding="utf-8")
    return path


# --- the checker, file by file ---------------------------------------------------------------------


def test_every_shipped_gold_file_checks_clean():
    for folder, n_files in ((ROOT / "gold", 4), (ROOT / "gold" / "real", 45)):
        checked = check_gold(folder)
        assert [str(p) for p in checked.problems] == []
        assert len(checked.files) == n_files and len(checked.gold) == n_files and checked.entries > 100
    assert len(check_gold(ROOT / "gold" / "real").split_of) == 45


def test_a_clean_file_with_notes_at_every_level(tmp_path):
    def notes(gold, case):
        gold["_comment"] = "curated from the PDF"
        case["_sentence"] = "A 42-year-old woman"
        case["medications"][0]["_sentence"] = "methylprednisolone 80 mg daily"
        case["diagnoses"][1]["_why"] = "no history of tuberculosis"

    path = write_gold(tmp_path, notes)
    checked = check_gold(path)
    assert checked.problems == [] and checked.cases == 1 and checked.entries == 6


def test_a_json_syntax_error_is_told_with_its_line_and_column(tmp_path):
    path = tmp_path / "d1.json"
    path.write_text('{\n  "doc_id": "d1"\n  "cases": {}\n}\n', encoding="utf-8")  # the comma forgotten
    assert problems_of(path) == [f"{path}:3:3: not valid JSON: Expecting ',' delimiter"]
    path.write_text('{"doc_id": "d1",\n "cases": {"1": {"sex": "male",}}}', encoding="utf-8")
    assert problems_of(path) == [f"{path}:2:32: not valid JSON: Expecting property name enclosed in double quotes"]
    path.write_bytes(b'{"doc_id": "d1",\n "cases": {"1": {"sex": "m\xe4le"}}}')  # Latin-1, not UTF-8
    assert problems_of(path) == [f"{path}:2:27: not UTF-8 text"]


@pytest.mark.parametrize(
    "change, expected",
    [
        (
            lambda gold, case: case["medications"][0].update(dose_units="mg"),
            "cases.1.medications[0].dose_units: unknown key 'dose_units': did you mean 'dose_unit'? a medication"
            f" has drug, dose_value, dose_unit, frequency, timepoint {NOTE}",
        ),
        (
            lambda gold, case: case.update(patient_age=42),
            f"cases.1.patient_age: unknown key 'patient_age': {CASE_KEYS} {NOTE}",
        ),
        (
            lambda gold, case: case.update(age_years="42"),
            'cases.1.age_years: must be the age in years as a number, not the string "42"',
        ),
        (
            lambda gold, case: case.update(sex="f"),
            'cases.1.sex: must be "female" or "male", not the string "f"',
        ),
        (
            lambda gold, case: case["labs"][0].update(value="2140"),
            'cases.1.labs[0].value: must be a number, not the string "2140"',
        ),
        (
            lambda gold, case: case["diagnoses"][1].update(negated="yes"),
            'cases.1.diagnoses[1].negated: must be true or false, not the string "yes"',
        ),
        (
            lambda gold, case: case.update(labs={"test": "ferritin"}),
            "cases.1.labs: must be a list, not an object",
        ),
        (
            lambda gold, case: case["medications"][1].update(drug=[]),
            "cases.1.medications[1].drug: must be a name or a list of names (non-empty strings), not a list",
        ),
        (
            lambda gold, case: case["labs"][0].pop("unit"),
            "cases.1.labs[0]: a lab needs 'unit'",
        ),
        (
            lambda gold, case: case["medications"][0].pop("dose_unit"),
            'cases.1.medications[0]: "methylprednisolone" has a dose_value (80) but no dose_unit: a dose without'
            " a unit is no dose (leave both out)",
        ),
        (
            lambda gold, case: case["medications"].append(
                {"drug": "MethylPrednisolone", "dose_value": 80.0, "dose_unit": "mg", "frequency": "1/d"}
            ),
            'cases.1.medications[2]: the same fact as medications[0] ("MethylPrednisolone" 80.0 mg): one entry a fact',
        ),
        (
            lambda gold, case: case["diagnoses"].append({"diagnosis": ["lupus", "SLE"]}),
            'cases.1.diagnoses[3]: "sle" (present) is also in diagnoses[2]: synonyms of one condition are one'
            " entry's list",
        ),
        (
            lambda gold, case: case["diagnoses"][1].update(icd10cm="A159"),
            'cases.1.diagnoses[1].icd10cm: "A159" is not an ICD-10-CM code as simple-icd-10-cm writes it, like'
            " K52.832 (did you mean A15.9?)",
        ),
        (
            lambda gold, case: case["diagnoses"][2].update(icd10cm="lupus"),
            'cases.1.diagnoses[2].icd10cm: "lupus" is not an ICD-10-CM code as simple-icd-10-cm writes it, like'
            " K52.832",
        ),
        (
            lambda gold, case: gold.update(doc_id="d2"),
            'doc_id: "d2" is not the file\'s name: the gold of d2 is d2.json',
        ),
        (
            lambda gold, case: gold.update(cases={"case 1": case}),
            'cases.case 1: "case 1" is not a case id: patients are numbered 1, 2, … as the tables number them',
        ),
        (
            lambda gold, case: gold.update(cases={"1": case, "3": {}}),
            "cases: patients are numbered 1, 2, … in the article's order, not 1, 3",
        ),
    ],
    ids=[
        "unknown-entry-key",
        "unknown-case-key",
        "age-as-text",
        "sex-abbreviated",
        "lab-value-as-text",
        "negated-as-text",
        "labs-not-a-list",
        "empty-name-list",
        "lab-without-unit",
        "dose-without-unit",
        "duplicate-medication",
        "diagnosis-spelling-twice",
        "code-without-dot",
        "code-not-a-code",
        "doc-id-not-file-name",
        "case-id-not-a-number",
        "case-ids-not-in-order",
    ],
)
def test_each_defect_is_named_where_it_is(tmp_path, change, expected):
    path = write_gold(tmp_path, change)
    assert problems_of(path) == [f"{path}: {expected}"]


def test_what_json_itself_would_hide_is_told(tmp_path):
    """A key written twice (JSON keeps the last: a whole patient lost) and NaN (no JSON number)."""
    path = tmp_path / "d1.json"
    path.write_text(
        '{"doc_id": "d1", "cases": {"1": {"sex": "male"}, "1": {"age_years": NaN, "sex": "male", "sex": "female"}}}',
        encoding="utf-8",
    )
    assert problems_of(path) == [
        f"{path}: cases.1: case 1 is written twice: JSON keeps only the last",
        f"{path}: cases.1.sex: 'sex' is written twice in one case: JSON keeps only the last",
        f"{path}: cases.1.age_years: must be the age in years as a number, not NaN (not a JSON number)",
    ]


def test_every_problem_of_a_file_is_told_at_once(tmp_path):
    def three_typos(gold, case):
        case["sex"] = "Female"
        case["medications"][0].pop("dose_unit")
        case["diagnoses"][1]["icd10cm"] = "a15.9"

    assert len(problems_of(write_gold(tmp_path, three_typos))) == 3


def test_the_split_covers_the_gold_files_once_each(tmp_path):
    write_gold(tmp_path / "gold")
    write_gold(tmp_path / "gold", lambda gold, case: gold.update(doc_id="d2"), "d2.json")
    write_gold(tmp_path / "gold", lambda gold, case: gold.update(doc_id="d3"), "d3.json")
    splits = tmp_path / "gold" / SPLITS_FILE
    splits.write_text(json.dumps({"rule": "by hand", "dev": ["d1", "d1"], "test": ["d2", "d1", "d9"]}), "utf-8")
    assert problems_of(tmp_path / "gold") == [
        f"{splits}: dev[1]: d1 is listed twice",
        f"{splits}: test[1]: d1 is in both 'dev' and 'test'",
        f"{splits}: test[2]: d9 has no gold file (d9.json)",
        f"{tmp_path / 'gold' / 'd3.json'}: d3 is in no split of SPLITS.json",
    ]


# --- the commands ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def finished_run(tmp_path_factory) -> Path:
    """A run of one corpus PDF and one unreadable file (an error row), scored once against gold/."""
    out = tmp_path_factory.mktemp("run") / "out"
    bad = bad_inputs.zero_bytes(out.parent / "empty.pdf")
    result = invoke("run", CORPUS_PDF, bad, "--out", out, "--quiet", "--workers", "1")
    assert result.exit_code == 0, result.output
    assert invoke("eval", out, ROOT / "gold").exit_code == 0
    return out


def test_gold_check_from_the_shell(tmp_path):
    clean = subprocess.run(
        [sys.executable, "-m", "pipeline.cli", "gold", "check", "gold", "gold/real"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert clean.stdout.startswith("49 gold files, 67 cases, ") and clean.stdout.rstrip().endswith("no problem")
    path = write_gold(tmp_path, lambda gold, case: case.update(sex="f", age="42"))
    dirty = subprocess.run(
        [sys.executable, "-m", "pipeline.cli", "gold", "check", str(tmp_path)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    assert dirty.returncode == 2
    assert dirty.stdout.splitlines() == [
        f'{path}: cases.1.sex: must be "female" or "male", not the string "f"',
        f"{path}: cases.1.age: unknown key 'age': did you mean 'age_years'? {CASE_KEYS} {NOTE}",
    ]
    assert dirty.stderr.strip() == "2 problems in the gold: casextract eval refuses it until they are fixed"


def test_gold_check_usage_errors_and_help(tmp_path):
    nowhere = invoke("gold", "check", tmp_path / "nowhere")
    assert (
        nowhere.exit_code == 2
        and nowhere.stderr.strip() == f"casextract: no such gold file or folder: {tmp_path / 'nowhere'}"
    )
    empty = invoke("gold", "check", tmp_path)
    assert empty.exit_code == 2 and empty.stderr.strip() == f"casextract: no gold file (*.json) in {tmp_path}"
    text = invoke("gold", "draft", "--help").output
    assert "OUT" in text and "DOC_ID" in text and "<bool>" not in text and "{" not in text


def test_eval_refuses_malformed_gold_and_touches_nothing(finished_run, tmp_path):
    written = [
        finished_run / "eval" / "scores.json",
        finished_run / "eval" / "errors.tsv",
        finished_run / "report.html",
    ]
    before = [path.read_bytes() for path in written]
    gold = tmp_path / "gold"
    (gold).mkdir()
    good = gold / "synth-001.json"
    good.write_bytes((ROOT / "gold" / "synth-001.json").read_bytes())  # matches the run: would be scored
    typo = write_gold(gold, lambda g, case: case["medications"][0].pop("dose_unit"))
    broken = gold / "d2.json"
    broken.write_text('{"doc_id": "d2", "cases": {"1": {"sex": "male"}', encoding="utf-8")
    result = invoke("eval", finished_run, gold)
    assert result.exit_code == 2, result.output
    assert result.stderr.splitlines() == [
        f'{typo}: cases.1.medications[0]: "methylprednisolone" has a dose_value (80) but no dose_unit: a dose'
        " without a unit is no dose (leave both out)",
        f"{broken}:1:48: not valid JSON: Expecting ',' delimiter",
        f"casextract: 2 problem(s) in the gold at {gold}: nothing scored, nothing written",
    ]
    assert [path.read_bytes() for path in written] == before
    # the same folder without the defects is scored
    typo.unlink()
    broken.unlink()
    assert invoke("eval", finished_run, gold).exit_code == 0


def test_a_draft_checks_clean_and_scores_perfectly_against_its_run(finished_run, tmp_path):
    gold = tmp_path / "gold"
    gold.mkdir()
    drafted = invoke("gold", "draft", finished_run, "synth-001", "--to", gold)
    assert drafted.exit_code == 0, drafted.output
    path = gold / "synth-001.json"
    draft = json.loads(path.read_text("utf-8"))
    case = draft["cases"]["1"]
    assert case["sex"] == "female" and case["age_years"] == 42
    assert {"drug": "tacrolimus", "dose_value": 1, "dose_unit": "mg", "frequency": "2/d"}.items() <= next(
        m for m in case["medications"] if m["drug"] == "tacrolimus"
    ).items()
    every_entry = case["medications"] + case["labs"] + case["diagnoses"]
    assert all(entry["_sentence"] for entry in every_entry)  # each fact with the sentence it came from
    assert (
        "tacrolimus 1 mg twice daily" in next(m for m in case["medications"] if m["drug"] == "tacrolimus")["_sentence"]
    )
    assert check_gold(gold).problems == []
    checked = invoke("gold", "check", path)
    assert checked.exit_code == 0 and "1 gold file, 1 case" in checked.stdout

    scores = tmp_path / "scores.json"
    scored = invoke("eval", finished_run, path, "--scores", scores, "--errors", tmp_path / "errors.tsv")  # one file
    assert scored.exit_code == 0, scored.output
    micro = json.loads(scores.read_text("utf-8"))["micro"]
    assert set(micro) == set(FIELDS)
    assert {field: (s["fp"], s["fn"]) for field, s in micro.items()} == {field: (0, 0) for field in FIELDS}
    assert all(micro[field]["f1"] == 1.0 for field in FIELDS), micro
    assert (tmp_path / "errors.tsv").read_text("utf-8").count("\n") == 1  # the header alone


def test_a_draft_never_replaces_a_file_unasked(finished_run, tmp_path):
    path = tmp_path / "synth-001.json"
    path.write_text("curated by hand", encoding="utf-8")
    refused = invoke("gold", "draft", finished_run, "synth-001", "--to", path)
    assert refused.exit_code == 2 and "exists" in refused.stderr and "--force" in refused.stderr
    assert path.read_text("utf-8") == "curated by hand"
    assert invoke("gold", "draft", finished_run, "synth-001", "--to", path, "--force").exit_code == 0
    assert json.loads(path.read_text("utf-8"))["doc_id"] == "synth-001"
    named_otherwise = invoke("gold", "draft", finished_run, "synth-001", "--to", tmp_path / "mine.json")
    assert named_otherwise.exit_code == 2 and "is named synth-001.json" in named_otherwise.stderr
    assert not (tmp_path / "mine.json").exists()
    into_a_new_folder = invoke("gold", "draft", finished_run, "synth-001", "--to", tmp_path / "my-gold")
    assert into_a_new_folder.exit_code == 0 and (tmp_path / "my-gold" / "synth-001.json").is_file()


def test_a_draft_of_a_document_the_run_lacks_names_those_it_has(finished_run, tmp_path):
    unknown = invoke("gold", "draft", finished_run, "synth-009", "--to", tmp_path)
    assert unknown.exit_code == 2
    assert unknown.stderr.strip() == f"casextract: {finished_run} has no document 'synth-009'; it has empty, synth-001"
    error_row = invoke("gold", "draft", finished_run, "empty", "--to", tmp_path)
    assert error_row.exit_code == 2 and "empty is an error row" in error_row.stderr
    assert list(tmp_path.iterdir()) == []
    assert invoke("gold", "draft", tmp_path, "synth-001").exit_code == 2  # not a run folder
