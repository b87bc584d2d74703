"""lint's ``duplicate_picture``: the same picture (identical decoded pixels) or a near copy (pHash within
``near_picture_bits``) under two names, scored higher when the two are labelled differently or lie in
different splits. The pHash is checked bit for bit against the ``imagehash`` library, the pairing against a
brute-force scan, on real pictures (scikit-image's, the test data's photos)."""

from __future__ import annotations

import io
import itertools
from pathlib import Path

import imagehash
import numpy as np
import pytest
import skimage.data
from PIL import Image

from pixelproof.core.batch import PoolExecutor
from pixelproof.core.lint import LintOptions, lint_project, parse_rules
from pixelproof.core.lint.pictures import near_pairs, phash, read_pictures
from pixelproof.core.lint.rules import RulesError
from pixelproof.core.model import Annotation, Category, ImageRecord, Project

DATA = Path(__file__).resolve().parents[1] / "data"
SKIMAGE = ["astronaut", "coffee", "chelsea", "camera", "coins", "moon", "page", "text", "clock", "rocket"]
SKIMAGE += ["immunohistochemistry", "hubble_deep_field", "retina", "brick", "grass", "gravel", "logo"]


def reference(im: Image.Image) -> int:
    """imagehash's pHash of a PIL image as a 64-bit int (its hex string, first bit most significant)."""
    return int(str(imagehash.phash(im)), 16)


@pytest.mark.parametrize("name", SKIMAGE)
def test_phash_is_imagehashs_on_scikit_image_pictures(name: str) -> None:
    pixels = getattr(skimage.data, name)()
    im = Image.fromarray(pixels)  # RGB, RGBA (logo) and gray
    assert phash(pixels) == reference(im)


def test_phash_is_imagehashs_on_the_test_datas_photos() -> None:
    files = sorted(DATA.rglob("*.jpg"))[:12] + sorted(DATA.rglob("*.png"))[:12]
    assert len(files) >= 12
    for f in files:
        with Image.open(f) as im:
            im.load()
            pixels = np.asarray(im.convert("RGB") if im.mode not in ("L", "RGB", "RGBA") else im)
            assert phash(pixels) == reference(im), f


def save(pixels: np.ndarray, path: Path, **kw) -> tuple[int, int]:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(pixels).save(path, **kw)
    return pixels.shape[1], pixels.shape[0]


def box(aid: int, image: int, cid: int = 1) -> Annotation:
    return Annotation(aid, image, cid, [10.0, 10.0, 50.0, 40.0], None, 2000.0)


def scene(folder: Path) -> Project:
    """astronaut as a PNG (1), the same pixels as a TIFF (2), a JPEG of it (3), a resized copy (4) and coffee
    (5); each labelled with one person."""
    astronaut = skimage.data.astronaut()
    half = np.asarray(Image.fromarray(astronaut).resize((256, 256), Image.Resampling.BILINEAR))
    files = {
        "a.png": (astronaut, {}),
        "copy/a.tif": (astronaut, {}),
        "a.jpg": (astronaut, {"quality": 80}),
        "small/a.png": (half, {}),
        "coffee.png": (skimage.data.coffee(), {}),
    }
    p = Project()
    p.path = folder / "project.json"
    p.add_category(Category(1, "person"))
    p.add_category(Category(2, "cat"))
    for iid, (name, (pixels, kw)) in enumerate(files.items(), start=1):
        w, h = save(pixels, folder / name, **kw)
        p.add_image(ImageRecord(iid, name, w, h))
        p.add_annotation(box(iid, iid))
    return p


def found(p: Project, **kw) -> dict[int, object]:
    result = lint_project(p, pictures=read_pictures(p), **kw)
    return {q.image_id: q for q in result.problems if q.kind == "duplicate_picture"}


