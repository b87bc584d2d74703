"""core.limits: the one place limits and path rules live (issue 11, items 7-12)."""

from __future__ import annotations

import math
import os
import sys
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pixelproof.core import coordinate_limits, limits
from pixelproof.core.limits import LimitError

posix_only = pytest.mark.skipif(os.name != "posix", reason="FIFOs, devices and symlinks")


@pytest.fixture(autouse=True)
def default_limit(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv(limits.ENV_MAX_PIXELS, raising=False)
    limits.set_max_pixels(None)
    yield
    limits.set_max_pixels(None)


@pytest.mark.parametrize(
    ("text", "value"),
    [("300000000", 300_000_000), ("300M", 300_000_000), ("1.5G", 1_500_000_000), ("2**30", 2**30),
     ("1_000k", 1_000_000), (" 64 ", 64), (7, 7)],
)  # fmt: skip
def test_pixel_counts_as_users_write_them(text: object, value: int) -> None:
    assert limits.parse_pixel_count(text) == value  # type: ignore[arg-type]


@pytest.mark.parametrize("text", ["", "abc", "-5", "0", "nan", "inf", "2**x", "1e400"])
def test_bad_pixel_counts_are_refused(text: str) -> None:
    with pytest.raises(ValueError):
        limits.parse_pixel_count(text)


def test_max_pixels_default_environment_and_override(monkeypatch: pytest.MonkeyPatch) -> None:
    assert limits.max_pixels() == limits.DEFAULT_MAX_PIXELS == 2**28
    monkeypatch.setenv(limits.ENV_MAX_PIXELS, "1G")
    assert limits.max_pixels() == 10**9
    limits.set_max_pixels(5000)  # --max-pixels or the app setting win over the environment
    assert limits.max_pixels() == 5000
    limits.set_max_pixels(None)
    monkeypatch.setenv(limits.ENV_MAX_PIXELS, "garbage")  # never stops the program
    assert limits.max_pixels() == limits.DEFAULT_MAX_PIXELS


def test_image_size_limit_names_where_the_size_and_how_to_raise_it() -> None:
    limits.check_image_size(16384, 16384, "a.png")  # exactly 2**28
    with pytest.raises(LimitError) as info:
        limits.check_image_size(60000, 60000, "big.png")
    message = str(info.value)
    assert message.startswith("big.png: ") and "3,600,000,000 pixels" in message
    assert "268,435,456" in message and "--max-pixels" in message and limits.ENV_MAX_PIXELS in message
    limits.set_max_pixels(4 * 10**9)
    limits.check_image_size(60000, 60000, "big.png")
    for w, h in ((0, 5), (5, -1), (True, 5), (5.0, 5), (2**31, 1)):
        with pytest.raises(LimitError):
            limits.check_image_size(w, h, "x")


def test_declared_sizes_may_be_huge_but_rles_stay_under_2_to_32() -> None:
    limits.check_declared_size(100_000, 100_000, "images[0]")  # a slide: fine to declare
    limits.check_rle_size(65535, 65535, "ok")
    with pytest.raises(LimitError, match="32-bit"):
        limits.check_rle_size(65536, 65536, "annotations[0].segmentation")


def test_ids_in_the_signed_64_bit_range() -> None:
    assert limits.check_id(0, "id") == 0
    assert limits.check_id(2**63 - 1, "id") == 2**63 - 1
    assert limits.check_id(-(2**63), "id") == -(2**63)
    for bad in (2**64 - 1, 2**63, -(2**63) - 1):
        with pytest.raises(LimitError, match="64-bit"):
            limits.check_id(bad, "annotations[3].id")
    with pytest.raises(LimitError, match="integer"):
        limits.check_id(True, "id")


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf, 10**400, True, "1", None, [1]])
def test_finite_numbers(bad: object) -> None:
    with pytest.raises(LimitError):
        limits.check_finite(bad, "x")


