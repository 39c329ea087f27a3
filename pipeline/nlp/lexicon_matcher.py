"""Longest-match lookup of a large name list on a Doc's tokens (the drug lexicon and the disease
gazetteer of `casextract_entities`)."""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterable
from functools import lru_cache

from spacy.tokens import Doc

from ..disk_cache import disk_cached
from ..lexicons import disease_gazetteer, drug_lexicon
from .name_forms import dashes_as_hyphens
from .values import token_view

REMEMBERED = 100_000  # texts whose answer a matcher keeps (~10 MB), then it starts again


class LexiconMatcher:
    """Longest-match lookup of a large name list (the 55,000-name drug lexicon) on token spans.

    Written here rather than using spaCy's PhraseMatcher, which for this lexicon costs ~310 MB
    and ~3 s at every start of every worker (one pattern Doc and trie path per name); a dict
    lookup of each span's lower-cased text costs the dict itself and matches the text exactly
    as written, whatever the tokenizer does with hyphens and slashes inside a name.
    """

    def __init__(self, names: Iterable[str], max_tokens: int = 8):
        self.names = _folded(names)
        self.max_tokens = max_tokens
        self.heads = {n[:3] for n in self.names}
        self.in_order = sorted(self.names)
        self.begun: dict[str, bool] = {}  # text → whether a name begins with it, as looked up

    def __call__(self, doc: Doc) -> list[tuple[int, int]]:
        lowers, spaces, stops = token_view(doc)
        found = []
        i, n = 0, len(doc)
        begun = self.begun
        if len(begun) > REMEMBERED:
            begun.clear()
        while i < n:
            end = None
            if lowers[i][:3] in self.heads or len(lowers[i]) < 3:
                text = lowers[i]
                for j in range(i + 1, min(n, i + self.max_tokens) + 1):
                    # no name begins so: no longer run of tokens can be one, and most runs end
                    # here after a token or two (a word's answer is remembered: most recur)
                    begins = begun.get(text)
                    if begins is None:
                        begins = begun[text] = self.name_begins(text)
                    if not begins:
                        break
                    if text in self.names:
                        end = j  # keep looking: the longest name wins
                    if j < n:
                        if stops[j]:
                            break
                        text = text + spaces[j - 1] + lowers[j]
            if end is not None:
                found.append((i, end))
                i = end
            else:
                i += 1
        return found

    def name_begins(self, text: str) -> bool:
        """Whether some name begins with `text` (the first name sorted at or after it does)."""
        at = bisect_left(self.in_order, text)
        return at < len(self.in_order) and self.in_order[at].startswith(text)


def _folded(names: Iterable[str]) -> set[str]:
    """Each name in lower case with every run of white space one space and an en dash a hyphen,
    as `token_view` reads the text, in one pass over all of them joined by NUL (which is neither
    white space nor a letter, so no run and no lower-casing crosses it): a substitution per name
    was a sixth of a second at every start."""
    names = list(names)
    joined = "\x00".join(names)
    if "\x00" in "".join(names):  # a name with a NUL of its own: name by name
        return {dashes_as_hyphens(re.sub(r"\s+", " ", n.lower())) for n in names}
    return set(dashes_as_hyphens(re.sub(r"\s+", " ", joined.lower())).split("\x00")) if names else set()


# the matchers of the two lexicons kept whole in the disk cache: folding, indexing and sorting their
# 70,000 names was a fifteenth of a second at every start, reading them back is a hundredth


@lru_cache(maxsize=4)
@disk_cached
def drug_matcher(
    names: str = "drugs.tsv.gz", overrides: str = "drug_overrides.tsv", routes: str | None = "routes.json"
) -> LexiconMatcher:
    """A matcher of `drug_lexicon(names, overrides, routes)`'s names."""
    return LexiconMatcher(drug_lexicon(names, overrides, routes))


@lru_cache(maxsize=4)
@disk_cached
def disease_matcher(
    names: str = "diseases.tsv.gz",
    additions: str = "disease_additions.txt",
    ontology: str = "disease_vocabulary.tsv.gz",
) -> LexiconMatcher:
    """A matcher of `disease_gazetteer(names, additions, ontology)`."""
    return LexiconMatcher(disease_gazetteer(names, additions, ontology))
