"""What the coder (`coding.py`) writes on a span: the concept it names in every vocabulary."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Codes:
    """The concept a span names, in every vocabulary that knows it ("" where none does)."""

    icd10cm: str = ""
    icd10cm_title: str = ""
    doid: str = ""
    mesh_id: str = ""
    drugbank_id: str = ""
    evidence: str = ""  # the vocabulary's name the codes were chosen from
    # the ICD-10-CM block the code is in (`K80-K87`) and its title: what a run's codes pool by
    icd10cm_block: str = ""
    icd10cm_block_title: str = ""


def own_ids(own: Codes | None) -> dict[str, str]:
    """A name's own Disease Ontology and MeSH ids, kept when another name gives its code."""
    return {"doid": own.doid, "mesh_id": own.mesh_id} if own and (own.doid or own.mesh_id) else {}
