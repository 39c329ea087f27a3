"""Registered spaCy components of the casextract pipeline (see `pipeline.cfg`), one module each.

Order in the pipeline: casextract_paragraphs → sentencizer → abbreviation_detector (scispaCy) →
casextract_ner (`learned_ner.py`: the trained tok2vec + ner, CHEMICAL and DISEASE, kept in the
pipeline disabled and run by it) → casextract_entities (`entities.py`) → casextract_medication
(`medication.py`) → casextract_labs (`labs.py`; tables in `lab_tables.py`) → negex (negspaCy's NegEx, `negation.py`) →
casextract_certainty (`certainty.py`) → casextract_conditions (`condition_filter.py`) →
casextract_statements (`statements.py`: the patient's sentence or general knowledge) →
casextract_case_ner (`learned_ner.py`, the case-report recogniser around each condition no
vocabulary names) →
casextract_fact_types (`fact_types.py`: what each span is and whose) → casextract_demographics
(`demographics.py`: ages and sexes) → casextract_coder (`coding.py`: ICD-10-CM, Disease Ontology,
MeSH, DrugBank and LOINC codes; a newborn's conditions by the patient's age).
Shared value types and the Doc/Span extensions they write are in `values.py`. Importing this
module registers every factory.
"""

from ..lexicons import disease_gazetteer  # noqa: F401
from . import (  # noqa: F401
    certainty,
    coding,
    condition_filter,
    demographics,
    entities,
    fact_types,
    labs,
    learned_ner,
    medication,
    negation,
    statements,
)
from .concepts import Codes  # noqa: F401
from .entities import ClinicalEntities, pathogen_infections  # noqa: F401
from .lab_tables import read_lab_tables  # noqa: F401
from .labs import LabValues  # noqa: F401
from .lexicon_matcher import LexiconMatcher  # noqa: F401
from .medication import MedicationDetails  # noqa: F401
from .values import DISEASE, DRUG, LAB, LabResult, LabTestEntry, Regimen, lab_lexicon  # noqa: F401
