"""SEG segments whose coded category and type were edited to break the import or the export: empty,
partial, doubled or mistyped code items, meanings of 10,000 characters or holding control or bidi
characters, other coding schemes; and a project whose ``pixelproof.dicom_seg`` was edited by hand. The
import keeps each code a SEG can hold again, the export writes the rest as Tissue, and neither refuses
the whole file."""

from __future__ import annotations

import json
from pathlib import Path

import pydicom
import pytest
from pydicom.dataset import Dataset

from pixelproof.core.coco import load_project, save_project
from pixelproof.interop.dicom_seg import read_dicom_seg, write_dicom_seg
from pixelproof.interop.seg_codes import KEY
from tests.interop.test_dicom_seg import add, ct_project  # noqa: F401 (the fixture)

TISSUE = ("85756007", "SCT", "Tissue")
LIVER = ("10200004", "SCT", "Liver")
ORGAN = ("123037004", "SCT", "Anatomical Structure")


def code(value: str, scheme: str, meaning: str) -> Dataset:
    ds = Dataset()
    ds.CodeValue, ds.CodingSchemeDesignator, ds.CodeMeaning = value, scheme, meaning
    return ds


def without(name: str) -> Dataset:
    ds = code(*LIVER)
    delattr(ds, name)
    return ds


def mistyped() -> Dataset:
    ds = code(*LIVER)
    del ds.CodeValue
    ds.add_new(0x00080100, "US", 10200)
    return ds


def multi_valued() -> Dataset:
    ds = code(*LIVER)
    ds.CodeValue = ["10200004", "52988006"]
    return ds


def seg_with_types(ct_project, types: list) -> Path:  # noqa: F811
    """The ct project's SEG with segment 1 (liver) Organ / ``types`` and segment 2 (lesion) Organ / Liver."""
    project, study, _ = ct_project
    assert write_dicom_seg(project, study / "seg") == []
    (seg_file,) = (study / "seg").iterdir()
    ds = pydicom.dcmread(seg_file)
    ds.SpecificCharacterSet = "ISO_IR 192"  # UTF-8, as 3D Slicer writes it: any character gets through
    first, second = ds.SegmentSequence
    first.SegmentedPropertyCategoryCodeSequence = [code(*ORGAN)]
    first.SegmentedPropertyTypeCodeSequence = types
    second.SegmentedPropertyCategoryCodeSequence = [code(*ORGAN)]
    second.SegmentedPropertyTypeCodeSequence = [code(*LIVER)]
    ds.save_as(seg_file)
    return seg_file


def triples(seq: list) -> list[tuple[str, str, str]]:
    return [(c.CodeValue, c.CodingSchemeDesignator, c.CodeMeaning) for c in seq]


def written(out: Path) -> list[tuple[tuple[str, str, str], tuple[str, str, str]]]:
    """(category, type) of each segment of the one SEG in ``out``."""
    (out_file,) = out.iterdir()
    segments = pydicom.dcmread(out_file).SegmentSequence
    return [
        (*triples(s.SegmentedPropertyCategoryCodeSequence), *triples(s.SegmentedPropertyTypeCodeSequence))
        for s in segments
    ]


def written_types(seg_file: Path, tmp_path: Path) -> tuple[list[str], list]:
    """Import the SEG, save and load it as a project, write it again: (import problems, the written
    segments' (category, type) as (value, scheme, meaning))."""
    result = read_dicom_seg(seg_file.parent)
    assert len(result.project.annotations) == 5, result.problems  # every object kept
    result.project.path = seg_file.parent / "again.json"
    save_project(result.project, result.project.path)
    again = load_project(result.project.path)
    assert write_dicom_seg(again, tmp_path / "out") == []
    return result.problems, written(tmp_path / "out")


