"""Fuzzing the readers (issue 11, "must show"): real files of every format PixelProof reads - project/COCO,
LabelMe, YOLO (labels and data.yaml), Pascal VOC, mask PNGs - are mutated (hostile values at any JSON
location, bad tokens, element texts, PNG headers declaring bombs, truncated and non-UTF-8 bytes) and read
again in a child process (``tests/fuzz_worker.py``) under ``resource.setrlimit``: no exception may escape
a reader's own error type, a native crash or a hang is a failed test naming the case, and the address
space is bounded. What an importer builds must also load again as a valid project and rasterize.
"""

from __future__ import annotations

import json
import math
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pixelproof.core.coco import save_project
from pixelproof.core.masks import encode
from pixelproof.core.model import Annotation, Category, ImageRecord, Project

REPO = Path(__file__).resolve().parents[2]
DATA = REPO / "tests" / "data" / "datumaro"
LABELME = REPO.parent / "shared" / "fixtures" / "labelme" / "instance_segmentation" / "data_annotated"
BUDGET_MB = 600  # address space the readers may add to what the worker uses after its imports

pytestmark = pytest.mark.skipif(
    not Path("/proc/self/status").exists(), reason="the worker measures its address space in /proc"
)

DEEP = "\u0000deep"  # placeholder for nesting deeper than json.dumps can write
HOSTILE_JSON: list[Any] = [
    None, True, -1, 0, 2**63, 2**64 - 1, -(2**63) - 1, 1e308, -1e308, 1e9, math.nan, math.inf, "",
    "../../../../etc/passwd", "/dev/zero", "x" * 5000, [], {}, DEEP, [1e9] * 6, [[0, 0, 1e9, 0, 0, 1e9]],
    [[math.nan, 0, 1, 1, 2, 2]], {"size": [100000, 100000], "counts": "0"},
    {"size": [3, 3], "counts": [1, 2**40]},
    {"size": [65536, 65536], "counts": [0, 5]}, {"size": [4, 4], "counts": "PQ0\\"}, [-5, -5, -5, -5],
    [[0, 0], [1e308, 1e308]], {"a": [1, 2]},
]  # fmt: skip
HOSTILE_TOKENS = ["nan", "inf", "-inf", "1e308", "-1", "99999999999999999999", "1e-400", "0x1", "", "2",
                  "0.5 0.5", "1,5", "\x00", "-0.0", "1e9"]  # fmt: skip
HOSTILE_YAML = [
    "a: &a [1, 2]\nb: [*a, *a, *a]\nnames: [x]\n",
    "names: " + "[" * 3000 + "]" * 3000 + "\n",
    "path: /\ntrain: ../../../../../../etc\nval: /dev\nnames: [a]\n",
    "nc: 1e308\nnames: [a]\n",
    "nc: -3\nnames: {0: [1, 2], 1: null, -5: x, 99999999999999999999: y}\n",
    "names: [" + ", ".join(f"n{i}" for i in range(200_000)) + "]\n",
    "train: !!python/object/apply:os.system ['echo pwned']\nnames: [a]\n",
    "names: [a]\ntrain: images\n\xff\n",
    "val_fraction: nan\nnames: 7\ntrain: 3\n",
]
HOSTILE_XML_TEXT = ["nan", "inf", "-1", "1e308", "99999999999", "", "abc", "../../../etc/passwd", "100000",
                    "-inf", "1e-400", "0"]  # fmt: skip
LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa">'
    + "".join(f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">' for i in range(9))
    + "]><annotation><filename>&j;</filename></annotation>"
)
PNG_SIZES = [(60000, 60000), (0, 1), (2**31 - 1, 1), (1, 2**31 - 1), (32768, 32768), (2**32 - 1, 2**32 - 1)]


# -- seeds: real files, copied into a case folder --------------------------------------------------


def _own_project(folder: Path) -> Path:
    """A project as PixelProof writes it: a polygon, an RLE mask and a box."""
    p = Project()
    p.add_category(Category(1, "cat"))
    p.add_image(ImageRecord(1, "a.png", 20, 10))
    import numpy as np

    m = np.zeros((10, 20), dtype=bool)
    m[2:6, 3:9] = True
    p.add_annotation(Annotation(1, 1, 1, [1.0, 1.0, 8.0, 6.0], [[1.0, 1.0, 9.0, 1.0, 9.0, 7.0]], 24.0))
    p.add_annotation(Annotation(2, 1, 1, [3.0, 2.0, 6.0, 4.0], encode(m), 24.0))
    p.add_annotation(Annotation(3, 1, 1, [0.5, 0.5, 3.0, 2.0], None, 6.0))
    save_project(p, folder / "project.json")
    return folder / "project.json"


def _copy(src: Path, folder: Path) -> Path:
    shutil.copytree(src, folder / src.name)
    return folder / src.name


def _copy_files(src: Path, folder: Path, *names: str) -> Path:
    for name in names:
        shutil.copy(src / name, folder / name)
    return folder / names[0]


