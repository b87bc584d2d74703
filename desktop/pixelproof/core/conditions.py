"""What the app's filter boxes share: the comparison operators and the error a malformed filter raises.

The review view's metric filter ("Dice < 0.9") and the Images panel's query ("objects>5") both compare a
number with these operators, parsed, never eval'd.
"""

from __future__ import annotations

import operator
from collections.abc import Callable

OPERATORS: dict[str, Callable[[float, float], bool]] = {
    "<=": operator.le,
    ">=": operator.ge,
    "!=": operator.ne,
    "==": operator.eq,
    "=": operator.eq,
    "<": operator.lt,
    ">": operator.gt,
}
OPERATOR_PATTERN = "<=|>=|!=|==|=|<|>"  # longest first: "<=" is not "<" then "="


class FilterError(ValueError):
    """A filter text that cannot be read; the message says what is wrong, with an example."""