def test_exact_near_and_none(tmp_path: Path) -> None:
    p = scene(tmp_path)
    problems = found(p)
    assert sorted(problems) == [2, 3, 4]  # the later ones; coffee is no copy
    exact, jpeg, small = problems[2], problems[3], problems[4]
    assert exact.figures["other_image_id"] == 1 and exact.figures["distance"] == 0
    assert exact.message.startswith("copy/a.tif is the same picture as a.png (image 1): identical pixels")
    for q in (jpeg, small):  # near copies of the first; the distance is imagehash's
        assert q.figures["other_image_id"] in (1, 2)
        with Image.open(tmp_path / q.file_name) as a, Image.open(tmp_path / "a.png") as b:
            assert q.figures["distance"] == imagehash.phash(a) - imagehash.phash(b) <= 6
        assert "near copy of" in q.message and "bits apart" in q.message
    # labels agree, no splits: listed, but below a pair labelled differently (below)
    assert min(q.score for q in problems.values()) >= 0.5 and max(q.score for q in problems.values()) <= 0.6
    assert exact.score > jpeg.score  # identical pixels are surer than a near copy
    assert exact.key == "duplicate_picture|2|-" and exact.annotation_id is None and exact.fix is None


def test_without_pictures_the_kind_is_not_run(tmp_path: Path) -> None:
    p = scene(tmp_path)
    result = lint_project(p)
    assert "duplicate_picture" not in result.options["kinds"]
    assert not [q for q in result.problems if q.kind == "duplicate_picture"]
    only = LintOptions(kinds=frozenset({"duplicate"}))
    assert not lint_project(p, options=only, pictures=read_pictures(p)).problems


def test_a_threshold_of_zero_bits_keeps_exact_copies_only(tmp_path: Path) -> None:
    p = scene(tmp_path)
    rules = parse_rules({"thresholds": {"near_picture_bits": 0}})
    problems = found(p, rules=rules)
    assert 2 in problems and problems[2].figures["distance"] == 0
    assert all(q.figures["distance"] == 0 for q in problems.values())  # a near copy at 0 bits may stay


def test_labelled_differently_and_in_different_splits_score_higher(tmp_path: Path) -> None:
    p = scene(tmp_path)
    before = found(p)
    p.add_annotation(box(10, 2, cid=2))  # the exact copy also has a cat
    p.images[3].extra["pixelproof"] = {"split": "val"}  # the JPEG went to val, the original is in train
    p.images[1].extra["pixelproof"] = {"split": "train"}
    after = found(p)
    assert after[2].score > before[2].score + 0.2
    assert "labelled differently" in after[2].message and "cat 1 vs 0" in after[2].message
    assert after[3].score > before[3].score + 0.1
    assert "in different splits (val vs train)" in after[3].message
    assert "split" not in after[4].message  # no split on the small copy
    assert after[2].score > after[3].score  # a label error outweighs a leak


def test_splits_are_compared_by_their_canonical_names(tmp_path: Path) -> None:
    """A project saved before splits were read canonically (interop.splits) holds KITTI's ``training``
    beside YOLO's ``train``, CVAT's ``Validation`` beside ``val``: one split each, so no leak; the CVAT
    subset an older CVAT import kept (no split) is its split, as the writers take it."""
    p = scene(tmp_path)
    before = found(p)
    p.images[1].extra["pixelproof"] = {"split": "train"}
    p.images[3].extra["pixelproof"] = {"split": "training"}  # the same split
    p.images[4].extra["pixelproof"] = {"cvat": {"subset": "Train"}}  # the same split, from a CVAT subset
    p.images[2].extra["pixelproof"] = {"split": "Validation"}
    same = found(p)
    for i in (3, 4):
        assert "split" not in same[i].message and same[i].score == pytest.approx(before[i].score)
    assert "in different splits (val vs train)" in same[2].message  # named canonically
    assert same[2].score > before[2].score + 0.1