def test_coordinates_may_leave_the_image_by_four_sides_not_more() -> None:
    assert coordinate_limits.coordinate_range(1000) == (-4000, 5000)
    assert coordinate_limits.coordinate_range(100) == (
        -1024,
        1124,
    )  # small images: at least 1024 px of margin
    coordinate_limits.check_coordinates([-4000, 5000, 5000, -4000], 1000, 1000, "p")
    with pytest.raises(LimitError) as info:
        coordinate_limits.check_coordinates([10, 20, 1e9, 5], 1000, 800, "annotations[0].segmentation[0]")
    assert "x = 1000000000.0" in str(info.value) and "-4000..5000" in str(info.value)
    with pytest.raises(LimitError, match="y = "):
        coordinate_limits.check_coordinates([10, -3300], 1000, 800, "p")  # y range follows the height (800)
    with pytest.raises(LimitError, match="finite"):
        coordinate_limits.check_coordinates([10, math.nan], 1000, 800, "p")


def test_polygon_outlines_too_long_to_rasterize() -> None:
    coordinate_limits.check_polygon_work([[0, 0, 1000, 0, 1000, 1000]], "p")
    zigzag = [v for i in range(2000) for v in (0 if i % 2 else 10_000, i)]
    with pytest.raises(LimitError, match="outline"):
        coordinate_limits.check_polygon_work([zigzag], "annotations[7].segmentation")


@pytest.mark.parametrize(
    "values",
    [
        [10.0, math.nan, 20.0, 30.0],
        [10.0, 20.0, math.inf, 30.0],
        [math.nan, 10.0, -math.nan, 20.0],  # min and max alone could step over a NaN
        [True, 10, 20, 30],
        [10.0, 20.0, 1e9, 30.0],
        [10**400, 10, 20, 30],  # an int too large for a float
        [10.0, -1e308, 20.0, -1e308],  # finite values whose sum overflows
    ],
)
def test_short_coordinate_lists_and_arrays_are_refused_as_long_ones_are(values: list) -> None:
    """The quick look at a cell's few corners (no numpy) refuses what the full check refuses."""
    import numpy as np

    with pytest.raises(LimitError):
        coordinate_limits.check_coordinates(values, 1000, 800, "p")
    with pytest.raises(LimitError):
        coordinate_limits.check_coordinates(values * 2000, 1000, 800, "p")  # past the quick look's length
    if all(type(v) is float for v in values):
        with pytest.raises(LimitError):
            coordinate_limits.check_coordinates(np.array(values), 1000, 800, "p")
    coordinate_limits.check_coordinates(np.array([-4000.0, 5000.0, 3.0, 4.0]), 1000, 1000, "p")


def test_the_quick_outline_bound_never_lets_through_what_the_exact_count_refuses() -> None:
    """Random polygons near the limit: each is refused by the quick bound's caller exactly when the exact
    count (numpy, each edge's longer side) is over ``MAX_OUTLINE``."""
    import numpy as np

    rng = np.random.default_rng(3)
    for _ in range(200):
        n = int(rng.integers(3, 40))
        side = float(rng.choice([10.0, limits.MAX_OUTLINE / n / 4, limits.MAX_OUTLINE / n * 2]))
        poly = rng.uniform(0, side, 2 * n).tolist()
        xy = np.asarray(poly).reshape(-1, 2)
        exact = np.abs(np.diff(np.vstack([xy, xy[:1]]), axis=0)).max(axis=1).sum()
        if exact > limits.MAX_OUTLINE:
            with pytest.raises(LimitError):
                coordinate_limits.check_polygon_work([poly], "p")
        else:
            coordinate_limits.check_polygon_work([poly], "p")
    for bad in ([0.0, 0.0, math.nan, 5.0, 5.0, 5.0], [0, 0, math.inf, 1, 2, 2]):
        with pytest.raises(LimitError):
            coordinate_limits.check_polygon_work([bad], "p")


def test_numbers_kept_in_extras_are_checked_all_together_and_one_by_one_alike() -> None:
    limits.check_json_depth({"m": {"a": 1.5, "b": None, "c": True, "d": 10**30, "e": 0}}, "x")
    for bad in (math.nan, math.inf, -math.inf):
        with pytest.raises(LimitError, match="finite"):
            limits.check_json_depth({"q": {"m": {"a": 1.0, "b": bad}}}, "x")
        with pytest.raises(LimitError, match="finite"):
            limits.check_json_depth([1e308, 1e308, bad], "x")
    limits.check_json_depth([1e308, 1e308], "x")  # a sum that overflows, of finite numbers
    with pytest.raises(LimitError, match="key"):
        limits.check_json_depth({"q": {"caf\udce9": 1.0}}, "x")


class _Float(float):
    pass


class _Str(str):
    pass


class _List(list):
    pass


class _Dict(dict):
    pass


