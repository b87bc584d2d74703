"""One rule for comparing names without case (classes in QA's pairing and the image query's ``class:``).

Unicode casefold, in one Unicode form (NFKC: 'é' typed as e + accent, full-width letters) before and
after. Casefold turns Turkish capital dotted 'İ' into i + COMBINING DOT ABOVE, a dot the i already has, so
'İlaç' never met 'ilaç': that dot is dropped, in every locale ('İ' is a dotted i in all of them). Dotless
'ı' stays a letter of its own: 'I' is its capital in Turkish only (elsewhere i's), and pairing 'ı' with 'i'
would join two words ('sık' and 'sik'); so 'KIRMIZI' folds to 'kirmizi', not to 'kırmızı'.
"""

from __future__ import annotations

import unicodedata

_DOTTED_I = "i\u0307"  # casefold('İ'): an i with its dot written twice


def fold(name: str) -> str:
    """``name`` without case, in NFKC, 'İ' and 'i' alike; see the module's note for why not 'ı'."""
    folded = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", name).casefold())
    return folded.replace(_DOTTED_I, "i")
