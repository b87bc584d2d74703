"""QuPath GeoJSON: one file per image, ``<image stem>.geojson``, as QuPath's "Export as GeoJSON" and its
scripts (``exportObjectsToGeoJson``) write it.

A file holds a FeatureCollection, a bare list of Features (QuPath 0.2 and ``exportObjectsToGeoJson`` without
``"FEATURE_COLLECTION"``; a list of FeatureCollections too), a single Feature or a bare geometry.
Coordinates are pixels of the full-resolution image, origin at the top-left corner of its top-left pixel:
PixelProof's own convention, so they are used as they are. A Polygon or MultiPolygon is one object: an
axis-aligned rectangle (QuPath's rectangle tool) a box, rings without holes COCO polygons, rings with holes
a mask (each part its outer ring minus its own holes, so an island inside a hole stays). Points and lines
enclose no area: skipped and reported by type and place. The classification (0.4's ``{"name", "color":
[r, g, b]}``, ``"names"`` of a derived class joined as QuPath shows them, 0.2's packed ``colorRGB``) is the
category and its colour; unclassified objects go to ``Unclassified`` (QuPath's word for them), ``Ignore*``
(QuPath's class for regions to ignore) is a void category. QuPath's own fields (id, objectType, name,
isLocked, colour, measurements, metadata) are kept in the object's ``qupath`` extras, so the writer gives
them back. A file of ``geojson_stream.STREAM_BYTES`` (64 MB) or more, a whole slide's cells, is read a
feature at a time.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

import orjson

from pixelproof.core import limits
from pixelproof.core.imageio import ImageReadError, image_size, is_image_file
from pixelproof.core.json_nesting import Nesting
from pixelproof.core.limits import LimitError, short_repr
from pixelproof.core.model import ImageRecord
from pixelproof.core.sources import image_meta_extra
from pixelproof.core.wording import plural
from pixelproof.interop import geojson_cells, geojson_plane, geojson_stream
from pixelproof.interop._util import (
    UNCLASSIFIED,
    Builder,
    ImportResult,
    ProblemCallback,
    ProgressCallback,
    Reporter,
    folder_project,
    listed,
    rel_name,
    with_progress,
)
from pixelproof.interop.each_file import read_each_file
from pixelproof.interop.formats import Format, Option, images_option, sniff
from pixelproof.interop.geojson_shapes import Part, add_object, check_vertices, plain_outline, polygon_part
from pixelproof.interop.geojson_writer import (
    APP_FIELDS,
    QUPATH_KEY,
    is_qupath_color,
    kept_properties,
    write_geojson,
)

SUFFIX = ".geojson"
IGNORE_CLASS = "Ignore*"  # QuPath's class for regions to leave out (of training, of measurements)
AREA_TYPES = ("Polygon", "MultiPolygon", "GeometryCollection")
NO_AREA_TYPES = ("Point", "MultiPoint", "LineString", "MultiLineString")
CELL_SHAPES = {
    "cell": "Cell boundary (the feature's geometry)",
    "nucleus": "Nucleus (nucleusGeometry, where a cell has one)",
}


def read_geojson(
    path: str | os.PathLike[str],
    *,
    on_problem: ProblemCallback | None = None,
    progress: ProgressCallback | None = None,
    image_dir: str | os.PathLike[str] | None = None,
    cell_shape: str = "cell",
    also_under: Sequence[Path] = (),
) -> ImportResult:
    """Import a folder of GeoJSON files (searched recursively; ``*.json`` files holding Features too) or one
    file. Each file's image is the one named like it (``slide1.geojson`` -> ``slide1.svs``, or
    ``slide1.svs.geojson``) beside it, else anywhere under the folder (or under ``image_dir``); its size
    comes from the file's header (a slide's pyramid is never decoded). A file without an image is skipped
    and reported: GeoJSON holds no image size. ``also_under``: folders (not their subfolders) looked in
    after those: QA's candidate's image folders, so QuPath's export of the same slides, saved apart from
    them, is read as a reference without ``--image-dir`` (the review view has none)."""
    if cell_shape not in CELL_SHAPES:
        raise ValueError(f"cell_shape: expected one of {', '.join(CELL_SHAPES)}, got {cell_shape!r}")
    src = Path(path)
    if not src.is_dir():
        limits.check_regular_file(src, str(src))  # a FIFO named x.geojson would block the read
    root = src.parent if src.is_file() else src
    files = [src] if src.is_file() else _geojson_files(src)
    project = folder_project(root)
    report = Reporter(on_problem)
    build = Builder(project)
    images = _ImageIndex(Path(image_dir) if image_dir else root, recursive=bool(image_dir) or src.is_dir())
    images.fallback = [_ImageIndex(folder, recursive=False) for folder in also_under]
    colored: set[int] = set()  # categories whose colour a file gave (the first one it met)
    # one file (a slide's export: seconds to minutes) is followed feature by feature, not as 0 of 1 file
    per_feature = progress if len(files) == 1 else None
    target = _Target(build, report, cell_shape, colored)
    read_each_file(
        files,
        lambda file: _read_file(file, root, images, target, per_feature),
        src=src,
        root=root,
        report=report,
        progress=None if per_feature else progress,
    )
    return ImportResult(project, report.problems, report.skipped, notes=report.notes)


def _geojson_files(root: Path) -> list[Path]:
    """``*.geojson`` under ``root``, and ``*.json`` whose first bytes hold a Feature (QuPath scripts often
    name their output ``<image>.json``)."""
    found = [p for p in root.rglob("*") if p.is_file() and p.suffix.lower() == SUFFIX]
    found += [p for p in root.rglob("*.json") if p.is_file() and b'"Feature' in sniff(p, 4096)]
    return sorted(found)


def geojson_stem(file: Path) -> str:
    """The image name a GeoJSON file stands for: its name without ``.geojson`` / ``.json``."""
    return file.name[: -len(file.suffix)] if file.suffix else file.name


class _ImageIndex:
    """Image files by name and stem (``slide1.ome.tif`` is ``slide1`` too, as QuPath names it)."""

    def __init__(self, folder: Path, recursive: bool) -> None:
        self.folder = folder
        self.fallback: list[_ImageIndex] = []  # looked in, in turn, when this one has no such image
        self.by_key: dict[str, list[Path]] = {}
        listing = folder.rglob("*") if recursive else folder.glob("*")
        for p in sorted(listing) if folder.is_dir() else []:
            if is_image_file(p) and not p.is_dir():
                for key in {p.name, p.stem, _strip_ome(p.name)}:
                    self.by_key.setdefault(key, []).append(p)

    def find(self, file: Path, report: Reporter) -> Path | None:
        found = self.by_key.get(geojson_stem(file), [])
        for other in self.fallback:
            found = found or other.by_key.get(geojson_stem(file), [])
        beside = [p for p in found if p.parent == file.parent]
        found = beside or found
        if len(found) > 1:
            names = ", ".join(str(p) for p in found[:5])
            report(f"{file}: {len(found)} images are named like it ({names}); {found[0].name} is used")
        return found[0] if found else None


def _strip_ome(name: str) -> str:
    low = name.lower()
    for suffix in (".ome.tif", ".ome.tiff"):
        if low.endswith(suffix):
            return name[: -len(suffix)]
    return Path(name).stem


def load_json(file: Path) -> Any:
    """The file's JSON. QuPath writes a measurement it could not compute as ``NaN`` (Gson's
    ``serializeSpecialFloatingPointValues``), which strict parsers refuse: such a file is read again
    with Python's parser, which takes it. Raises ValueError naming the file (for a text nested more than
    ``limits.MAX_JSON_DEPTH`` levels, also the byte opening the level past them, as when it is streamed)."""
    with limits.open_regular(file, str(file)) as f:
        raw = f.read()
    nesting = Nesting()
    nesting.feed(raw)  # the stream's count (parsers' own limits differ: orjson 1,024, json about 990)
    if nesting.over is not None:
        try:
            raw.decode("utf-8-sig")
        except UnicodeDecodeError as e:
            raise ValueError(f"{file}: not UTF-8 text (byte {e.start}); skipped") from None
        raise ValueError(geojson_stream.nested_too_deeply(file, nesting.over))
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError as e:
        first = e
    try:
        return json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError as e:
        raise ValueError(f"{file}: not UTF-8 text (byte {e.start}); skipped") from None
    except RecursionError:
        raise ValueError(f"{file}: nested too deeply to be GeoJSON; skipped") from None
    except ValueError:
        raise ValueError(f"{file}: not a readable JSON file ({first}); skipped") from None


def _features(data: Any) -> tuple[list, str] | None:
    """(the features, their JSON place) of any top level QuPath writes; None when it is not GeoJSON."""
    if isinstance(data, list):
        return data, ""
    if not isinstance(data, dict):
        return None
    kind = data.get("type")
    if kind == "FeatureCollection" and isinstance(data.get("features"), list):
        return data["features"], "features"
    if kind == "Feature":
        return [data], "feature"
    if kind in AREA_TYPES or kind in NO_AREA_TYPES:
        return [{"type": "Feature", "geometry": data, "properties": {}}], "geometry"
    return None


class _Target:
    """Where a file's objects go, and how: shared by every file of one import."""

    def __init__(self, build: Builder, report: Reporter, cell_shape: str, colored: set[int]) -> None:
        self.build, self.report, self.cell_shape, self.colored = build, report, cell_shape, colored