# what the walk refuses, drawn often (a float strategy gives NaN, a text one a lone surrogate, about once in
# a hundred draws: 400 examples held three refusals)
_BAD_FLOATS = st.sampled_from([math.nan, math.inf, -math.inf])
_BAD_TEXT = st.sampled_from(["\udce9", "caf\udce9", "\ud800x", "x\udfff"])
_ANY_TEXT = st.text(alphabet=st.characters(codec=None, exclude_categories=()), max_size=6) | _BAD_TEXT
_ANY_FLOAT = st.floats(allow_nan=True, allow_infinity=True) | _BAD_FLOATS
_JSON_LEAVES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    _ANY_FLOAT,
    _ANY_TEXT,
    st.sampled_from(["null", "-0.0", "[", "{", "NaN", "Infinity"]),  # text that reads like what orjson writes
    # what a reader or a caller may hand over besides JSON's own types
    _ANY_FLOAT.map(_Float),
    _ANY_TEXT.map(_Str),
    _ANY_FLOAT.map(np.float64),
    st.integers(-(2**31), 2**31).map(np.int64),
    st.integers(min_value=-(2**200), max_value=2**200),
)
_JSON_KEYS = st.one_of(st.text(max_size=4), _ANY_TEXT, _ANY_TEXT.map(_Str), st.integers(0, 3), st.booleans())


def _nested(value: object, levels: int) -> object:
    for n in range(levels):
        value = [value] if n % 2 else {"k": value}
    return value


_JSON_VALUES = st.recursive(
    _JSON_LEAVES,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.lists(inner, max_size=4).map(tuple)
        | st.lists(inner, max_size=4).map(_List)
        | st.dictionaries(_JSON_KEYS, inner, max_size=4)
        | st.dictionaries(_JSON_KEYS, inner, max_size=4).map(_Dict)
    ),
    max_leaves=30,
)
# and nesting about the limit (a value at level 200 passes, one at 201 is refused)
_JSON_VALUES = _JSON_VALUES | st.builds(
    _nested, _JSON_VALUES, st.integers(limits.MAX_JSON_DEPTH - 3, limits.MAX_JSON_DEPTH + 2)
)


@settings(max_examples=600, deadline=None)
@given(_JSON_VALUES)
def test_the_fast_check_of_kept_values_never_passes_what_the_walk_refuses(value: object) -> None:
    """``check_json_depth`` lets orjson vouch for most values; its verdict must be the walk's."""
    refusals.append(False)
    try:
        limits._walk_json(value, "x")
    except LimitError:
        refusals[-1] = True
        assert not limits._surely_savable(value)
        with pytest.raises(LimitError):
            limits.check_json_depth(value, "x")
    else:
        limits.check_json_depth(value, "x")


refusals: list[bool] = []


def test_the_fast_check_was_tried_on_values_the_walk_refuses() -> None:
    """The property above proves something only if many of its values are refused."""
    refusals.clear()
    test_the_fast_check_of_kept_values_never_passes_what_the_walk_refuses()
    assert sum(refusals) > len(refusals) // 10, (sum(refusals), len(refusals))


def test_kept_values_nested_past_the_limit_are_refused_however_few_their_brackets() -> None:
    value: object = 1.0
    for _ in range(limits.MAX_JSON_DEPTH):
        value = [value]
    limits.check_json_depth(value, "x")  # exactly the limit: 200 brackets, vouched for
    assert limits._surely_savable(value)
    with pytest.raises(LimitError, match="nested deeper"):
        limits.check_json_depth({"a": value}, "x")
    assert limits._surely_savable({"a": [[1.5, 2.5]] * 50})
    assert not limits._surely_savable({"a": [[1.5, 2.5]] * 250})  # many brackets, few levels: no verdict...
    limits.check_json_depth({"a": [[1.5, 2.5]] * 250}, "x")  # ...and the walk passes it


def _finite_one_by_one(values: list) -> bool:
    """The full check's verdict: every value None or a number whose float is finite."""
    for v in values:
        if v is None:
            continue
        try:
            if not math.isfinite(float(v)):
                return False
        except (TypeError, ValueError, OverflowError):
            return False
    return True