def test_unreadable_pictures_are_skipped_and_said(tmp_path: Path) -> None:
    p = scene(tmp_path)
    (tmp_path / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\n not really")
    p.add_image(ImageRecord(6, "broken.png", 10, 10))
    p.add_image(ImageRecord(7, "gone.png", 10, 10))
    pictures = read_pictures(p)
    assert [name for name, _ in pictures.unreadable] == ["broken.png", "gone.png"]
    assert all(reason for _, reason in pictures.unreadable)
    result = lint_project(p, pictures=pictures)
    assert sorted(q.image_id for q in result.problems if q.kind == "duplicate_picture") == [2, 3, 4]
    assert result.options["pictures"]["unreadable"][0]["file_name"] == "broken.png"


def test_a_file_listed_twice_is_duplicate_image_not_a_picture_pair(tmp_path: Path) -> None:
    p = scene(tmp_path)
    p.add_image(ImageRecord(6, "coffee.png", 600, 400))  # its size: a turned one is image_size_mismatch
    problems = lint_project(p, pictures=read_pictures(p)).problems
    assert [q.kind for q in problems if q.image_id == 6] == ["duplicate_image"]


def test_sixteen_bit_pictures_are_compared_as_the_app_reads_them(tmp_path: Path) -> None:
    camera = skimage.data.camera()
    deep = camera.astype(np.uint16) * 256 + 3  # the same picture in 16 bits
    p = Project()
    p.path = tmp_path / "project.json"
    p.add_category(Category(1, "x"))
    for iid, (name, pixels) in enumerate([("c8.png", camera), ("c16.png", deep)], start=1):
        save(pixels, tmp_path / name)
        p.add_image(ImageRecord(iid, name, 512, 512))
    (problem,) = [q for q in lint_project(p, pictures=read_pictures(p)).problems]
    assert problem.image_id == 2 and "near copy of c8.png" in problem.message


def test_slices_of_one_volume_are_not_pairs(tmp_path: Path) -> None:
    import nibabel

    camera = skimage.data.camera()[::4, ::4]
    volume = np.stack([camera, camera, camera], axis=-1).astype(np.int16)
    nibabel.save(nibabel.Nifti1Image(volume, np.eye(4)), tmp_path / "v.nii.gz")
    p = Project()
    p.path = tmp_path / "project.json"
    p.add_category(Category(1, "x"))
    for k in range(3):
        p.add_image(ImageRecord(k + 1, f"v.nii.gz#z={k:03d}", 128, 128))
    assert not [q for q in lint_project(p, pictures=read_pictures(p)).problems]  # neighbours look alike


def test_the_rechecker_follows_edits_of_either_image(tmp_path: Path) -> None:
    p = scene(tmp_path)
    p.add_annotation(box(10, 1, cid=2))  # the original has a cat its exact copy lacks
    result = lint_project(p, pictures=read_pictures(p))
    first = next(q for q in result.problems if q.image_id == 2)
    assert "labelled differently" in first.message
    assert result.rechecker is not None and 2 in result.rechecker.partners(1)
    p.add_annotation(box(11, 2, cid=2))  # now both have it
    (again,) = [q for q in result.rechecker.image(p, 2)[0] if q.kind == "duplicate_picture"]
    assert again.score < first.score and "labelled differently" not in again.message


def test_near_picture_bits_is_checked() -> None:
    assert parse_rules({"thresholds": {"near_picture_bits": 10}}).threshold("near_picture_bits") == 10
    with pytest.raises(RulesError, match=r"near_picture_bits: expected a whole number of bits in 0\.\.16"):
        parse_rules({"thresholds": {"near_picture_bits": 17}})
    with pytest.raises(RulesError, match="near_picture_bits"):
        parse_rules({"thresholds": {"near_picture_bits": 2.5}})


def brute(hashes: np.ndarray, bits: int) -> set[tuple[int, int, int]]:
    out = set()
    for i, j in itertools.combinations(range(len(hashes)), 2):
        d = bin(int(hashes[i]) ^ int(hashes[j])).count("1")
        if d <= bits:
            out.add((i, j, d))
    return out


@pytest.mark.parametrize("bits", [0, 1, 3, 4, 6, 7, 8, 11, 16])
def test_near_pairs_are_the_brute_force_scans(bits: int) -> None:
    rng = np.random.default_rng(bits)
    seeds = rng.integers(0, 2**63, size=40, dtype=np.uint64)
    flips = [np.uint64(1) << np.uint64(b) for b in range(64)]
    values = set()
    for s in seeds:  # clusters: each seed with copies a few bits away, and far values
        values.add(int(s))
        for _ in range(6):
            v = int(s)
            for b in rng.choice(64, size=int(rng.integers(1, 12)), replace=False):
                v ^= int(flips[b])
            values.add(v)
    hashes = np.array(sorted(values), dtype=np.uint64)
    i, j, d = near_pairs(hashes, bits)
    got = {(int(a), int(b), int(c)) for a, b, c in zip(i, j, d, strict=True)}
    assert got == brute(hashes, bits)


def test_on_worker_processes_the_result_is_the_same(tmp_path: Path) -> None:
    p = scene(tmp_path)
    serial = read_pictures(p)
    with PoolExecutor(2) as pool:
        spread = read_pictures(p, executor=pool)
    assert (spread.digests, spread.hashes) == (serial.digests, serial.hashes)


def test_a_jpeg_of_a_jpeg_stays_near(tmp_path: Path) -> None:
    """A picture saved again at lower quality (a common copy between datasets) is found."""
    buf = io.BytesIO()
    Image.fromarray(skimage.data.chelsea()).save(buf, "JPEG", quality=90)
    once = np.asarray(Image.open(io.BytesIO(buf.getvalue())))
    p = Project()
    p.path = tmp_path / "project.json"
    p.add_category(Category(1, "cat"))
    for iid, (name, q) in enumerate([("once.jpg", 95), ("twice.jpg", 40)], start=1):
        w, h = save(once, tmp_path / name, quality=q)
        p.add_image(ImageRecord(iid, name, w, h))
    (problem,) = lint_project(p, pictures=read_pictures(p)).problems
    assert problem.image_id == 2 and "near copy of once.jpg" in problem.message


def test_flat_pictures_are_no_near_copies_of_each_other(tmp_path: Path) -> None:
    """A picture of one colour has no structure for a pHash to describe (imagehash gives black 0 and every
    other flat colour the DC bit alone): black, white and grey frames, a 1x1 picture and an all-NaN float
    one were all 'near copies' of each other. Only identical pixels pair them; a real picture and a mostly
    black one with a small bright region stay apart from them too."""
    import tifffile

    mostly_black = np.zeros((128, 128), np.uint8)
    mostly_black[50:70, 40:60] = 200
    pictures = {
        "black.png": np.zeros((64, 64), np.uint8),
        "white.png": np.full((64, 64), 255, np.uint8),
        "grey.png": np.full((80, 60, 3), 128, np.uint8),
        "dark.png": np.full((64, 64), 3, np.uint8),
        "one.png": np.zeros((1, 1), np.uint8),
        "black_again.png": np.zeros((64, 64), np.uint8),
        "slice.png": mostly_black,
        "camera.png": skimage.data.camera(),
    }
    p = Project()
    p.path = tmp_path / "project.json"
    p.add_category(Category(1, "x"))
    for iid, (name, pixels) in enumerate(pictures.items(), start=1):
        w, h = save(pixels, tmp_path / name)
        p.add_image(ImageRecord(iid, name, w, h))
        p.add_annotation(box(iid, iid))
    tifffile.imwrite(tmp_path / "nan.tif", np.full((32, 32), np.nan, np.float32))
    p.add_image(ImageRecord(20, "nan.tif", 32, 32))
    problems = found(p)
    assert sorted(problems) == [6]  # the black frame saved twice: identical pixels
    assert problems[6].message.startswith("black_again.png is the same picture as black.png (image 1)")
    assert [phash(pictures[n]) for n in ("black.png", "white.png")] == [0, 1 << 63]  # imagehash's, kept


def test_the_reports_other_image_id_is_the_exact_id_of_any_size(tmp_path: Path) -> None:
    """``figures.other_image_id`` names the earlier copy; as a float (rounded to 6 decimals) an id above
    2**53, which a project may hold (another tool's numbering, up to 2**63 - 1), came out as another id."""
    import json

    from pixelproof.core.limits import ID_MAX
    from pixelproof.core.lint import report

    astronaut = skimage.data.astronaut()
    p = Project()
    p.path = tmp_path / "project.json"
    p.add_category(Category(1, "person"))
    for iid, name in ((ID_MAX - 2, "a.png"), (ID_MAX, "b.png")):
        w, h = save(astronaut, tmp_path / name)
        p.add_image(ImageRecord(iid, name, w, h))
    result = lint_project(p, pictures=read_pictures(p))
    (problem,) = [q for q in result.problems if q.kind == "duplicate_picture"]
    assert problem.image_id == ID_MAX and f"(image {ID_MAX - 2})" in problem.message
    data = json.loads(json.dumps(report.to_dict(result, str(p.path))))
    (entry,) = [e for e in data["problems"] if e["kind"] == "duplicate_picture"]
    assert entry["figures"]["other_image_id"] == ID_MAX - 2 and entry["image_id"] == ID_MAX


def test_a_near_copys_distance_is_worded_in_the_singular_or_plural(tmp_path: Path) -> None:
    """The distance said "pHash 1 bits apart": the count took a plural whatever it was."""
    from pixelproof.core.lint.pictures import Match, picture_problem

    p = Project()
    p.path = tmp_path / "project.json"
    for iid, name in ((1, "a.png"), (2, "b.png")):
        p.add_image(ImageRecord(iid, name, 64, 64))
    words = {d: picture_problem(p, 2, Match(1, d, False), 6).message for d in (1, 2)}
    assert "b.png is a near copy of a.png (image 1): pHash 1 bit apart (near_picture_bits 6)" in words[1]
    assert "pHash 2 bits apart (near_picture_bits 6)" in words[2]


def test_the_html_report_shows_a_copy_beside_the_picture_it_copies(tmp_path: Path) -> None:
    """A duplicate_picture card showed only the flagged picture: its partner is now beside it, each a
    thumbnail of its own file (checked against the files' pixels) above its name; the page stays
    self-contained (every picture inline)."""
    import base64
    import re

    import cv2

    from pixelproof.core.lint import report

    astronaut = skimage.data.astronaut()
    darker = (astronaut * 0.7).astype(np.uint8)  # a near copy whose thumbnail is told apart by brightness
    p = Project()
    p.path = tmp_path / "project.json"
    p.add_category(Category(1, "person"))
    for iid, name, pixels in ((1, "first.png", darker), (2, "later.png", astronaut)):
        w, h = save(pixels, tmp_path / name)
        p.add_image(ImageRecord(iid, name, w, h))
    data = report.to_dict(lint_project(p, pictures=read_pictures(p)), str(p.path))
    (entry,) = [e for e in data["problems"] if e["kind"] == "duplicate_picture"]
    assert entry["image_id"] == 2 and entry["figures"]["other_image_id"] == 1
    report.write_html(data, tmp_path / "r.html", p)
    page = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert all(src.startswith("data:image/jpeg;base64,") for src in re.findall(r"src='([^']*)'", page))
    (card,) = [f for f in re.findall(r"<figure.*?</figure>", page, re.S) if "duplicate_picture" in f]
    shown = re.findall(r"<img src='data:image/jpeg;base64,([^']+)'[^>]*><br>(?:<bdi>)?([^<]*)<", card)
    assert [name for _, name in shown] == ["later.png", "first.png"]  # each picture above its name
    for (b64, _), source in zip(shown, (astronaut, darker), strict=True):
        thumb = cv2.imdecode(np.frombuffer(base64.b64decode(b64), np.uint8), cv2.IMREAD_COLOR)[..., ::-1]
        expected = cv2.resize(source, thumb.shape[1::-1], interpolation=cv2.INTER_AREA)
        inner = (slice(4, -4), slice(4, -4))  # the outline drawn round the edge aside
        assert abs(float(thumb[inner].mean()) - float(expected[inner].mean())) < 3


def test_a_picture_not_of_its_declared_size_is_said_with_its_likely_cause(tmp_path: Path) -> None:
    """The picture pass reads every picture anyway: one resized after labelling and one turned by EXIF
    are ``image_size_mismatch`` problems worded as ``validate --images`` and imports word them."""
    p = scene(tmp_path)
    save(skimage.data.coffee()[::2, ::2].copy(), tmp_path / "coffee.png")  # 300x200 now, declared 600x400
    exif = Image.Exif()
    exif[0x0112] = 6
    w, h = save(skimage.data.camera(), tmp_path / "turned.jpg", exif=exif.tobytes())
    p.add_image(ImageRecord(6, "turned.jpg", w, h))  # declared as stored: shown turned, 512x512 is square
    save(skimage.data.camera()[:, :256].copy(), tmp_path / "phone.jpg", exif=exif.tobytes())
    p.add_image(ImageRecord(7, "phone.jpg", 256, 512))  # stored 256 wide: shown 512x256
    result = lint_project(p, pictures=read_pictures(p))
    sizes = {q.image_id: q for q in result.problems if q.kind == "image_size_mismatch"}
    assert sorted(sizes) == [5, 7]
    coffee, phone = sizes[5], sizes[7]
    assert coffee.message.startswith("coffee.png: the file is 300x200 px but the project says 600x400 (")
    assert "a uniform 0.5x" in coffee.message and coffee.fix is None and coffee.annotation_id is None
    assert "EXIF orientation 6" in phone.message and "512x256" in phone.message
    assert coffee.score >= 0.9
    (again,) = [q for q in result.rechecker.image(p, 5)[0] if q.kind == "image_size_mismatch"]
    assert again.message == coffee.message
    assert "image_size_mismatch" not in lint_project(p).options["kinds"]  # without pictures: not run