SEEDS: dict[str, tuple[str, str, Callable[[Path], tuple[Path, Path]]]] = {
    # name: (reader, mutation kind, make(folder) -> (path given to the reader, file to mutate))
    "project": ("project", "json", lambda d: (p := _own_project(d), p)),
    "coco-as-project": ("project", "json", lambda d: (
        p := _copy(DATA / "coco_dataset" / "coco_instances", d) / "annotations" / "instances_train.json", p)),
    "coco": ("coco", "json", lambda d: (
        p := _copy(DATA / "coco_dataset" / "coco_instances", d) / "annotations" / "instances_train.json", p)),
    "labelme": ("labelme", "json", lambda d: (
        d, _copy_files(LABELME, d, "2011_000003.json", "2011_000003.jpg"))),
    "yolo": ("yolo", "lines", lambda d: (
        r := _copy(DATA / "roboflow_dataset" / "yolo", d), r / "train" / "labels" / "train_001.txt")),
    "data.yaml": ("yolo", "yaml", lambda d: (
        r := _copy(DATA / "roboflow_dataset" / "yolo", d), r / "data.yaml")),
    "yaml": ("yaml", "yaml", lambda d: (p := _copy(DATA / "roboflow_dataset" / "yolo", d) / "data.yaml", p)),
    "voc": ("voc", "xml", lambda d: (
        r := _copy(DATA / "voc_dataset" / "voc_dataset1", d), r / "Annotations" / "2007_000001.xml")),
    "mask-png": ("masks", "png", lambda d: (
        r := _copy(DATA / "common_semantic_segmentation_dataset" / "dataset", d), r / "masks" / "0001.png")),
    "voc-mask-png": ("voc", "png", lambda d: (
        r := _copy(DATA / "voc_dataset" / "voc_dataset1", d), r / "SegmentationObject" / "2007_000001.png")),
}  # fmt: skip


# -- mutations ------------------------------------------------------------------------------------


def _bytes_op(raw: bytes, op: int, at: float, value: int) -> bytes:
    i = int(at * len(raw))
    if op == 0:
        return raw[:i]  # truncated (a save killed mid-write)
    if op == 1:
        return raw[:i] + bytes([value]) + raw[i + 1 :]  # one byte changed
    return raw[:i] + b"\xff\xfe\xc3(" + raw[i:]  # bytes that are not UTF-8


def _json_op(raw: bytes, at: float, hostile: int) -> bytes:
    doc = json.loads(raw)
    paths: list[tuple] = []

    def walk(v: Any, path: tuple) -> None:
        paths.append(path)
        children = v.items() if isinstance(v, dict) else enumerate(v) if isinstance(v, list) else ()
        for k, child in children:
            walk(child, (*path, k))

    walk(doc, ())
    path = paths[1:][int(at * (len(paths) - 1))] if len(paths) > 1 else ()
    value = HOSTILE_JSON[hostile]
    if not path:
        doc = value
    else:
        parent = doc
        for k in path[:-1]:
            parent = parent[k]
        parent[path[-1]] = value
    text = json.dumps(doc)  # NaN and Infinity written as JSON extensions: readers must refuse them
    return text.replace(json.dumps(DEEP), "[" * 3000 + "]" * 3000).encode()


def _lines_op(raw: bytes, at: float, hostile: int) -> bytes:
    lines = raw.decode().splitlines() or [""]
    tokens = [(i, j) for i, line in enumerate(lines) for j in range(len(line.split()))]
    if not tokens or hostile == len(HOSTILE_TOKENS):
        return (raw.decode() + "\n0 " + "0.5 " * 3000).encode()  # a segment of 1500 points
    i, j = tokens[int(at * len(tokens))]
    words = lines[i].split()
    words[j] = HOSTILE_TOKENS[hostile % len(HOSTILE_TOKENS)]
    lines[i] = " ".join(words)
    return "\n".join(lines).encode()


def _xml_op(raw: bytes, at: float, hostile: int) -> bytes:
    if hostile == len(HOSTILE_XML_TEXT):
        return LAUGHS.encode()
    text = raw.decode()
    spots = [m.span(1) for m in re.finditer(r">([^<>]*)<", text) if m.group(1).strip()]
    a, b = spots[int(at * len(spots))]
    return (text[:a] + HOSTILE_XML_TEXT[hostile % len(HOSTILE_XML_TEXT)] + text[b:]).encode()


def _png_op(raw: bytes, at: float, hostile: int) -> bytes:
    if hostile >= len(PNG_SIZES):  # a byte changed after the header
        i = 33 + int(at * (len(raw) - 33))
        return raw[:i] + bytes([hostile * 37 % 256]) + raw[i + 1 :]
    w, h = PNG_SIZES[hostile]
    ihdr = struct.pack(">II", w, h) + raw[24:29]  # the declared size: a decompression bomb's header
    return raw[:16] + ihdr + struct.pack(">I", zlib.crc32(b"IHDR" + ihdr)) + raw[33:]


def _yaml_op(raw: bytes, at: float, hostile: int) -> bytes:
    return HOSTILE_YAML[hostile % len(HOSTILE_YAML)].encode("utf-8", "surrogateescape")


