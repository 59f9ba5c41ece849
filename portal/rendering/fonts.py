"""Which characters the document fonts can draw.

Documents are set in Libertinus Serif, regular and bold, the faces that ship inside the
``typst`` wheel (``ignore_system_fonts`` keeps the machine's fonts out, so every server prints
the same). Libertinus covers Latin with its extensions (Welsh ŵ ŷ, Polish, Czech, Romanian
with cedilla and comma below, Turkish), Greek and Cyrillic.

``coverage.txt`` beside this file lists, as code point ranges, the characters that *both* faces
map to a glyph. It is made from the wheel itself by ``python -m portal.rendering`` (which
reads the font tables embedded in typst's compiled module), and a test fails when the installed
wheel no longer matches it, so an upgrade of typst cannot silently drop a script.
"""

from __future__ import annotations

import struct
import unicodedata
from collections.abc import Iterable, Iterator
from functools import cache
from importlib import resources
from pathlib import Path

FAMILY = "Libertinus Serif"
FACES = ("Libertinus Serif Regular", "Libertinus Serif Bold")

# Drawn as space or line breaks, never as glyphs: not looked up in the fonts.
_LAYOUT = frozenset("\n\t ")


@cache
def coverage() -> frozenset[int]:
    text = resources.files(__package__).joinpath("coverage.txt").read_text(encoding="ascii")
    points: set[int] = set()
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        first, _, last = line.partition("-")
        points.update(range(int(first, 16), int(last or first, 16) + 1))
    return frozenset(points)


def unprintable(text: str) -> str | None:
    """The first character of ``text`` that the document fonts cannot draw, or None."""
    covered = coverage()
    for char in text:
        if char not in _LAYOUT and ord(char) not in covered:
            return char
    return None


def describe(char: str) -> str:
    """``"中" (U+4E2D CJK UNIFIED IDEOGRAPH-4E2D)``: the character, its code and its name."""
    name = unicodedata.name(char, "unnamed character")
    shown = char if char.isprintable() else ""
    return (f'"{shown}" ' if shown else "") + f"(U+{ord(char):04X} {name})"


# --- making coverage.txt from the wheel -------------------------------------------------------


def _fonts(data: bytes) -> Iterator[dict[bytes, tuple[int, int]]]:
    """Every OpenType/TrueType font embedded in ``data``: its tables as absolute offsets."""
    for signature in (b"OTTO", b"\x00\x01\x00\x00"):
        start = 0
        while (at := data.find(signature, start)) >= 0:
            start = at + 1
            if at + 12 > len(data):
                continue
            count, search_range = struct.unpack_from(">HH", data, at + 4)
            if not 4 <= count <= 64 or search_range != 16 << (count.bit_length() - 1):
                continue
            if at + 12 + 16 * count > len(data):
                continue
            tables = {}
            for index in range(count):
                tag, _, offset, length = struct.unpack_from(">4sIII", data, at + 12 + 16 * index)
                tables[tag] = (at + offset, length)
            if {b"cmap", b"name", b"OS/2"} <= tables.keys():
                yield tables


def _full_name(data: bytes, tables: dict[bytes, tuple[int, int]]) -> str | None:
    offset, _ = tables[b"name"]
    _, count, strings = struct.unpack_from(">HHH", data, offset)
    for index in range(count):
        platform, encoding, _, name_id, length, at = struct.unpack_from(
            ">HHHHHH", data, offset + 6 + 12 * index
        )
        if name_id == 4 and (platform, encoding) == (3, 1):
            start = offset + strings + at
            return data[start : start + length].decode("utf-16-be")
    return None


def _cmap(data: bytes, tables: dict[bytes, tuple[int, int]]) -> set[int]:
    offset, _ = tables[b"cmap"]
    _, count = struct.unpack_from(">HH", data, offset)
    best: tuple[int, int] | None = None
    for index in range(count):
        platform, encoding, sub = struct.unpack_from(">HHI", data, offset + 4 + 8 * index)
        kind = struct.unpack_from(">H", data, offset + sub)[0]
        if kind == 12 and (platform, encoding) in ((3, 10), (0, 4), (0, 6)):
            best = (12, offset + sub)
        elif kind == 4 and (platform, encoding) in ((3, 1), (0, 3)) and best is None:
            best = (4, offset + sub)
    if best is None:
        return set()
    kind, at = best
    points: set[int] = set()
    if kind == 12:
        (groups,) = struct.unpack_from(">I", data, at + 12)
        for index in range(groups):
            first, last, glyph = struct.unpack_from(">III", data, at + 16 + 12 * index)
            points.update(c for c in range(first, last + 1) if glyph + c - first)
        return points
    (double,) = struct.unpack_from(">H", data, at + 6)
    segments = double // 2
    ends = struct.unpack_from(f">{segments}H", data, at + 14)
    starts = struct.unpack_from(f">{segments}H", data, at + 16 + double)
    deltas = struct.unpack_from(f">{segments}h", data, at + 16 + 2 * double)
    ranges_at = at + 16 + 3 * double
    range_offsets = struct.unpack_from(f">{segments}H", data, ranges_at)
    for seg in range(segments):
        for c in range(starts[seg], ends[seg] + 1):
            if c == 0xFFFF:
                continue
            if range_offsets[seg] == 0:
                glyph = (c + deltas[seg]) & 0xFFFF
            else:
                where = ranges_at + 2 * seg + range_offsets[seg] + 2 * (c - starts[seg])
                glyph = struct.unpack_from(">H", data, where)[0]
                glyph = (glyph + deltas[seg]) & 0xFFFF if glyph else 0
            if glyph:
                points.add(c)
    return points


def wheel_coverage(module: Path) -> frozenset[int]:
    """The characters every face in ``FACES`` draws, read from typst's compiled module."""
    data = module.read_bytes()
    faces: dict[str, set[int]] = {}
    for tables in _fonts(data):
        name = _full_name(data, tables)
        if name in FACES and name not in faces:
            faces[name] = _cmap(data, tables)
    missing = set(FACES) - faces.keys()
    if missing:
        raise LookupError(f"typst no longer ships {', '.join(sorted(missing))}")
    return frozenset(set.intersection(*faces.values()))


def typst_module() -> Path:
    import typst

    folder = Path(typst.__file__).parent
    return next(p for p in folder.iterdir() if p.name.startswith("_typst."))


def ranges(points: Iterable[int]) -> list[str]:
    out: list[str] = []
    ordered = sorted(points)
    start = previous = ordered[0]
    for point in [*ordered[1:], -2]:
        if point != previous + 1:
            out.append(f"{start:04X}" if start == previous else f"{start:04X}-{previous:04X}")
            start = point
        previous = point
    return out


def coverage_text(points: Iterable[int]) -> str:
    header = (
        f"# Characters drawn by both {' and '.join(FACES)}, as shipped in the typst wheel.\n"
        "# Made by: python -m portal.rendering (do not edit by hand).\n"
    )
    return header + "\n".join(ranges(points)) + "\n"