@pytest.mark.parametrize(
    ("types", "said"),
    [
        ([], "no type code"),
        ([without("CodeValue")], "no CodeValue"),
        ([without("CodingSchemeDesignator")], "no CodingSchemeDesignator"),
        ([without("CodeMeaning")], "no CodeMeaning"),
        ([code("10200004", "SCT", "L" * 10_000)], "CodeMeaning of 10,000 characters"),
        ([code("10200004", "SCT", "Li\x07ver\x1b[2J")], "character U+0007"),
        ([code("10200004", "SCT", "\u202erevil")], "character U+202E"),
        ([mistyped()], "CodeValue is 10200"),
        ([multi_valued()], "CodeValue is ['10200004', '52988006']"),
        ([code(*LIVER), code("52988006", "SCT", "Lesion")], "2 type codes"),
    ],
)
def test_a_type_code_a_seg_cannot_hold_is_written_as_tissue_and_said(
    ct_project,  # noqa: F811
    tmp_path: Path,
    types: list,
    said: str,
) -> None:
    seg_file = seg_with_types(ct_project, types)
    """highdicom refused the whole SEG (every mask lost) for a missing code or field; a mistyped, doubled,
    long or control-character code was dropped without a word, and one with a bidi or control character
    was written again as such (the bidi one as '?revil'). The category code, well formed, is kept."""
    problems, codes = written_types(seg_file, tmp_path)
    assert codes == [(ORGAN, TISSUE), (ORGAN, LIVER)]
    (problem,) = problems
    assert str(seg_file) in problem and "segment 1" in problem and said in problem, problem


def test_a_code_of_another_scheme_is_kept(ct_project, tmp_path: Path) -> None:  # noqa: F811
    local = ("L-0042", "99PIXEL", "Hepatic remnant")
    problems, codes = written_types(seg_with_types(ct_project, [code(*local)]), tmp_path)
    assert problems == [] and codes == [(ORGAN, local), (ORGAN, LIVER)]


def test_a_meaning_the_sources_character_set_cannot_spell_is_written_as_tissue(
    ct_project,  # noqa: F811
    tmp_path: Path,
) -> None:
    """highdicom copies the sources' character set (none: ASCII) into the SEG, and pydicom wrote each
    character it cannot spell as '?': the code's meaning became '??'. Kept on import, it is written as
    Tissue with a warning naming the category and the character set."""
    seg_file = seg_with_types(ct_project, [code("10200004", "SCT", "\u809d\u81d3")])
    result = read_dicom_seg(seg_file.parent)
    assert result.problems == []
    warnings = write_dicom_seg(result.project, tmp_path / "out")
    assert written(tmp_path / "out") == [(ORGAN, TISSUE), (ORGAN, LIVER)]
    (warning,) = warnings
    assert "'liver'" in warning and "character set" in warning and "Tissue" in warning, warning


HOSTILE_EXTRAS = [
    "Liver",
    7,
    None,
    [["10200004", "SCT", "Liver"]],
    {"label": ["liver"], "type": list(LIVER)},
    {"label": "liver", "type": "10200004"},
    {"label": "liver", "type": [10200004, "SCT", "Liver"]},
    {"label": "liver", "type": ["1" * 10_000, "SCT", "Liver"]},
    {"label": "liver", "type": ["10200004", "SCT", "L" * 10**6]},
    {"label": "liver", "type": [["10200004"], "SCT", {"a": [{"b": []}]}]},
    {"label": "liver", "type": ["10200004", "SCT", "Li\x00ver"]},
    {"label": "liver", "type": ["10200004\\52988006", "SCT", "Liver"]},
    {"label": "liver", "type": ["10200004", "SCT", "Liver", "extra"]},
    {"label": "liver", "category": {"nested": [[[["junk"]]]]}, "type": list(LIVER)},
]


@pytest.mark.parametrize("stored", HOSTILE_EXTRAS)
def test_a_hand_edited_dicom_seg_extra_loads_and_is_written_as_tissue(
    ct_project,  # noqa: F811
    tmp_path: Path,
    stored: object,
) -> None:
    """The project file says anything under the category's ``pixelproof.dicom_seg``: it loads, the SEG is
    written (never refused whole by highdicom), the segment as Tissue save a well-formed kept code, and a
    warning names the category."""
    project, _, _ = ct_project
    save_project(project, project.path)
    doc = json.loads(project.path.read_text())
    liver = next(c for c in doc["categories"] if c["name"] == "liver")
    liver.setdefault("pixelproof", {})[KEY] = stored
    project.path.write_text(json.dumps(doc))
    warnings = write_dicom_seg(load_project(project.path), tmp_path / "out")
    codes = written(tmp_path / "out")
    kept_type = isinstance(stored, dict) and stored.get("type") == list(LIVER) and stored["label"] == "liver"
    assert codes == [(TISSUE, LIVER if kept_type else TISSUE), (TISSUE, TISSUE)]
    (warning,) = warnings
    assert "'liver'" in warning and "pixelproof.dicom_seg" in warning, warning