def _file_features(file: Path) -> tuple[Iterable[Any], str] | None:
    """(the features, their JSON place), as ``_features`` gives them; a file of ``STREAM_BYTES`` or more
    holding a FeatureCollection or a list is checked whole first, then streamed a feature at a time
    (``geojson_stream``: memory holds the objects made, not the parsed file). Raises ValueError naming
    the file, or OSError."""
    if file.stat().st_size >= geojson_stream.STREAM_BYTES:
        shape = geojson_stream.check(file)
        if shape.top == "list":
            return geojson_stream.features(file, 0, shape.stamp, shape.ends), ""
        if shape.top == "object" and shape.kind == "FeatureCollection" and shape.array is not None:
            return geojson_stream.features(file, shape.array, shape.stamp, shape.ends), "features"
        if shape.top != "object" or (
            shape.kind != "Feature" and shape.kind not in AREA_TYPES + NO_AREA_TYPES
        ):
            return None
    return _features(load_json(file))  # one Feature or geometry: read whole


def _read_file(
    file: Path, root: Path, images: _ImageIndex, target: _Target, progress: ProgressCallback | None = None
) -> None:
    """Read one file's features into ``target``; ``progress`` follows them (a streamed file's number is not
    known before its end: busy, total 0)."""
    build, report = target.build, target.report
    try:
        found = _file_features(file)
    except OSError as e:
        report.skip("files", f"{file}: cannot read it ({e.strerror or e}); skipped")
        return
    except ValueError as e:
        report.skip("files", str(e))
        return
    if found is None:
        report.skip(
            "files",
            f"{file}: not GeoJSON (expected a FeatureCollection, a Feature or a list of Features); skipped",
        )
        return
    features, place = found
    image_file = images.find(file, report)
    if image_file is None:
        report.skip(
            "files",
            f"{file}: no image named {geojson_stem(file)}.* in {images.folder} (GeoJSON holds no image size: "
            "give the images' folder with --image-dir); skipped",
        )
        return
    try:
        width, height = image_size(image_file)
        image = build.image(rel_name(image_file, root), width, height, where=f"{file}: image {image_file}")
        image.extra.update(image_meta_extra(image_file))  # the slide's µm a pixel, as `new` reads it
    except (ImageReadError, LimitError) as e:
        report.skip("files", f"{file}: its image cannot be used ({e}); skipped")
        return
    reading = _FileReading(file, image, target)
    if isinstance(features, list) and progress is not None:
        features = with_progress(features, len(features), progress)
    elif progress is not None:  # streamed: how many is known at its end only
        features = _busy(features, progress)
    with build.record(image, report), build.areas_in_bulk(image):  # a slide's cells measured in bulk
        try:
            for i, feature in enumerate(features):
                at = f"{place}[{i}]" if place in ("features", "") else place  # a lone Feature, a geometry
                reading.feature(feature, f"{file}: {at}")
        except geojson_stream.Changed as e:
            report.skip("files", str(e))
        reading.finish()


