"""Headless Chromium for the picture tests: render a page to PNG and read its pixels back.

Used where the Debian `chromium` package (or another Chromium/Chrome binary) is installed; the tests that
need it skip with the reason otherwise. The PNG reader covers what Chromium writes (8-bit RGB/RGBA,
non-interlaced), so no imaging library is needed."""

from __future__ import annotations

import shutil
import struct
import subprocess
import tempfile
import zlib
from pathlib import Path

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


def browser() -> str | None:
    return next((path for name in BROWSERS if (path := shutil.which(name))), None)


def screenshot(page: str, width: int = 1200, height: int = 1600) -> bytes:
    """The PNG Chromium draws for `page` (an HTML document) in a window of that size."""
    with tempfile.TemporaryDirectory() as scratch:
        source, image = Path(scratch, "page.html"), Path(scratch, "page.png")
        source.write_text(page, encoding="utf-8")
        subprocess.run([browser(), "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                        f"--user-data-dir={scratch}/profile", f"--window-size={width},{height}",
                        f"--screenshot={image}", source.as_uri()],
                       check=True, capture_output=True, timeout=120)
        return image.read_bytes()


def pixels(png: bytes) -> list[list[tuple[int, int, int]]]:
    """Rows of (r, g, b) pixels of an 8-bit RGB or RGBA, non-interlaced PNG."""
    assert png[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, data, header = 8, b"", None
    while pos < len(png):
        length, kind = struct.unpack(">I4s", png[pos:pos + 8])
        chunk = png[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", chunk)
        elif kind == b"IDAT":
            data += chunk
        pos += 12 + length
    width, height, depth, colour, _, _, interlace = header
    assert depth == 8 and colour in (2, 6) and interlace == 0, f"unsupported PNG {header}"
    size = 3 if colour == 2 else 4
    raw, stride, rows, previous = zlib.decompress(data), width * size, [], bytearray(width * size)
    for y in range(height):
        kind, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            left = line[i - size] if i >= size else 0
            up, corner = previous[i], previous[i - size] if i >= size else 0
            if kind == 1:
                line[i] = (line[i] + left) & 255
            elif kind == 2:
                line[i] = (line[i] + up) & 255
            elif kind == 3:
                line[i] = (line[i] + (left + up) // 2) & 255
            elif kind == 4:
                p = left + up - corner
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - corner)
                line[i] = (line[i] + (left if pa <= pb and pa <= pc else up if pb <= pc else corner)) & 255
        rows.append([tuple(line[x:x + 3]) for x in range(0, stride, size)])
        previous = line
    return rows


def hex_colour(value: str) -> tuple[int, int, int]:
    return tuple(int(value.lstrip("#")[i:i + 2], 16) for i in (0, 2, 4))
