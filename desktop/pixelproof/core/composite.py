"""A multichannel image's display state, as QuPath's brightness / contrast window sets it: which channels
are shown, each one's display range (automatic: the 0.5 / 99.5 percentiles ``core.channels`` computes, or
the user's), and the 8-bit RGB composite of H x W x C values through them. Kept apart from how the
channels are read (``core.channels``): this is what a view changes and the app remembers per file
(``view_settings``)."""

from __future__ import annotations

import math
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

GAMMA_MIN, GAMMA_MAX = 0.1, 5.0  # the view's gamma (QuPath's Brightness / Contrast slider)


@dataclass(frozen=True)
class Channel:
    name: str
    color: tuple[int, int, int]


class Composite:
    """The channels of one image: names, colours, display ranges and which are shown; ``render`` turns
    H x W x C values into the 8-bit RGB composite. The automatic ranges are computed on first use, once;
    a range the user set (``set_range``) wins over its channel's automatic one until ``reset_range``. One
    ``gamma`` for the view bends every shown channel's normalised values (``f ** gamma``) before colouring:
    above 1 dims faint signal, below 1 brings it up; 1 (the default) costs nothing. ``channels`` holds the
    colours in force (``set_color``: the user's), ``file_channels`` the file's."""

    def __init__(self, channels: Sequence[Channel], ranges: np.ndarray | Callable[[], np.ndarray]) -> None:
        self.file_channels = tuple(channels)
        self.channels = self.file_channels  # replaced whole (a render reads it once), never changed in place
        self.visible = [True] * len(self.channels)
        self._ranges = None if callable(ranges) else np.asarray(ranges, np.float64)
        self._compute = ranges if callable(ranges) else None
        self._lock = threading.Lock()
        self._user: dict[int, tuple[float, float]] = {}  # channel -> (lo, hi) the user set
        self.gamma = 1.0  # set through set_gamma (checked); read once a render

    @property
    def auto_ranges(self) -> np.ndarray:
        """(C, 2) automatic display ranges (lo, hi): the 0.5 / 99.5 percentiles."""
        with self._lock:
            if self._ranges is None:
                assert self._compute is not None
                self._ranges = np.asarray(self._compute(), np.float64).reshape(len(self.channels), 2)
            return self._ranges

    @property
    def ranges(self) -> np.ndarray:
        """(C, 2) display ranges (lo, hi) in force: the user's where set, else the automatic ones. A new
        array each time, so a render in another thread never sees half a change."""
        out = self.auto_ranges.copy()
        with self._lock:
            for i, lo_hi in self._user.items():
                out[i] = lo_hi
        return out

    def set_range(self, index: int, lo: float, hi: float) -> None:
        """Channel ``index`` shown from ``lo`` (black) to ``hi`` (its full colour), in its raw units;
        ValueError for an unknown channel, a value that is not finite, or ``hi <= lo``."""
        if not 0 <= index < len(self.channels):
            raise ValueError(f"no channel {index} (the image has {len(self.channels)})")
        lo, hi = float(lo), float(hi)
        if not (math.isfinite(lo) and math.isfinite(hi)):
            raise ValueError(f"{self.channels[index].name}: display range {lo:g} – {hi:g} is not finite")
        if hi <= lo:
            raise ValueError(
                f"{self.channels[index].name}: the maximum {hi:g} is not above the minimum {lo:g}"
            )
        with self._lock:
            self._user[index] = (lo, hi)

    def reset_range(self, index: int) -> None:
        """Channel ``index`` back to its automatic range (QuPath's "Auto")."""
        with self._lock:
            self._user.pop(index, None)

    def reset_ranges(self) -> None:
        """Every channel back to its automatic range, and gamma back to 1 (Reset All)."""
        with self._lock:
            self._user.clear()
        self.gamma = 1.0
        self.channels = self.file_channels

    def set_color(self, index: int, color: Any) -> None:
        """Channel ``index`` coloured ``color`` (r, g, b of 0..255); ValueError for an unknown channel or a
        colour that is not three such integers."""
        if not 0 <= index < len(self.channels):
            raise ValueError(f"no channel {index} (the image has {len(self.channels)})")
        rgb = _rgb(color)
        if rgb is None:
            raise ValueError(f"{self.channels[index].name}: {color!r} is not a colour (r, g, b of 0..255)")
        self.channels = _recoloured(self.file_channels, {**self._colors(), index: rgb})

    def _colors(self) -> dict[int, tuple[int, int, int]]:
        """The colours the user chose, by channel (those not the file's)."""
        return {
            i: c.color
            for i, (c, f) in enumerate(zip(self.channels, self.file_channels, strict=True))
            if c.color != f.color
        }

    def set_gamma(self, gamma: float) -> None:
        """The view's gamma; ValueError for one that is not finite or outside GAMMA_MIN..GAMMA_MAX."""
        g = float(gamma)
        if not (math.isfinite(g) and GAMMA_MIN <= g <= GAMMA_MAX):
            raise ValueError(f"gamma {g:g} is not between {GAMMA_MIN:g} and {GAMMA_MAX:g}")
        self.gamma = g

    def display_key(self) -> bytes:
        """What the composite is made with besides the pixels (ranges, gamma): a change is another picture
        (a model's cached composite, SAM's embedding)."""
        colors = np.array([c.color for c in self.channels], np.float64)
        return self.ranges.tobytes() + np.float64(self.gamma).tobytes() + colors.tobytes()

    def is_set(self, index: int) -> bool:
        """True when the user set channel ``index``'s range."""
        with self._lock:
            return index in self._user

    def view_settings(self) -> dict[str, Any] | None:
        """What the user changed (channels hidden, ranges set, gamma, colours), with the channel names it is
        for, as JSON-ready values; None when every channel is shown at its automatic range, gamma 1, in the
        file's colours (nothing to keep)."""
        with self._lock:
            user = bool(self._user)
        if all(self.visible) and not user and self.gamma == 1.0 and not self._colors():
            return None
        return self.display_settings()

    def display_settings(self) -> dict[str, Any]:
        """Everything shown (``view_settings``'s fields), the automatic state too: what the project keeps
        for an image (``core.channel_display``), where "automatic" is a choice saved like any other."""
        with self._lock:
            user = sorted(self._user.items())
        colors = self._colors()
        return {
            "names": [c.name for c in self.channels],
            "shown": list(self.visible),
            "ranges": {str(i): [lo, hi] for i, (lo, hi) in user},
            "gamma": self.gamma,
            "colors": {str(i): list(rgb) for i, rgb in sorted(colors.items())},
        }

    def apply_view_settings(self, saved: Any) -> bool:
        """Show the channels, ranges, gamma and colours ``view_settings`` gave (None: every channel shown,
        automatic ranges, gamma 1, the file's colours; what an older version kept lacks gamma and colours:
        1 and the file's). Settings for other channel names, or
        that do not hold (a range reversed, a count that is not the channels'), change nothing: False.
        True when applied."""
        names = [c.name for c in self.channels]
        if saved is None:
            saved = {"names": names, "shown": [True] * len(names), "ranges": {}}
        try:
            shown, ranges = saved["shown"], saved["ranges"]
            if saved["names"] != names or not isinstance(shown, list) or not isinstance(ranges, dict):
                return False
            if len(shown) != len(names) or not all(isinstance(v, bool) for v in shown):
                return False
            user: dict[int, tuple[float, float]] = {}
            for k, (lo, hi) in ranges.items():
                i, lo, hi = int(k), float(lo), float(hi)
                if not (0 <= i < len(names) and math.isfinite(lo) and math.isfinite(hi) and lo < hi):
                    return False
                user[i] = (lo, hi)
            gamma = saved.get("gamma", 1.0)
            if isinstance(gamma, bool) or not isinstance(gamma, int | float):
                return False
            gamma = float(gamma)
            if not (math.isfinite(gamma) and GAMMA_MIN <= gamma <= GAMMA_MAX):
                return False
            colors = saved.get("colors", {})
            if not isinstance(colors, dict):
                return False
            chosen = {int(k): _rgb(v) for k, v in colors.items()}
            if not all(0 <= i < len(names) and rgb is not None for i, rgb in chosen.items()):
                return False
        except (KeyError, TypeError, ValueError, OverflowError):  # not what view_settings writes: hand-edited
            return False
        with self._lock:
            self._user = user
        self.visible = list(shown)
        self.gamma = gamma
        self.channels = _recoloured(self.file_channels, chosen)  # type: ignore[arg-type]
        return True

    def copy(self) -> Composite:
        """The same channels and ranges (the user's too), with its own shown channels and ranges (a
        view's toggles and brightness / contrast)."""
        twin = Composite(self.file_channels, self.auto_ranges.copy())
        twin.channels = self.channels
        twin.visible = list(self.visible)
        twin.gamma = self.gamma
        with self._lock:
            twin._user = dict(self._user)
        return twin

    def render(self, planes: np.ndarray) -> np.ndarray:
        """H x W x 3 uint8 composite of ``planes`` (H x W x C) over the shown channels."""
        h, w = planes.shape[:2]
        channels = self.channels
        shown = [i for i, on in enumerate(self.visible) if on]
        if not shown:
            return np.zeros((h, w, 3), np.uint8)
        rng = self.ranges[shown]
        planes = np.asarray(planes)
        # float32 holds 16-bit samples exactly; wider ones lose their low bits near 4e9 or overflow to inf
        ftype = np.float32 if planes.dtype.itemsize <= 2 or planes.dtype == np.float32 else np.float64
        x = planes[..., shown].astype(ftype).reshape(-1, len(shown))
        x -= rng[:, 0].astype(ftype)
        x /= (rng[:, 1] - rng[:, 0]).astype(ftype)
        np.nan_to_num(x, copy=False, nan=0.0)
        np.clip(x, 0.0, 1.0, out=x)
        gamma = self.gamma
        if gamma != 1.0:
            import cv2  # here: reading a project (core.coco -> channels -> here) needs no OpenCV

            x = np.ascontiguousarray(x)  # shown channels picked out: astype kept their strides
            cv2.pow(x, gamma, x)  # in place, on the (pixels, shown channels) plane of 0..1 values
        rgb = x @ np.array([channels[i].color for i in shown], ftype)
        np.clip(rgb, 0.0, 255.0, out=rgb)
        return np.rint(rgb).astype(np.uint8).reshape(h, w, 3)


def _rgb(value: Any) -> tuple[int, int, int] | None:
    """``value`` as (r, g, b) when it is three integers of 0..255 (a list from JSON too), else None."""
    if not isinstance(value, list | tuple) or len(value) != 3:
        return None
    if not all(isinstance(v, int | np.integer) and not isinstance(v, bool) and 0 <= v <= 255 for v in value):
        return None
    r, g, b = (int(v) for v in value)
    return r, g, b


def _recoloured(
    channels: tuple[Channel, ...], colors: dict[int, tuple[int, int, int]]
) -> tuple[Channel, ...]:
    return tuple(Channel(c.name, colors.get(i, c.color)) for i, c in enumerate(channels))