def _busy(features: Iterable[Any], progress: ProgressCallback, every: int = 1000) -> Iterator[Any]:
    """``features``, saying "busy" (0 of 0) at the start and every ``every`` of them: the app's Cancel is
    raised from the progress callback, so a streamed file (the largest) must call it as it goes."""
    progress(0, 0)
    for k, feature in enumerate(features, start=1):
        yield feature
        if k % every == 0:
            progress(0, 0)


class _FileReading:
    """The features of one file: objects added, and what was left out said once per file."""

    def __init__(self, file: Path, image: ImageRecord, target: _Target) -> None:
        self.file, self.image, self.build, self.report = file, image, target.build, target.report
        self.cell_shape, self.colored = target.cell_shape, target.colored
        self.no_area: dict[str, list[str]] = {}
        self.nuclei_kept = 0
        self.ids: dict[str, str] = {}  # a feature id -> the place of the first feature of it
        self.same_id: list[str] = []  # "'<id>' (features[0], features[3])": a later feature of an id
        self.off_plane: dict[str, int] = {}  # "z=3, t=0" -> features read from that plane of QuPath's
        self.added = self.outside = 0  # objects read, and those wholly off the image (another slide's?)
        self.outside_at: list[str] = []  # the first few of them

    def feature(self, feature: Any, where: str) -> None:
        if not isinstance(feature, dict):
            self.report.often(
                "skipped features",
                f"{where}: expected a Feature object, got {short_repr(feature)}; skipped",
                "invalid",
            )
            return
        members = feature.get("features")
        if feature.get("type") == "FeatureCollection" and isinstance(members, list):
            for k, member in enumerate(members):  # a list of collections (json.dump([collection])): read
                self.feature(member, f"{where}.features[{k}]")  # each's features, at their place
            return
        props = feature.get("properties")
        if props is None:
            props = {}
        elif not isinstance(props, dict):
            self.report.often(
                "ignored properties",
                f"{where}.properties: expected an object, got {short_repr(props)}; ignored",
            )
            props = {}
        geometry, gwhere = feature.get("geometry"), f"{where}.geometry"
        nucleus = feature.get("nucleusGeometry", props.get("nucleusGeometry"))
        other = (geometry, gwhere) if self.cell_shape == "nucleus" else (nucleus, f"{where}.nucleusGeometry")
        if nucleus is not None and self.cell_shape == "nucleus":
            geometry, gwhere = nucleus, f"{where}.nucleusGeometry"
        elif nucleus is not None:
            self.nuclei_kept += 1
        if not isinstance(geometry, dict):
            self.report.often(
                "skipped features",
                f"{gwhere}: expected a geometry object, got {short_repr(geometry)}; skipped",
                "invalid",
            )
            return
        fresh, cat = False, None
        try:
            outline = plain_outline(geometry)  # a slide's cells: no arrays made
            parts = [] if outline is not None else self.parts(geometry, gwhere, nested=False)
            if outline is None and not parts:
                return
            name, color, void = _classification(
                props.get("classification"), f"{where}.properties.classification"
            )
            limits.check_text(name, f"{where}.properties.classification", "name")
            fields = self.fields(feature, props, where)
            void = void or fields["app_extra"].pop("void", None) is True
            if plane := geojson_plane.read_plane(geometry, gwhere, self.report):  # written back to QuPath
                fields["app_extra"].setdefault(QUPATH_KEY, {})[geojson_plane.PLANE_KEY] = plane
            if nucleus is not None and (kept := geojson_cells.other_shape(*other, self.report)):
                qupath = fields["app_extra"].setdefault(QUPATH_KEY, {})  # written back beside it
                qupath[geojson_cells.OTHER_KEY[self.cell_shape]] = kept
            fresh = self.build.project.category_by_name(name) is None
            cat = self.build.category(name, void=void)
            if color is not None and cat.id not in self.colored:
                cat.color = color
                self.colored.add(cat.id)
            if outline is not None:  # as add_object adds the polygon of one ring
                added = self.build.annotation(self.image, cat.id, polygons=outline, where=where, **fields)
            else:
                added = add_object(parts, self.image, cat.id, fields, where, self.build, self.report)
            geojson_cells.mark_imported(added, self.image)
            self.added += 1
            if _off_image(added.bbox, self.image):
                self.outside += 1
                if len(self.outside_at) < 3:
                    self.outside_at.append(where.removeprefix(f"{self.file}: "))
            if geojson_plane.off_first(plane):
                text = geojson_plane.plane_text(plane)  # type: ignore[arg-type]
                self.off_plane[text] = self.off_plane.get(text, 0) + 1
        except ValueError as e:  # LimitError too
            self.report.often("skipped features", f"{e}; skipped", "invalid")
            # a class only a refused object had is no class of the slide
            if fresh and cat is not None and self.build.drop_unused(cat, self.image):
                self.colored.discard(cat.id)

    def parts(self, geometry: dict, where: str, nested: bool) -> list[Part]:
        """The polygons of a geometry (rings checked); [] for one without area (noted for the file)."""
        kind = geometry.get("type")
        coords = geometry.get("coordinates")
        if kind in NO_AREA_TYPES:
            self.no_area.setdefault(str(kind), []).append(where[len(str(self.file)) + 2 :])
            return []
        if kind == "Polygon":
            return [polygon_part(coords, f"{where}.coordinates", self.report)]
        if kind == "MultiPolygon":
            if not isinstance(coords, list) or not coords:
                raise ValueError(
                    f"{where}.coordinates: expected a list of polygons, got {short_repr(coords)}"
                )
            check_vertices(coords, where)  # counted before any array is made
            return [polygon_part(p, f"{where}.coordinates[{k}]", self.report) for k, p in enumerate(coords)]
        if kind == "GeometryCollection" and not nested:
            members = geometry.get("geometries")
            if not isinstance(members, list):
                raise ValueError(f"{where}.geometries: expected a list, got {short_repr(members)}")
            out = []
            for k, member in enumerate(members):
                if not isinstance(member, dict):
                    raise ValueError(
                        f"{where}.geometries[{k}]: expected a geometry, got {short_repr(member)}"
                    )
                out += self.parts(member, f"{where}.geometries[{k}]", nested=True)
            check_vertices(out, where)
            return out
        if kind == "GeometryCollection":
            raise ValueError(f"{where}: a GeometryCollection inside a GeometryCollection is not read")
        raise ValueError(f"{where}.type: expected a GeoJSON geometry type, got {short_repr(kind)}")

    def fields(self, feature: dict, props: dict, where: str) -> dict[str, Any]:
        """The object's fields: QuPath's own under ``qupath``, PixelProof's (``pixelproof``) as LabelMe's."""
        qupath: dict[str, Any] = {}
        fid = feature.get("id")
        if isinstance(fid, str) and fid and not fid.startswith("Path"):  # 0.2 put the object's class there
            at = where.removeprefix(f"{self.file}: ")
            if (first := self.ids.setdefault(fid, at)) == at:  # 0.4's UUID
                qupath["id"] = fid
            else:  # kept, without it: an export gives it an id of its own, so QuPath's stay unique
                self.same_id.append(f"{short_repr(fid)} ({first}, {at})")
        kind = props.get("objectType", props.get("object_type"))
        if kind is None and isinstance(fid, str) and fid.startswith("Path") and fid.endswith("Object"):
            kind = {
                "PathCellObject": "cell",
                "PathDetectionObject": "detection",
                "PathTileObject": "tile",
            }.get(fid, "annotation")
        if isinstance(kind, str):
            qupath["objectType"] = kind
        qupath.update(kept_properties(props))
        measurements = _measurements(props.get("measurements"))
        if measurements:
            qupath["measurements"] = measurements
        fields: dict[str, Any] = {}
        app_extra: dict[str, Any] = {QUPATH_KEY: qupath} if qupath else {}
        ours = props.get("pixelproof")
        if isinstance(ours, dict):
            for k, v in ours.items():
                (fields if k in APP_FIELDS else app_extra).setdefault(k, v)
        fields["app_extra"] = app_extra
        return fields

    def finish(self) -> None:
        for kind, places in sorted(self.no_area.items()):  # "1 Point geometry", as LabelMe's "1 line shape"
            self.report.skipped[f"{kind} geometries"] += len(places)
        if self.no_area:
            counts = ", ".join(
                f"{plural(len(p), f'{kind} geometry')} ({listed(p, 3)})"
                for kind, p in sorted(self.no_area.items())
            )
            self.report(f"{self.file}: skipped geometries that enclose no area: {counts}")
        if self.same_id:
            self.report(
                f"{self.file}: {plural(len(self.same_id), 'feature', thousands=True)} with the id of an "
                f"earlier one, each kept as an object of its own (written back with an id of its own): "
                f"{listed(self.same_id, 3)}"
            )
        if self.outside:
            image, first = self.image, ", ".join(self.outside_at) + (", ..." if self.outside > 3 else "")
            self.report(
                f"{self.file}: {self.outside:,} of {plural(self.added, 'object', thousands=True)} lie wholly "
                f"outside its image {image.file_name} ({image.width}x{image.height} px): {first}; "
                "is it the export of another slide? Kept; the problem finder's out_of_bounds names each"
            )
        if self.off_plane:
            self.report(geojson_plane.off_plane_note(self.file, self.image.file_name, self.off_plane))
        if self.nuclei_kept:  # how a cell was read: a line of information, no problem
            self.report.note(
                f"{self.file}: {plural(self.nuclei_kept, 'cell', thousands=True)}: the cell "
                "boundary is read, its nucleusGeometry "
                "kept to write back to QuPath (--cell-shape nucleus reads the nuclei instead)"
            )