_HUGE = st.sampled_from([10**400, -(10**400), 2**1024, -(2**1024), 2**1023])
_ANY_NUMBER = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    _HUGE,
    st.floats(),  # NaN, infinities and values near the largest float
    st.sampled_from([1e308, -1e308, math.inf, -math.inf, math.nan]),
    st.builds(np.float64, st.floats()),
    st.builds(np.int64, st.integers(-(2**63), 2**63 - 1)),
    st.builds(Fraction, _HUGE),
    st.sampled_from([Decimal("NaN"), Decimal("sNaN"), Decimal("Infinity"), Decimal("1e999"), Decimal(1)]),
)


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # numpy scalars' sums overflowing, as asked
@settings(max_examples=2000, deadline=None)
@given(st.lists(_ANY_NUMBER, max_size=8))
def test_the_sum_says_finite_only_of_numbers_each_finite(values: list) -> None:
    """``surely_finite`` (a sum, at C speed) says True only where each value, looked at one by one, is
    None or has a finite float; else it says False (no verdict), never raises."""
    if limits.surely_finite(values):
        assert _finite_one_by_one(values), values


def test_huge_ints_that_cancel_are_no_verdict() -> None:
    """10**400 - 10**400 sums to 0: each is still past a float (numpy's array of them raised
    OverflowError in the GeoJSON reader's quick look at a ring)."""
    assert not limits.surely_finite([10**400, -(10**400), 1.0])
    assert not limits.surely_finite([Fraction(10**400), Fraction(-(10**400))])
    assert limits.surely_finite([1, 2.5, None, 0, True, -(10**300)])


def test_json_depth_without_recursion() -> None:
    assert limits.json_depth(5) == 0
    assert limits.json_depth({"a": [1, {"b": []}]}) == 4
    deep: list = []
    for _ in range(100_000):  # far beyond Python's recursion limit
        deep = [deep]
    assert limits.json_depth(deep) == limits.MAX_JSON_DEPTH + 1  # stops counting there
    limits.check_json_depth({"a": 1}, "x")
    with pytest.raises(LimitError, match="nested deeper"):
        limits.check_json_depth(deep, "annotations[0].pixelproof.flags")


def test_short_repr_bounds_length_and_depth() -> None:
    deep: list = []
    for _ in range(5000):
        deep = [deep]
    assert len(limits.short_repr(deep)) < 40
    assert len(limits.short_repr("x" * 10**6)) < 80


@posix_only
def test_regular_files_only(tmp_path: Path) -> None:
    f = tmp_path / "a.json"
    f.write_text("{}")
    assert limits.check_regular_file(f).st_size == 2
    fifo = tmp_path / "pipe.json"
    os.mkfifo(fifo)
    with pytest.raises(LimitError, match="FIFO"):
        limits.check_regular_file(fifo)
    with pytest.raises(LimitError, match="FIFO"):
        limits.open_regular(fifo)  # no writer: a plain open() would block here forever
    with pytest.raises(LimitError, match="device"):
        limits.check_regular_file("/dev/null")
    with pytest.raises(LimitError, match="folder"):
        limits.check_regular_file(tmp_path, "series")
    limits.check_regular_file(tmp_path, allow_dir=True)  # a DICOM series folder
    with pytest.raises(FileNotFoundError):
        limits.check_regular_file(tmp_path / "missing.png")
    with limits.open_regular(f) as fh:
        assert fh.read() == b"{}"


@posix_only
def test_inside_root_is_lexical(tmp_path: Path) -> None:
    root = tmp_path / "dataset"
    (root / "images").mkdir(parents=True)
    outside = tmp_path / "secret.png"
    outside.write_bytes(b"x")
    assert limits.check_inside_root(root / "images" / "a.png", root, "a.json") == root / "images" / "a.png"
    for escape in (root / ".." / "secret.png", root / "images" / ".." / ".." / "etc" / "passwd", outside):
        with pytest.raises(LimitError) as info:
            limits.check_inside_root(escape, root, "a.json: imagePath")
        assert "outside the dataset folder" in str(info.value) and "--allow-outside-root" in str(info.value)
    link = root / "images" / "linked.png"
    link.symlink_to(outside)  # PixelProof's own exports link images: judged by where the link lies
    limits.check_inside_root(link, root, "x")
    assert limits.check_inside_root(outside, root, "x", allow_outside=True) == outside
    assert not limits.is_inside(tmp_path / "dataset2" / "a.png", root)  # a prefix is not a parent


