"""``json_nesting.Nesting``: the levels a JSON text nests, counted from its bytes as they come, agree with
the text parsed (strings, escapes and brackets in them included), and with themselves whatever the chunks
(numpy for long ones, byte by byte for short)."""

from __future__ import annotations

import json
import random

import pytest

from pixelproof.core import json_nesting
from pixelproof.core.json_nesting import Nesting
from pixelproof.core.limits import json_depth


def _over(data: bytes, limit: int, chunk: int) -> tuple:
    nesting = Nesting(limit)
    for i in range(0, len(data), chunk):
        nesting.feed(data[i : i + chunk])
    state = None if nesting.over is not None else (nesting.depth, nesting.in_string, nesting.escaped)
    return nesting.over, state


def _value(rng: random.Random, depth: int) -> object:
    """A JSON value whose strings hold brackets, quotes and backslashes."""
    if depth == 0 or rng.random() < 0.2:
        return rng.choice(
            [1, 2.5, None, True, "".join(rng.choice('[]{}"\\ab') for _ in range(rng.randint(0, 6)))]
        )
    if rng.random() < 0.5:
        return [_value(rng, depth - 1) for _ in range(rng.randint(0, 3))]
    return {
        "".join(rng.choice('[{"\\k') for _ in range(3)) + str(k): _value(rng, depth - 1) for k in range(3)
    }


@pytest.mark.parametrize("small", [0, 10**9], ids=["numpy", "byte by byte"])
def test_the_count_is_the_parsed_nesting(monkeypatch: pytest.MonkeyPatch, small: int) -> None:
    monkeypatch.setattr(json_nesting, "_SMALL", small)
    rng = random.Random(3)
    for _ in range(150):
        value = _value(rng, rng.randint(0, 8))
        text = json.dumps(value).encode()
        depth = json_depth(value, stop=100)
        for chunk in (31, 1 << 20):
            assert _over(text, depth, chunk)[0] is None
            if depth:  # one level fewer: the first bracket opening the deepest level is named
                at = _over(text, depth - 1, chunk)[0]
                assert at is not None and text[at : at + 1] in (b"[", b"{")
                assert _over(text[:at], depth - 1, chunk)[1] == (depth - 1, False, False)


def test_any_bytes_count_alike_whatever_the_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    """Not JSON too (a file streamed and one read whole are refused alike, whatever is wrong with it)."""
    rng = random.Random(1)
    for _ in range(150):
        data = bytes(rng.choice(b'[]{}"\\ab') for _ in range(rng.randint(0, 3000)))
        limit = rng.randint(1, 40)
        monkeypatch.setattr(json_nesting, "_SMALL", 10**9)
        expected = _over(data, limit, len(data) or 1)
        assert _over(data, limit, 3) == expected, (data, limit)
        monkeypatch.setattr(json_nesting, "_SMALL", 0)  # numpy, on chunks cut anywhere
        for chunk in (97, 700, 3000):
            assert _over(data, limit, chunk) == expected, (data, limit, chunk)