def _off_image(bbox: list[float], image: ImageRecord) -> bool:
    """Whether a box [x, y, w, h] has no point inside the image (touching its edge from outside is off)."""
    x, y, w, h = bbox
    return x >= image.width or y >= image.height or x + w <= 0 or y + h <= 0


def _classification(value: Any, where: str) -> tuple[str, str | None, bool]:
    """(category name, '#rrggbb' or None, void) of a QuPath classification: 0.4's ``name``/``names`` and
    ``color``, 0.2's ``colorRGB`` and ``parentClass``, or a bare string; None is ``Unclassified``."""
    if value is None or value == {}:
        return UNCLASSIFIED, None, False
    if isinstance(value, str):
        return (value or UNCLASSIFIED), None, value == IGNORE_CLASS
    if not isinstance(value, dict):
        raise ValueError(f"{where}: expected an object with a name, got {short_repr(value)}")
    names = value.get("names")
    if isinstance(names, list) and names and all(isinstance(n, str) for n in names):
        name = ": ".join(names)  # a derived class, as QuPath shows it (Tumor: Positive)
    elif isinstance(value.get("name"), str) and value["name"]:
        name = value["name"]
        parent, depth = value.get("parentClass"), 0
        while isinstance(parent, dict) and isinstance(parent.get("name"), str) and depth < 16:
            name, parent, depth = f"{parent['name']}: {name}", parent.get("parentClass"), depth + 1
    else:
        raise ValueError(f"{where}: no class name (expected 'name' or 'names'), got {short_repr(value)}")
    return name, _color(value.get("color", value.get("colorRGB"))), name == IGNORE_CLASS


