"""How Sen turns text into search terms, the same way at indexing and at query time.

Why Sen tokenises in Python instead of leaving it to the database: SQLite's FTS5
(`unicode61`) and PostgreSQL's text parser split words differently, and neither
splits Chinese, Japanese or Korean (a run of CJK characters is one "word", so
"カントー" would never match a title "カントーの水上マーケット"). Both databases are
therefore given text that is already cut into terms separated by spaces, and only
have to build their inverted index over it; the results are the same on both.

* every term is NFC and lower case (`str.lower`, which also lowers "Đ" to "đ");
* a CJK run becomes its overlapping bigrams ("カントー" -> "カン ント トー"), the
  scheme of Elasticsearch's `cjk_bigram` and of Lucene's CJKAnalyzer: a query's
  bigrams are all found inside any longer text containing the query;
* the folded form of a term is `assets.text.fold` (no diacritics, đ -> d), so that
  "can tho", "Cần Thơ" and "CẦN THƠ" share the folded terms "can tho".
"""

import re
import unicodedata

from assets.text import fold

# Han (with extensions and compatibility ideographs), kana, Hangul (syllables and jamo).
CJK = (
    "\u1100-\u11ff\u3040-\u30ff\u3131-\u318e\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff"
    "\uac00-\ud7af\uf900-\ufaff\uff66-\uff9f\U00020000-\U0002fa1f"
)
_CJK_RUN = re.compile(f"[{CJK}]+")
# A word: letters, digits and the combining marks that belong to them (left over when
# NFC has no precomposed letter: Python's \w does not match marks); "_" separates
# (as FTS5 and PostgreSQL's parser do).
MARKS = "\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\u3099\u309a\ufe20-\ufe2f"
_WORD = re.compile(rf"(?:[^\W_]|[{MARKS}])+")
# A term longer than this is noise (a hash, a pasted URL): cut, as indexes do.
MAX_TERM = 60


def terms(text):
    """The exact (NFC, lower-case) terms of `text`, CJK runs as bigrams."""
    text = unicodedata.normalize("NFC", text or "").lower()
    found = []
    for word in _WORD.findall(text):
        position = 0
        for run in _CJK_RUN.finditer(word):
            found.extend(_plain(word[position : run.start()]))
            chars = run.group()
            if len(chars) == 1:
                found.append(chars)
            else:
                found.extend(chars[i : i + 2] for i in range(len(chars) - 1))
            position = run.end()
        found.extend(_plain(word[position:]))
    return found


def _plain(word):
    return [word[:MAX_TERM]] if word else []


def folded_terms(exact_terms):
    """Folded terms; CJK terms stay as they are: NFD would split Hangul syllables into
    jamo and strip the voicing marks of kana ("ガ" is not "カ")."""
    return [term if _CJK_RUN.search(term) else fold(term) for term in exact_terms]


def has_cjk(text):
    return bool(_CJK_RUN.search(text or ""))
