"""Drop shared libraries that nothing left in the bundle links against (Linux; used by pixelproof.spec).

PyInstaller collects a library because some binary needs it. Once the spec removes binaries (Qt plugins such
as the GTK3 theme, eglfs or printsupport, Python modules such as ssl), the libraries only they needed stay
behind: libgdk_pixbuf, libgio, libkrb5, the eglfs Qt libraries... This module follows DT_NEEDED from every
kept binary and reports the system libraries (top level of the bundle) and Qt libraries nobody reaches.
Libraries loaded with dlopen() are not visible here, hence ``ALWAYS_KEEP``.
"""

from __future__ import annotations

import struct
from pathlib import Path

# Loaded with dlopen(), not DT_NEEDED: the bootloader opens libpython; Qt opens libdbus-1 at run time.
ALWAYS_KEEP = ("libpython", "libdbus-1", "libxcb-cursor", "libicu")
# Where PyInstaller puts the libraries it found by dependency analysis (the only ones pruned).
PRUNABLE_DIRS = ("", "PySide6/Qt/lib")


def elf_needed(path: str | Path) -> list[str] | None:
    """DT_NEEDED entries of a 64-bit little-endian ELF file; None when the file is not one (keep it)."""
    try:
        with open(path, "rb") as f:
            head = f.read(64)
            if head[:4] != b"\x7fELF" or head[4] != 2 or head[5] != 1:
                return None
            (phoff,) = struct.unpack_from("<Q", head, 0x20)
            phentsize, phnum = struct.unpack_from("<HH", head, 0x36)
            f.seek(phoff)
            table = f.read(phentsize * phnum)
            loads, dynamic = [], None
            for i in range(phnum):
                kind, _, offset, vaddr, _, size = struct.unpack_from("<IIQQQQ", table, i * phentsize)
                if kind == 1:  # PT_LOAD
                    loads.append((vaddr, offset, size))
                elif kind == 2:  # PT_DYNAMIC
                    dynamic = (offset, size)
            if dynamic is None:
                return []  # static
            f.seek(dynamic[0])
            raw = f.read(dynamic[1])
            needed, strtab = [], None
            for tag, val in struct.iter_unpack("<qQ", raw[: len(raw) // 16 * 16]):
                if tag == 0:  # DT_NULL
                    break
                if tag == 1:  # DT_NEEDED: offset in the string table
                    needed.append(val)
                elif tag == 5:  # DT_STRTAB: its address
                    strtab = val
            base = next(
                (off + strtab - va for va, off, n in loads if strtab is not None and va <= strtab < va + n),
                None,
            )
            if base is None:
                return None
            names = []
            for offset in needed:
                f.seek(base + offset)
                names.append(f.read(256).split(b"\0", 1)[0].decode())
            return names
    except (OSError, struct.error, UnicodeDecodeError):
        return None


def _name(entry: tuple) -> str:
    return entry[0].replace("\\", "/").rpartition("/")[2]


def unreached_libraries(binaries: list[tuple]) -> set[str]:
    """Destinations (as in ``a.binaries``) of pruneable libraries that no kept binary needs."""

    def prunable(entry: tuple) -> bool:
        folder, _, name = entry[0].replace("\\", "/").rpartition("/")
        return (
            entry[2] == "BINARY"  # not a Python extension module
            and folder in PRUNABLE_DIRS
            and ".so" in name
            and not name.startswith(ALWAYS_KEEP)
        )

    binaries = [e for e in binaries if e[2] != "SYMLINK"]  # links follow their target (see drop_libraries)
    by_name: dict[str, list[tuple]] = {}
    for entry in binaries:
        by_name.setdefault(_name(entry), []).append(entry)
    reached: set[str] = set()
    todo = [e for e in binaries if not prunable(e)]
    seen: set[str] = set()
    while todo:
        dest, src = todo.pop()[:2]
        if dest in seen:
            continue
        seen.add(dest)
        needed = elf_needed(src)
        if needed is None:  # unreadable: keep everything rather than guess
            return set()
        for name in needed:
            if name not in reached:
                reached.add(name)
                todo.extend(by_name.get(name, []))
    return {e[0] for e in binaries if prunable(e) and _name(e) not in reached}


def drop_libraries(toc: list[tuple], dests: set[str]) -> list[tuple]:
    """``toc`` without the entries in ``dests`` nor symbolic links pointing at them."""
    return [e for e in toc if e[0] not in dests and not (e[2] == "SYMLINK" and e[1] in dests)]
