"""README.md is the manual and links its sections to each other (`[Masks](#masks)`) and to docs/: a heading
renamed or a file moved leaves a link that goes nowhere on GitHub, silently. Every such link must name a file
that exists and, with `#anchor`, a heading of that file, slugged as GitHub slugs it."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FENCE = re.compile(r"^(```|~~~).*?^\1", re.S | re.M)
CODE = re.compile(r"`[^`\n]+`")
LINK = re.compile(r"\]\(([^)\s]+)\)")


def _prose(text: str) -> str:
    """``text`` without its fenced code blocks (a `# comment` there is no heading, a `](x)` no link)."""
    return FENCE.sub("", text)


def slugs(text: str) -> set[str]:
    """The anchors GitHub gives a Markdown file's headings: lower case, punctuation dropped (letters, digits,
    `_`, `-` and spaces kept), spaces as `-`; a repeated one gets `-1`, `-2`, ..."""
    seen: Counter[str] = Counter()
    found = set()
    for line in _prose(text).splitlines():
        heading = re.match(r"^#{1,6}\s+(.*?)\s*#*\s*$", line)
        if heading is None:
            continue
        slug = re.sub(r"[^\w\- ]", "", heading.group(1).lower()).replace(" ", "-")
        found.add(slug if not seen[slug] else f"{slug}-{seen[slug]}")
        seen[slug] += 1
    return found


def broken_links(text: str, folder: Path) -> list[str]:
    """The links of a Markdown ``text`` (in ``folder``) to a missing file or to a heading its file lacks."""
    broken = []
    for target in LINK.findall(CODE.sub("", _prose(text))):  # nor is a `![..](path)` in a code span
        if re.match(r"[a-z][\w+.-]*:", target):  # https:, mailto:
            continue
        path, _, anchor = target.partition("#")
        file = (folder / path) if path else None
        if file is not None and not file.exists():
            broken.append(target)
        elif anchor and (file is None or file.suffix == ".md"):
            headings = slugs(file.read_text(encoding="utf-8")) if file is not None else slugs(text)
            if anchor not in headings:
                broken.append(target)
    return broken


def test_the_check_finds_a_missing_heading_and_file() -> None:
    text = (
        "# Masks\n\n## Undo: history & memory\n\n### The `onnx` backend\n\n"
        "```\n# not a heading\n```\n`![x](in-code.png)`\n"
        "[a](#masks) [b](#undo-history--memory) [g](#the-onnx-backend) [c](#not-a-heading) [d](#mask) "
        "[e](nowhere.md) [f](README.md) [h](https://example.org/x#y)"
    )
    assert broken_links(text, ROOT) == ["#not-a-heading", "#mask", "nowhere.md"]


@pytest.mark.parametrize(
    "name", ["README.md", *(f"docs/{p.name}" for p in sorted((ROOT / "docs").glob("*.md")))]
)
def test_every_link_goes_somewhere(name: str) -> None:
    file = ROOT / name
    assert broken_links(file.read_text(encoding="utf-8"), file.parent) == [], f"{name}: links to nothing"


def test_the_contents_list_every_section_in_order() -> None:
    """README's Contents is how a reader finds a section: one added (Using PixelProof from Python) and not
    listed is as good as missing. Its links are the `##` headings' anchors, in the file's order."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    contents = re.search(r"^Contents:\n\n((?:- \[.*\n)+)", text, re.M)
    assert contents is not None, "README lost its Contents list"
    listed = re.findall(r"\]\(#([^)]+)\)", contents.group(1))
    sections = [
        re.sub(r"[^\w\- ]", "", h.lower()).replace(" ", "-")
        for h in re.findall(r"^## (.*?)\s*$", _prose(text), re.M)
    ]
    assert listed == sections
