"""`make eval-real`: accuracy on the 45 real case reports, per split, on every input path.

Builds the inputs (tools/real_corpus.py) when missing, runs `casextract run` on each path —
`text` (the web text as the corpus has it), `pdf-2col` and `pdf-1col` (PDFs rendered from it) —
scores each run against gold/real/ with `casextract eval`, and prints F1 per field for the dev and
test splits of gold/real/SPLITS.json side by side, with the number of gold facts per field.
Figures go to out/real/scores.json. Error lists (OUT/eval/errors.tsv) hold the dev split only:
the test split is judged by its scores.
"""

from __future__ import annotations

import argparse
import json
import math
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tools.real_corpus import DEFAULT_SOURCE, build  # noqa: E402

GOLD = ROOT / "gold" / "real"
PATHS = ("text", "pdf-2col", "pdf-1col")


def run_and_score(path: str, inputs: Path, runs: Path, gold: Path = GOLD, workers: int | None = None) -> dict:
    """One fresh run of one input path, scored → {"all"|split: {field: score dict}}."""
    from pipeline.batch import run
    from pipeline.evaluate import evaluate, write_reports

    out = runs / path
    shutil.rmtree(out, ignore_errors=True)
    run(sorted(inputs.iterdir()), out, workers=workers)  # a folder is searched for PDFs only
    result = evaluate(out, gold)  # raises GoldError, listing every problem, on malformed gold
    write_reports(result, out / "eval" / "scores.json", out / "eval" / "errors.tsv")
    scores = {"all": {f: s.as_dict() for f, s in result.micro.items()}}
    for split, split_scores in result.per_split.items():
        if any(result.split_of.get(d) == split for d in result.per_document):
            scores[split] = {f: s.as_dict() for f, s in split_scores.items()}
    scores["codes"] = {"all": result.codes.as_dict()} | {
        split: codes.as_dict() for split, codes in result.codes_per_split.items()
    }
    return scores


def floor_for(score: dict) -> float:
    """The F1 this field would have with one gold fact fewer found (tp − 1, fn + 1), rounded down:
    the accuracy floor that lets one fact wobble and no more."""
    from pipeline.evaluate import Score

    if score["tp"] <= 1:
        return 0.0
    return math.floor(Score(score["tp"] - 1, score["fp"], score["fn"] + 1).f1 * 1000) / 1000


def code_floors(codes: dict) -> dict[str, float]:
    """Each code figure with one matched fact fewer right, rounded down."""

    def floor(part: int, whole: int) -> float:
        return math.floor(max(part - 1, 0) / whole * 1000) / 1000 if whole else 0.0

    diagnoses, drugs = codes["diagnoses"], codes["drugs"]
    return {
        "icd10cm_category_accuracy": floor(codes["same_category"], diagnoses),
        "icd10cm_accuracy": floor(codes["same_code"], diagnoses),
        "icd10cm_coverage": floor(codes["coded"], diagnoses),
        "drugbank_coverage": floor(codes["drugs_with_drugbank"], drugs),
    }


def write_floors(results: dict[str, dict], paths: tuple[str, ...] = ("text", "pdf-2col")) -> None:
    floors_path = ROOT / "tests" / "accuracy_floors.json"
    floors = json.loads(floors_path.read_text("utf-8"))
    floors["real-test"] = {
        path: {f: floor_for(s) for f, s in results[path]["test"].items()} for path in paths if path in results
    }
    floors["real-test-codes"] = {path: code_floors(results[path]["codes"]["test"]) for path in paths if path in results}
    floors_path.write_text(json.dumps(floors, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"floors for the test split → {floors_path}")


def print_table(results: dict[str, dict], splits: tuple[str, ...]) -> None:
    from pipeline.evaluate import CODE_FIGURES, FIELDS

    def f1_cell(score: dict | None) -> str:
        if score is None:
            return ""
        return f"{'–' if score['f1'] is None else format(score['f1'], '.3f')} ({score['tp'] + score['fn']})"

    def code_cell(value: float | None) -> str:
        return "–" if value is None else f"{value:.3f}"

    print_by_path_and_split(
        "F1 per field on gold/real (gold facts)",
        "field",
        {name: lambda scores, split, name=name: f1_cell(scores.get(split, {}).get(name)) for name in FIELDS},
        results,
        splits,
    )
    print_by_path_and_split(
        "Codes on matched facts",
        "figure",
        {
            key: lambda scores, split, key=key: code_cell(scores["codes"].get(split, {}).get(key))
            for key in CODE_FIGURES
        },
        results,
        splits,
    )


def print_by_path_and_split(
    title: str, first: str, rows: dict, results: dict[str, dict], splits: tuple[str, ...]
) -> None:
    """A table with a column per input path and split, a row per entry of `rows` (its name → the
    cell for a path's scores and a split)."""
    from rich.console import Console
    from rich.table import Table

    table = Table(title=title, title_justify="left")
    table.add_column(first)
    for path in results:
        for split in splits:
            table.add_column(f"{path}\n{split}", justify="right")
    for name, cell in rows.items():
        table.add_row(name, *(cell(scores, split) for scores in results.values() for split in splits))
    Console(width=200).print(table)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--paths", nargs="+", default=list(PATHS), choices=PATHS)
    parser.add_argument("--split", choices=("dev", "test"), help="only the documents of this split")
    parser.add_argument("--out", type=Path, default=ROOT / "out" / "real")
    parser.add_argument("--workers", type=int)
    parser.add_argument(
        "--write-floors",
        action="store_true",
        help="set tests/accuracy_floors.json 'real-test' from these test-split scores",
    )
    args = parser.parse_args()
    if not DEFAULT_SOURCE.exists():
        sys.exit(f"{DEFAULT_SOURCE} not found: the real reports live in ../shared beside the checkout")
    splits = json.loads((GOLD / "SPLITS.json").read_text("utf-8"))
    doc_ids = set(splits[args.split]) if args.split else None
    wanted = (args.split,) if args.split else ("dev", "test")
    inputs_root = args.out / ("inputs" if doc_ids is None else f"inputs-{args.split}")
    folders = build(inputs_root, doc_ids=doc_ids, layouts=tuple(args.paths))
    results = {path: run_and_score(path, folders[path], args.out / "runs", workers=args.workers) for path in args.paths}
    (args.out / "scores.json").write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print_table(results, wanted)
    if args.write_floors:
        write_floors(results)
    print(f"scores → {args.out / 'scores.json'}; dev error lists → {args.out}/runs/PATH/eval/errors.tsv")


if __name__ == "__main__":
    main()
