"""``put_back`` gives a dict the order it had before ``runs_out``'s keys were removed and set again at its
end, each key with its own value (it pops and re-sets the moved entries one by one, in their new order)."""

from __future__ import annotations

import numpy as np
import pytest

from pixelproof.core.dict_order import put_back, runs_out


@pytest.mark.parametrize("seed", range(40))
def test_removed_keys_set_again_at_the_end_go_back_to_their_places(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 60))
    before = {int(k): f"v{k}" for k in rng.permutation(np.arange(1000))[:n]}
    wanted = {k for k in before if rng.random() < float(rng.choice([0.05, 0.3, 0.9]))}
    runs, found = runs_out(before, wanted)
    d = {k: v for k, v in before.items() if k not in wanted}
    d.update((k, before[k]) for k in found)  # what an undo does before it puts them back
    put_back(d, runs)
    assert list(d.items()) == list(before.items())


def test_keys_that_ended_the_dict_stay_where_they_are() -> None:
    d = {1: "a", 2: "b", 3: "c"}
    runs, _ = runs_out(d, {2, 3})
    put_back(d, runs)
    assert list(d.items()) == [(1, "a"), (2, "b"), (3, "c")]
