"""spaCy imported without its command line.

`import spacy` imports `spacy.cli`, and with it every `spacy` command (project, train, debug …,
jinja2, displacy, the training converters: some 60 modules), for the one function it re-exports
(`spacy.info`): 0.05-0.1 s of every run's start, none of it used by a run. Here `spacy.cli` is a
bare package while spaCy's own import runs, so that only `spacy.cli.info` (and what it needs) is
imported, and is then taken away again: a later `import spacy.cli` (training: `spacy.cli.train`) imports the whole
command line as usual. Should spaCy's import need more of `spacy.cli` than that, it is imported
again the usual way.
"""

from __future__ import annotations

import importlib.util
import os
import sys
import types


def import_spacy() -> None:
    """Import spaCy (once per process) without importing its command line's modules."""
    if "spacy" in sys.modules:
        return
    spec = importlib.util.find_spec("spacy")
    if spec is None or not spec.submodule_search_locations:
        return
    bare = types.ModuleType("spacy.cli")
    bare.__path__ = [os.path.join(spec.submodule_search_locations[0], "cli")]
    sys.modules["spacy.cli"] = bare
    try:
        import spacy  # noqa: F401
    except ImportError:  # a spaCy whose import needs all of `spacy.cli`: import it as usual
        for name in [n for n in sys.modules if n == "spacy" or n.startswith("spacy.")]:
            del sys.modules[name]
        import spacy  # noqa: F401
    finally:
        if sys.modules.get("spacy.cli") is bare:
            del sys.modules["spacy.cli"]
        spacy_module = sys.modules.get("spacy")
        if spacy_module is not None and spacy_module.__dict__.get("cli") is bare:
            del spacy_module.cli


import_spacy()
