#!/usr/bin/env python3
"""Regenerates the tiny image fixtures for DatasetsTests.

PNGs are written by hand (zlib + struct), so every byte and every pixel value is known exactly.
JPEGs need an encoder: Pillow (`pip install pillow`; a generation-time tool only, never a runtime dependency),
with 4:4:4 chroma so that flat 8×8 blocks decode to their colour within ±2/255.

    python3 Tests/DatasetsTests/Fixtures/make_fixtures.py

The pixel values here are repeated in Tests/DatasetsTests/FixturePixels.swift: change both together.
"""
import os
import struct
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
W, H = 4, 3

# 4×3 RGB pattern, row-major (the same table is in FixturePixels.swift).
RGB = [
    (255, 0, 0), (0, 255, 0), (0, 0, 255), (255, 255, 255),
    (10, 20, 30), (40, 50, 60), (70, 80, 90), (100, 110, 120),
    (0, 0, 0), (128, 128, 128), (1, 2, 3), (254, 253, 252),
]
GRAY = [17 * i for i in range(W * H)]            # 0, 17, …, 187
ALPHA = [0, 255, 128, 1, 64, 200, 0, 255, 33, 99, 0, 7]  # includes 0: colour must survive full transparency
PALETTE = [(200, 30, 40), (20, 180, 90), (30, 60, 220), (250, 240, 10)]
PALETTE_ALPHA = [255, 0, 128, 255]               # tRNS: entry 1 fully transparent
INDICES = [0, 1, 2, 3, 3, 2, 1, 0, 1, 1, 2, 2]

# JPEG blocks: flat colours on the 8×8 DCT grid.
JPEG_QUADRANTS = [(200, 40, 40), (40, 180, 60), (50, 70, 200), (230, 230, 230)]  # 16×16: TL, TR, BL, BR
JPEG_GRAYS = [30, 90, 160, 230]                                                 # 16×16: TL, TR, BL, BR
JPEG_SIX = [(220, 120, 30), (30, 120, 220), (120, 220, 30),
            (90, 90, 90), (250, 200, 200), (20, 60, 40)]                        # 24×16: 3 per block row


def chunk(kind, data):
    body = kind + data
    return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)


def png(width, height, bit_depth, color_type, rows, extra=b""):
    """rows: list of bytes, one per scanline without the filter byte."""
    ihdr = struct.pack(">IIBBBBB", width, height, bit_depth, color_type, 0, 0, 0)
    raw = b"".join(b"\x00" + r for r in rows)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + extra
            + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))


def rows_of(values, per_pixel):
    flat = bytes(v for px in values for v in (px if isinstance(px, tuple) else (px,)))
    stride = W * per_pixel
    return [flat[y * stride:(y + 1) * stride] for y in range(H)]


def write(name, data):
    with open(os.path.join(HERE, name), "wb") as f:
        f.write(data)


def write_pngs():
    write("gray.png", png(W, H, 8, 0, rows_of(GRAY, 1)))
    write("gray_alpha.png", png(W, H, 8, 4, rows_of(list(zip(GRAY, ALPHA)), 2)))
    write("rgb.png", png(W, H, 8, 2, rows_of(RGB, 3)))
    write("rgba.png", png(W, H, 8, 6, rows_of([c + (a,) for c, a in zip(RGB, ALPHA)], 4)))
    plte = chunk(b"PLTE", bytes(v for c in PALETTE for v in c)) + chunk(b"tRNS", bytes(PALETTE_ALPHA))
    write("palette.png", png(W, H, 8, 3, rows_of(INDICES, 1), extra=plte))
    # 16-bit: each sample is v·257, so the exact 8-bit value is v. No gAMA chunk, as most 16-bit files in the
    # wild (the decoder must not treat them as linear light).
    rows16 = [b"".join(struct.pack(">HHH", *(v * 257 for v in RGB[y * W + x])) for x in range(W))
              for y in range(H)]
    write("rgb16.png", png(W, H, 16, 2, rows16))

    good = png(W, H, 8, 2, rows_of(RGB, 3))
    write("corrupt.png", b"\x89PNG\r\n\x1a\n" + b"this is not a chunk stream, just garbage bytes. " * 2)
    idat = good.index(b"IDAT")
    idat_len = struct.unpack(">I", good[idat - 4:idat])[0]
    write("truncated.png", good[:idat + 4 + idat_len // 2])  # cut in the middle of the IDAT data
    # A header that declares 20000×20000 (4·10⁸ pixels > 2²⁸) over an empty IDAT: must be refused before allocating.
    huge = struct.pack(">IIBBBBB", 20000, 20000, 8, 2, 0, 0, 0)
    write("huge.png", b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", huge)
          + chunk(b"IDAT", zlib.compress(b"")) + chunk(b"IEND", b""))
    write("empty.png", b"")
    write("not_an_image.png", b"This is a text file that only pretends to be a PNG.\n")


def blocks(colours, per_row, width, height, mode):
    from PIL import Image
    img = Image.new(mode, (width, height))
    px = img.load()
    for y in range(height):
        for x in range(width):
            px[x, y] = colours[(y // 8) * per_row + x // 8]
    return img


def write_jpegs():
    opts = dict(quality=100, subsampling=0, optimize=False)
    rgb = blocks(JPEG_QUADRANTS, 2, 16, 16, "RGB")
    rgb.save(os.path.join(HERE, "rgb.jpg"), **opts)
    blocks(JPEG_GRAYS, 2, 16, 16, "L").save(os.path.join(HERE, "gray.jpg"), quality=100)
    blocks(JPEG_SIX, 3, 24, 16, "RGB").save(os.path.join(HERE, "progressive.jpg"), progressive=True, **opts)
    with open(os.path.join(HERE, "rgb.jpg"), "rb") as f:
        full = f.read()
    sos = full.index(b"\xff\xda")
    write("truncated.jpg", full[:sos + (len(full) - sos) // 2])  # header intact, scan data cut in half


if __name__ == "__main__":
    write_pngs()
    write_jpegs()