def long_code(value: str, scheme: str, meaning: str, field: str = "LongCodeValue") -> Dataset:
    """A code whose value is longer than CodeValue's 16 characters: in LongCodeValue (UC), or a URN in
    URNCodeValue (UR), as DICOM PS3.3 8.8 puts them."""
    ds = Dataset()
    setattr(ds, field, value)
    ds.CodingSchemeDesignator, ds.CodeMeaning = scheme, meaning
    return ds


def test_long_and_urn_code_values_are_kept_and_written_back_in_their_fields(
    ct_project,  # noqa: F811
    tmp_path: Path,
) -> None:
    """A SNOMED CT code of more than 16 digits (an extension's, in LongCodeValue) and a URN code (in
    URNCodeValue) were taken for codes without a CodeValue: Tissue, with a message. They are kept and
    written back in the same fields, read here by pydicom."""
    long_type = ("1000000000000000107", "SCT", "Hepatic remnant after resection")
    urn_category = ("urn:oid:1.2.840.10008.2.16.4.99", "DCM", "Anatomical Structure")
    seg_file = seg_with_types(ct_project, [long_code(*long_type)])
    ds = pydicom.dcmread(seg_file)
    ds.SegmentSequence[1].SegmentedPropertyCategoryCodeSequence = [long_code(*urn_category, "URNCodeValue")]
    ds.save_as(seg_file)
    problems, _ = written_types_raw(seg_file, tmp_path)
    assert problems == []
    (out_file,) = (tmp_path / "out").iterdir()
    first, second = pydicom.dcmread(out_file).SegmentSequence
    (kind,) = first.SegmentedPropertyTypeCodeSequence
    assert "CodeValue" not in kind and "URNCodeValue" not in kind
    assert (kind.LongCodeValue, kind.CodingSchemeDesignator, kind.CodeMeaning) == long_type
    assert kind["LongCodeValue"].VR == "UC"
    (category,) = second.SegmentedPropertyCategoryCodeSequence
    assert "CodeValue" not in category and "LongCodeValue" not in category
    assert (category.URNCodeValue, category.CodingSchemeDesignator, category.CodeMeaning) == urn_category
    assert triples(first.SegmentedPropertyCategoryCodeSequence) == [ORGAN]
    assert triples(second.SegmentedPropertyTypeCodeSequence) == [LIVER]


def written_types_raw(seg_file: Path, tmp_path: Path) -> tuple[list[str], None]:
    """``written_types`` without reading the codes back (a long code has no CodeValue to read)."""
    result = read_dicom_seg(seg_file.parent)
    assert len(result.project.annotations) == 5, result.problems
    result.project.path = seg_file.parent / "again.json"
    save_project(result.project, result.project.path)
    assert write_dicom_seg(load_project(result.project.path), tmp_path / "out") == []
    return result.problems, None


@pytest.mark.parametrize("name", ["liver\\left", "liver\nleft", "liver\x1bleft"])
def test_a_class_name_a_segment_label_cannot_hold_is_written_as_one_label_and_said(
    ct_project,  # noqa: F811
    tmp_path: Path,
    name: str,
) -> None:
    """A backslash splits a DICOM value in two: "liver\\left" was written as the label's two values and
    read back as the class "['liver', 'left']"; a control character is no LO value either."""
    project, _study, _ = ct_project
    project.categories[1].name = name
    warnings = write_dicom_seg(project, tmp_path / "seg")
    (seg_file,) = (tmp_path / "seg").iterdir()
    label = pydicom.dcmread(seg_file).SegmentSequence[0].SegmentLabel
    assert isinstance(label, str) and label == "liver left", repr(label)
    assert any(repr(name) in w and "liver left" in w for w in warnings), warnings
