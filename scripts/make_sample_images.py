#!/usr/bin/env python3
"""Write the demo sample images used by bindings/c (and the Python binding's examples).

    python3 scripts/make_sample_images.py [OUTDIR]     # default: bindings/c/samples

Writes, with the Python standard library only (struct, zlib), deterministically:

* ``front.png``: 64x40 8-bit RGB gradient (Sub-filtered rows, zlib-compressed IDAT).
* ``front.jpg``, ``back.jpg``: 128x80 baseline greyscale JPEGs drawn as a crude card (8x8 flat
  blocks). The encoder below codes only the DC coefficient of each block (standard luminance
  DC Huffman table, ITU T.81 Annex K.3) and ends every block at once with an end-of-block code,
  so it needs no DCT: each 8x8 block is one flat grey level.

The files are committed; nothing in CI runs this script. Re-run it only to change the samples,
then check them with ``file`` and ``cargo test --test images samples``.
"""

import os
import struct
import sys
import zlib

# ---------------------------------------------------------------------------------------- PNG


def png_chunk(kind, data):
    body = kind + data
    return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)


def png_rgb(width, height, pixel):
    """A PNG from pixel(x, y) -> (r, g, b), every row filtered with Sub (so gradients compress)."""
    raw = bytearray()
    for y in range(height):
        raw.append(1)  # filter type: Sub (each byte minus the byte one pixel to the left)
        row = [c for x in range(width) for c in pixel(x, y)]
        raw.extend((row[i] - (row[i - 3] if i >= 3 else 0)) & 0xFF for i in range(len(row)))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8-bit RGB, no interlace
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", ihdr)
        + png_chunk(b"IDAT", zlib.compress(bytes(raw), 9))
        + png_chunk(b"IEND", b"")
    )


# --------------------------------------------------------------------------------------- JPEG

# Standard luminance DC table (T.81 K.3): number of codes of each length 1..16, then symbols.
DC_BITS = [0, 1, 5, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0]
DC_VALS = list(range(12))


def canonical_codes(bits, vals):
    """Huffman codes (code, length) per symbol, assigned as in T.81 Annex C."""
    codes, code, k = {}, 0, 0
    for length, count in enumerate(bits, start=1):
        for _ in range(count):
            codes[vals[k]] = (code, length)
            code += 1
            k += 1
        code <<= 1
    return codes


class BitWriter:
    def __init__(self):
        self.out = bytearray()
        self.acc = 0
        self.n = 0

    def write(self, value, length):
        for i in range(length - 1, -1, -1):
            self.acc = (self.acc << 1) | ((value >> i) & 1)
            self.n += 1
            if self.n == 8:
                self.out.append(self.acc)
                if self.acc == 0xFF:
                    self.out.append(0x00)  # byte stuffing
                self.acc = self.n = 0

    def finish(self):
        while self.n:
            self.write(1, 1)  # pad with one bits
        return bytes(self.out)


def segment(marker, payload):
    return struct.pack(">BBH", 0xFF, marker, len(payload) + 2) + payload


def jpeg_grey_blocks(width, height, level):
    """A baseline greyscale JPEG where the 8x8 block (bx, by) is the flat grey level(bx, by)."""
    dc_codes = canonical_codes(DC_BITS, DC_VALS)
    # Quantiser 8 for DC: a flat block of grey v has DC coefficient 8*(v-128), so the quantised
    # DC is exactly v-128. The AC quantisers are never used (every AC coefficient is zero).
    dqt = bytes([0, 8] + [1] * 63)
    sof = struct.pack(">BHHB", 8, height, width, 1) + bytes([1, 0x11, 0])
    dht_dc = bytes([0x00]) + bytes(DC_BITS) + bytes(DC_VALS)
    # AC table with a single one-bit code for symbol 0x00, end-of-block: every block is "DC, EOB".
    dht_ac = bytes([0x10, 1] + [0] * 15 + [0x00])
    sos = bytes([1, 1, 0x00, 0, 63, 0])

    bits = BitWriter()
    previous = 0
    for by in range((height + 7) // 8):
        for bx in range((width + 7) // 8):
            dc = max(0, min(255, level(bx, by))) - 128
            diff, previous = dc - previous, dc
            category = abs(diff).bit_length()
            code, length = dc_codes[category]
            bits.write(code, length)
            if category:
                bits.write(diff if diff > 0 else diff + (1 << category) - 1, category)
            bits.write(0, 1)  # EOB
    return (
        b"\xff\xd8"
        + segment(0xE0, b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00")
        + segment(0xDB, dqt)
        + segment(0xC0, sof)
        + segment(0xC4, dht_dc)
        + segment(0xC4, dht_ac)
        + segment(0xDA, sos)
        + bits.finish()
        + b"\xff\xd9"
    )


# ------------------------------------------------------------------------------- the samples

CARD_W, CARD_H = 128, 80  # 16 x 10 blocks


def front_level(bx, by):
    """Front: light card, dark border, a photo on the left, lines of 'text' on the right."""
    if bx in (0, 15) or by in (0, 9):
        return 60
    if 1 <= bx <= 4 and 2 <= by <= 7:
        return 90 + 10 * by  # the photo
    if bx >= 6 and by in (2, 4, 6) and bx <= 14 - by // 2:
        return 40  # text lines
    return 225 - 3 * bx


def back_level(bx, by):
    """Back: a stripe (like a magnetic strip) and a barcode-like row."""
    if by in (2, 3):
        return 30
    if by == 7 and 2 <= bx <= 13:
        return 20 if bx % 2 else 235
    return 200 + 2 * by


def front_png_pixel(x, y):
    return (x * 4, y * 6, 160)


def main(argv):
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    outdir = argv[1] if len(argv) > 1 else os.path.join(root, "bindings", "c", "samples")
    os.makedirs(outdir, exist_ok=True)
    images = {
        "front.png": png_rgb(64, 40, front_png_pixel),
        "front.jpg": jpeg_grey_blocks(CARD_W, CARD_H, front_level),
        "back.jpg": jpeg_grey_blocks(CARD_W, CARD_H, back_level),
    }
    for name, data in images.items():
        assert len(data) < 4096, f"{name} is {len(data)} bytes; samples must stay under 4 KB"
        path = os.path.join(outdir, name)
        with open(path, "wb") as f:
            f.write(data)
        print(f"wrote {path} ({len(data)} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
