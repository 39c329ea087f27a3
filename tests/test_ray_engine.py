"""`--engine ray` on a local Ray (2 CPUs) gives the same tables as the local engine."""

from __future__ import annotations

import bad_inputs
import pandas as pd
import pytest
from conftest import ROOT

from pipeline.batch import Limits, run
from pipeline.tables import COLUMNS

ray = pytest.importorskip("ray")


@pytest.fixture(scope="module")
def inputs(tmp_path_factory):
    folder = tmp_path_factory.mktemp("ray-in")
    for pdf in sorted((ROOT / "corpus").glob("*.pdf")):
        (folder / pdf.name).write_bytes(pdf.read_bytes())
    bad_inputs.truncated(folder / "damaged.pdf", ROOT / "corpus" / "synth-001.pdf")
    bad_inputs.text_named_pdf(folder / "notes.pdf")
    bad_inputs.crowded_page(folder / "stuck.pdf")  # its worker is stopped at the time limit, inside Ray too
    return folder


LIMITS = Limits(max_seconds=8)


def sorted_frame(df: pd.DataFrame) -> pd.DataFrame:
    return df.sort_values(list(df.columns)).reset_index(drop=True)


def test_local_and_ray_engines_write_the_same_tables(inputs, tmp_path):
    local, on_ray = tmp_path / "local", tmp_path / "ray"
    run([inputs], local, workers=2, limits=LIMITS)
    try:
        summary = run([inputs], on_ray, engine="ray", ray_options={"num_cpus": 2}, limits=LIMITS)
    finally:
        ray.shutdown()
    assert summary.total == 6 and summary.errors == 3
    for name in COLUMNS:
        a, b = pd.read_parquet(local / f"{name}.parquet"), pd.read_parquet(on_ray / f"{name}.parquet")
        assert len(a) == len(b) and (len(a) > 0)
        pd.testing.assert_frame_equal(sorted_frame(a), sorted_frame(b))
        parts = pd.read_parquet(on_ray / "parquet" / name)
        pd.testing.assert_frame_equal(sorted_frame(parts[a.columns].astype(a.dtypes.to_dict())), sorted_frame(a))
    for text in (local / "text").glob("*.txt"):
        assert (on_ray / "text" / text.name).read_text("utf-8") == text.read_text("utf-8")
    docs = pd.read_parquet(on_ray / "documents.parquet").set_index("doc_id")
    assert docs.loc["damaged", "error"].startswith("damaged PDF") and docs.loc["notes", "error"] == "not a PDF"
    assert docs.loc["stuck", "error"] == "took longer than 8 s (limit --max-seconds); stopped"


def test_ray_run_resumes_like_the_local_one(inputs, tmp_path):
    out = tmp_path / "out"
    run([inputs], out, workers=1, limits=LIMITS)
    (out / ".casextract" / "documents" / "synth-002.json").unlink()
    try:
        summary = run([inputs], out, engine="ray", resume=True, ray_options={"num_cpus": 2}, limits=LIMITS)
    finally:
        ray.shutdown()
    assert summary.resumed == 5 and summary.total == 6
    assert len(pd.read_parquet(out / "cases.parquet")) == 6
