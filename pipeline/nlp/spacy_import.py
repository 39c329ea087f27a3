"""spaCy imported without its command line.

`import spacy` imports `spacy.cli`, and with it every `spacy` command (project, train, debug …,
jinja2, displacy, the training converters: some 60 modules), for the one function it re-exports
(`spacy.info`), itself importing weasel, requests and urllib3 (`spacy.cli.info` → `spacy.cli._util`,
`spacy.cli.download`): 0.15-0.25 s of every run's start, none of it used by a run. Here `spacy.cli`
is a bare package and `spacy.cli.info` a stand-in while spaCy's own import runs; both are then taken
away again, and `spacy.info` imports the real one when first asked for: a later `import spacy.cli`
(training: `spacy.cli.train`) imports the whole command line as usual. Should spaCy's import need
more of `spacy.cli` than that, it is imported again the usual way.
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
    info = types.ModuleType("spacy.cli.info")  # `spacy.info`, imported when first asked for
    info.info = _info_on_first_use
    sys.modules["spacy.cli"], sys.modules["spacy.cli.info"] = bare, info
    try:
        import spacy  # noqa: F401
    except ImportError:  # a spaCy whose import needs all of `spacy.cli`: import it as usual
        for name in [n for n in sys.modules if n == "spacy" or n.startswith("spacy.")]:
            del sys.modules[name]
        import spacy  # noqa: F401
    finally:
        for name, stand_in in (("spacy.cli", bare), ("spacy.cli.info", info)):
            if sys.modules.get(name) is stand_in:
                del sys.modules[name]
        spacy_module = sys.modules.get("spacy")
        if spacy_module is not None and spacy_module.__dict__.get("cli") is bare:
            del spacy_module.cli
        if spacy_module is not None and spacy_module.__dict__.get("info") is _info_on_first_use:
            del spacy_module.info
            spacy_module.__getattr__ = _spacy_attribute


def _spacy_attribute(name: str):
    """`spacy.info`, spaCy's own (`spacy.cli.info.info`), imported on first use (PEP 562)."""
    if name != "info":
        raise AttributeError(f"module 'spacy' has no attribute {name!r}")
    from spacy.cli.info import info

    sys.modules["spacy"].info = info
    return info


def _info_on_first_use(*args, **kwargs):
    return _spacy_attribute("info")(*args, **kwargs)


import_spacy()