def test_output_over_input(tmp_path: Path) -> None:
    src = tmp_path / "in"
    (src / "sub").mkdir(parents=True)
    project = src / "p.json"
    project.write_text("{}")
    for out, is_dir in ((src, True), (src / "sub" / "out", True), (tmp_path, True), (project, False),
                        (src / "report.csv", False)):  # fmt: skip
        with pytest.raises(LimitError, match="could overwrite"):
            limits.check_output_not_input(out, [src], "OUTPUT", is_dir)
    limits.check_output_not_input(tmp_path / "out", [src, None, tmp_path / "missing"], "OUTPUT", True)
    limits.check_output_not_input(tmp_path / "in2", [src], "OUTPUT", True)  # a sibling, not inside
    with pytest.raises(LimitError, match="is the input"):
        limits.check_output_not_input(project, [project], "--json")
    limits.check_output_not_input(tmp_path / "r.json", [project], "--json")
    if sys.platform != "win32":
        alias = tmp_path / "alias.json"
        alias.symlink_to(project)
        with pytest.raises(LimitError):
            limits.check_output_not_input(alias, [project], "--json")
        hard = tmp_path / "hard.json"
        os.link(project, hard)
        with pytest.raises(LimitError):
            limits.check_output_not_input(hard, [project], "--csv")


def test_a_mask_spread_over_the_picture_is_not_decoded_past_the_limit() -> None:
    """QA, agreement and lint decode a mask's box only: a (crafted) mask from the first column to the last
    of a big picture is refused by name before anything of that size is allocated."""
    from pixelproof.core import mask_edit
    from pixelproof.core.lint.facts import CheckedObject
    from pixelproof.core.lint.rules import Rules
    from pixelproof.core.model import Annotation
    from pixelproof.core.qa_objects import annotation_placed

    h, w = 300, 400
    rle = {"size": [h, w], "counts": [5, 3, h * w - 12, 4]}  # a few pixels in the first and last columns
    ann = Annotation(9, 1, 1, [0.0, 0.0, float(w), float(h)], rle, area=7.0)
    limits.set_max_pixels(10_000)
    with pytest.raises(LimitError, match=r"annotation 9: mask box of 400 x 300 = 120,000 pixels"):
        annotation_placed(ann, h, w)
    with pytest.raises(LimitError, match=r"annotation 9: mask box of 400 x 295 = 118,000"):
        CheckedObject(ann, "cell", Rules().for_class(""), h, w).pixels()
    with pytest.raises(LimitError, match=r"^where: mask box of 400 x 295"):
        mask_edit.crop_of(rle, where="where")  # what the canvas, the fill tool and lint decode through
    limits.set_max_pixels(None)
    placed = annotation_placed(ann, h, w)  # under the default limit: decoded as before
    assert int(placed.mask.sum()) == 7 and placed.mask.shape == (h - 5, w) and placed.y0 == 5


def test_lint_names_the_polygon_whose_pixels_are_over_the_limit() -> None:
    """Lint's checks rasterize polygons part by part: whichever of them meets the limit, the message
    names the object, not the temporary piece."""
    from pixelproof.core.lint import LintFailed, lint_project
    from pixelproof.core.model import Annotation, Category, ImageRecord, Project

    project = Project()
    project.add_image(ImageRecord(1, "wide.png", 400, 300))
    project.add_category(Category(1, "band"))
    bands = [[10.0, 0.0, 150.0, 0.0, 150.0, 300.0, 10.0, 300.0], [250, 0, 390, 0, 390, 300, 250, 300]]
    project.add_annotation(Annotation(12, 1, 1, [10.0, 0.0, 380.0, 300.0], bands, area=84_000.0))
    limits.set_max_pixels(10_000)
    with pytest.raises(LintFailed, match=r"^wide\.png: annotation 12: mask box of \d+ x 300"):
        lint_project(project)
    limits.set_max_pixels(None)
    lint_project(project)  # under the default limit: checked, nothing raised


def test_a_note_preview_shows_the_start_and_the_length_of_a_long_note() -> None:
    """The app showed a note made before MAX_NOTE (10,000 characters) whole in tooltips, cells and lines."""
    from pixelproof.core.limits import NOTE_SHOWN, note_preview

    assert note_preview("x" * NOTE_SHOWN) == "x" * NOTE_SHOWN
    long = "ab" * 5_000
    assert note_preview(long) == long[:NOTE_SHOWN] + "… (10,000 characters)"