def _color(value: Any) -> str | None:
    """'#rrggbb' of QuPath's [r, g, b(, a)] or packed (A)RGB integer; None for anything else."""
    if not is_qupath_color(value):
        return None
    if isinstance(value, int):
        v = value & 0xFFFFFF
        return f"#{v >> 16:02x}{(v >> 8) & 255:02x}{v & 255:02x}"
    return "#{:02x}{:02x}{:02x}".format(*value[:3])


def _measurements(value: Any) -> dict[str, float | None]:
    """QuPath's measurements as name -> number: 0.4's object or 0.2's [{"name", "value"}] list; NaN (a
    measurement QuPath could not compute) is null, anything but a number is left out."""
    pairs: list[tuple[Any, Any]] = []
    if isinstance(value, dict) and _finite_floats(value):
        return dict(value)  # QuPath 0.4's usual cell: every measurement computed
    if isinstance(value, dict):
        pairs = list(value.items())
    elif isinstance(value, list):
        pairs = [(m.get("name"), m.get("value")) for m in value if isinstance(m, dict)]
    out: dict[str, float | None] = {}
    for name, v in pairs:
        if isinstance(name, str) and (v is None or (isinstance(v, int | float) and not isinstance(v, bool))):
            out[name] = v if v is not None and _is_finite(v) else None
    return out