KIND_OPS = {"json": (_json_op, len(HOSTILE_JSON)), "lines": (_lines_op, len(HOSTILE_TOKENS) + 1),
            "xml": (_xml_op, len(HOSTILE_XML_TEXT) + 1), "png": (_png_op, len(PNG_SIZES) + 3),
            "yaml": (_yaml_op, len(HOSTILE_YAML))}  # fmt: skip


@st.composite
def cases(draw: st.DrawFn, seeds: list[str]) -> dict[str, Any]:
    seed = draw(st.sampled_from(seeds))
    kind = SEEDS[seed][1]
    at = draw(st.floats(0, 1, exclude_max=True))
    if draw(st.integers(0, 4)) == 0:  # one case in five: byte-level damage
        return {"seed": seed, "op": "bytes", "args": [draw(st.integers(0, 2)), at, draw(st.integers(0, 255))]}
    return {"seed": seed, "op": kind, "args": [at, draw(st.integers(0, KIND_OPS[kind][1] - 1))]}


def _materialize(case: dict[str, Any], folder: Path) -> dict[str, str]:
    reader, kind, make = SEEDS[case["seed"]]
    folder.mkdir()
    given_path, target = make(folder)
    raw = target.read_bytes()
    if case["op"] == "bytes":
        target.write_bytes(_bytes_op(raw, *case["args"]))
    else:
        target.write_bytes(KIND_OPS[kind][0](raw, *case["args"]))
    return {"format": reader, "path": str(given_path)}


WORKER = ["-m", "tests.fuzz_worker"]


def run_cases(batch: list[dict[str, Any]], worker: list[str] = WORKER) -> None:
    """Materialize, read in the worker, and fail naming every case that escaped, crashed or hung."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        listed = [_materialize(c, root / f"case{i:03d}") for i, c in enumerate(batch)]
        (root / "cases.json").write_text(json.dumps(listed))
        try:
            done = subprocess.run(
                [sys.executable, *worker, str(root / "cases.json"), str(BUDGET_MB)],
                capture_output=True, text=True, cwd=REPO, timeout=240,
            )  # fmt: skip
        except subprocess.TimeoutExpired as e:
            out = e.stdout.decode() if isinstance(e.stdout, bytes) else e.stdout or ""
            started = [int(line.split()[1]) for line in out.splitlines() if line.startswith("START")]
            pytest.fail(f"hang: case {batch[started[-1]] if started else '?'} did not finish in 240 s")
        lines = done.stdout.splitlines()
        escaped = [f"{batch[int(line.split()[1])]}: {line}" for line in lines if line.startswith("ESCAPED")]
        assert not escaped, "\n".join(escaped)
        if done.returncode != 0:
            started = [int(line.split()[1]) for line in lines if line.startswith("START")]
            last = batch[started[-1]] if started else None
            pytest.fail(f"the worker died (exit {done.returncode}) on case {last}:\n{done.stderr[-2000:]}")
        assert sum(line.startswith("OK") for line in lines) == len(batch)


def _available() -> list[str]:
    return [name for name in SEEDS if name != "labelme" or LABELME.is_dir()]


@settings(max_examples=2, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.data())
def test_mutated_files_never_escape_crash_or_hang(data: st.DataObject) -> None:
    run_cases(data.draw(st.lists(cases(_available()), min_size=20, max_size=20)))


def test_every_hostile_value_of_every_seed() -> None:
    """Each hostile value at least once per kind of file (the random batches above may miss some)."""
    batch = []
    for seed in _available():
        kind = SEEDS[seed][1]
        for hostile in range(KIND_OPS[kind][1]):
            batch.append({"seed": seed, "op": kind, "args": [(hostile * 0.37) % 1, hostile]})
    run_cases(batch)


def test_a_native_crash_fails_and_names_its_case() -> None:
    """The harness itself: a reader dying of a signal is a failed test naming the case, not a dead pytest."""
    crash = "import os, signal; print('START 0', flush=True); os.kill(os.getpid(), signal.SIGSEGV)"
    case = {"seed": "yaml", "op": "yaml", "args": [0.0, 0]}
    with pytest.raises(pytest.fail.Exception, match=r"died \(exit -11\) on case .*'seed': 'yaml'"):
        run_cases([case], worker=["-c", crash])
    escape = "print('START 0'); print('ESCAPED 0 KeyError at x.py:1: boom')"
    with pytest.raises(AssertionError, match=r"KeyError at x\.py:1"):
        run_cases([case], worker=["-c", escape])


def test_a_damaged_chunk_length_asks_for_no_gigabytes() -> None:
    """Found by the fuzzer: a mask PNG whose IDAT length byte reads 0xDE made Pillow ask for 3.7 GB to skip
    the chunk (a buffered read allocates what it is asked for); under the worker's limit, a MemoryError."""
    run_cases(
        [
            {"seed": "mask-png", "op": "png", "args": [0.0, 6]},
            {"seed": "voc-mask-png", "op": "png", "args": [0.0, 6]},
        ]
    )
