"""`casextract gold check GOLD...` and `casextract gold draft OUT DOC_ID`: gold files checked
before anything is scored from them, and started from a run for a curator to correct.

`check` prints each problem on its own line (`FILE:LINE:COL: message` for JSON syntax, `FILE: path:
message` otherwise), as editors and linters read them, and exits 2 when there is any; 0 and a count
when the gold is clean."""

from __future__ import annotations

from pathlib import Path

import typer

from .cli_shared import TidyHelpGroup, console, run_folder, usage_error

gold_app = typer.Typer(
    no_args_is_help=True, cls=TidyHelpGroup, help="Check gold files, or draft one from a run for a curator to correct."
)


def plural(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


@gold_app.command("check")
def check_command(
    paths: list[Path] = typer.Argument(
        ..., metavar="GOLD", help="Gold folders (their *.json and SPLITS.json) or files"
    ),
) -> None:
    """Every problem of the gold files, one a line; exit 2 when there is any."""
    from .evaluate import check_gold

    missing = [path for path in paths if not path.exists()]
    if missing:
        raise usage_error(f"no such gold file or folder: {missing[0]}")
    files = cases = entries = problems = 0
    for path in paths:
        checked = check_gold(path)
        if not checked.files:
            raise usage_error(f"no gold file (*.json) in {path}")
        for problem in checked.problems:
            print(problem)
        files, cases, entries = files + len(checked.files), cases + checked.cases, entries + checked.entries
        problems += len(checked.problems)
    if problems:
        console.print(
            f"{plural(problems, 'problem')} in the gold: casextract eval refuses it until they are fixed",
            highlight=False,
            soft_wrap=True,
        )
        raise typer.Exit(2)
    print(f"{plural(files, 'gold file')}, {plural(cases, 'case')}, {plural(entries, 'fact')}: no problem")


@gold_app.command("draft")
def draft_command(
    out: Path = typer.Argument(..., help="The --out folder of a casextract run"),
    doc_id: str = typer.Argument(..., metavar="DOC_ID", help="The document to draft the gold of"),
    to: Path | None = typer.Option(
        None,
        "--to",
        metavar="FILE|DIR",
        help="Where to write it: a file named DOC_ID.json, or a folder (default: the current one)",
    ),
    force: bool = typer.Option(False, "--force", help="Replace the file if it exists"),
) -> None:
    """Draft DOC_ID.json from a run: every fact extracted, its sentence under `_sentence`.

    Correct it by reading the article, then `casextract gold check` it."""
    from .evaluate.draft import NoSuchDocument, draft_gold, gold_json
    from .tables import atomic_write_text

    run_folder(out)
    target = to or Path(f"{doc_id}.json")
    if target.is_dir() or (not target.exists() and target.suffix != ".json"):
        target = target / f"{doc_id}.json"  # a folder, made if need be
    if target.name != f"{doc_id}.json":
        raise usage_error(
            f"--to {target}: the gold of {doc_id} is named {doc_id}.json (gold check holds them together)"
        )
    if target.exists() and not force:
        raise usage_error(f"{target} exists: a draft replaces it only with --force")
    try:
        gold = draft_gold(out, doc_id)
    except NoSuchDocument as exc:
        raise usage_error(str(exc)) from None
    atomic_write_text(target, gold_json(gold))
    entries = sum(len(case[name]) for case in gold["cases"].values() for name in ("medications", "labs", "diagnoses"))
    console.print(
        f"draft → {target}: {plural(len(gold['cases']), 'case')}, {plural(entries, 'fact')} as the run found them."
        f" Correct it against the article, then: casextract gold check {target}",
        highlight=False,
        soft_wrap=True,
        markup=False,
    )