def _finite_floats(value: dict) -> bool:
    """All names text and all values finite floats, found at C speed (a slide's million cells)."""
    types_ok = set(map(type, value.values())) == {float} and set(map(type, value)) == {str}
    return types_ok and limits.surely_finite(value.values())


def _is_finite(v: int | float) -> bool:
    """A finite number, an int too large for a float (Python's parser reads 400 digits) not being one."""
    try:
        return math.isfinite(v)
    except OverflowError:
        return False


def looks_like_geojson(path: Path) -> bool:
    """A ``.geojson`` file, a ``.json`` file holding Features, or a folder with ``.geojson`` files (two
    levels deep)."""
    if path.is_file():
        return path.suffix.lower() == SUFFIX or (
            path.suffix.lower() == ".json" and b'"Feature' in sniff(path, 4096)
        )
    if not path.is_dir():
        return False
    return any(True for _ in path.glob(f"*{SUFFIX}")) or any(True for _ in path.glob(f"*/*{SUFFIX}"))


FORMAT = Format(
    name="geojson",
    title="QuPath GeoJSON",
    reader=read_geojson,
    writer=write_geojson,
    read_options=(
        Option(
            "image_dir",
            "folder",
            "folder of the images (default: beside the GeoJSON files, or anywhere under their folder)",
            None,
            label="Images folder",
        ),
        Option(
            "cell_shape",
            "choice",
            "QuPath cells: read the cell boundary (cell, the default) or the nucleus (nucleus)",
            "cell",
            choices=CELL_SHAPES,
            label="Cells",
        ),
    ),
    write_options=(
        images_option("beside the GeoJSON files", "write the GeoJSON only; read it back with --image-dir"),
    ),
    detect=looks_like_geojson,
    suffixes=(SUFFIX, ".json"),
    lost_on_export=(
        "categories without objects; QuPath itself keeps only the outlines, classes and their colours: the "
        "scores, review state, notes, crowd and void flags go in a `pixelproof` property it ignores (and "
        "drops when it saves the objects again)"
    ),
)
