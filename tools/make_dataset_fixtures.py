#!/usr/bin/env python3
# make_dataset_fixtures.py: writes the tiny images under Tests/DatasetsTests/Fixtures that the
# Datasets codec tests decode (Pillow). Each image has a known layout so tests can check pixels.
import os
from PIL import Image

out = os.path.join(os.path.dirname(__file__), "..", "Tests", "DatasetsTests", "Fixtures")
os.makedirs(out, exist_ok=True)


def path(name):
    return os.path.join(out, name)


def halves(w, h, left, right, mode="RGB"):
    """Left half one colour, right half another: a flip or rotation moves them visibly."""
    img = Image.new(mode, (w, h), left)
    img.paste(Image.new(mode, (w - w // 2, h), right), (w // 2, 0))
    return img


# 32x24 RGB: red left half, blue right half.
halves(32, 24, (255, 0, 0), (0, 0, 255)).save(path("rgb.jpg"), quality=95, subsampling=0)

# The same layout as uppercase extension, for case-insensitive listing.
halves(16, 16, (0, 255, 0), (0, 255, 0)).save(path("green.JPEG"), format="JPEG", quality=95)

# CMYK JPEG (Pillow writes Adobe inverted CMYK): red left, blue right.
halves(32, 24, (255, 0, 0), (0, 0, 255)).convert("CMYK").save(path("cmyk.jpg"), quality=95)

# Stored 32 wide x 16 high with red in the top-left 8x8 block and green elsewhere, tagged with
# EXIF orientation 6 (display = stored rotated 90 degrees clockwise): displayed 16x32, red top-right.
img = Image.new("RGB", (32, 16), (0, 255, 0))
img.paste(Image.new("RGB", (8, 8), (255, 0, 0)), (0, 0))
exif = Image.Exif()
exif[0x0112] = 6
img.save(path("exif6.jpg"), quality=95, subsampling=0, exif=exif)

# Grayscale JPEG, value 128 everywhere.
Image.new("L", (16, 16), 128).save(path("gray.jpg"), quality=95)

# 200x150 smooth gradient: large enough that decoding for a small target uses a DCT scale.
grad = Image.new("RGB", (200, 150))
grad.putdata([(x * 255 // 199, y * 255 // 149, 128) for y in range(150) for x in range(200)])
grad.save(path("large.jpg"), quality=75)

# Truncated: the first half of rgb.jpg.
data = open(path("rgb.jpg"), "rb").read()
open(path("truncated.jpg"), "wb").write(data[: len(data) // 2])

# Zero bytes, text, and a GIF under a .jpg name.
open(path("zero.jpg"), "wb").close()
open(path("text.jpg"), "w").write("this is not an image\n")
Image.new("P", (1, 1), 0).save(path("gif.jpg"), format="GIF")

# Palette PNG 8x8: index 0 red on the left half, index 1 blue on the right half.
pal = Image.new("P", (8, 8), 0)
pal.putpalette([255, 0, 0, 0, 0, 255] + [0] * (256 * 3 - 6))
pal.paste(1, (4, 0, 8, 8))
pal.save(path("palette.png"))

# RGBA PNG 8x8: opaque red left half, fully transparent green right half.
rgba = Image.new("RGBA", (8, 8), (255, 0, 0, 255))
rgba.paste((0, 255, 0, 0), (4, 0, 8, 8))
rgba.save(path("rgba.png"))

# 16-bit grayscale PNG 8x8: value 200*257 (8-bit 200) left half, 50*257 right half.
g16 = Image.new("I;16", (8, 8), 200 * 257)
g16.paste(50 * 257, (4, 0, 8, 8))
g16.save(path("gray16.png"))

# 8-bit grayscale PNG with alpha, value 90.
Image.new("LA", (4, 4), (90, 255)).save(path("gray-alpha.png"))

# RGB PNG, exact pixels: (x*16, y*16, 7) on 8x4.
rgbpng = Image.new("RGB", (8, 4))
rgbpng.putdata([(x * 16, y * 16, 7) for y in range(4) for x in range(8)])
rgbpng.save(path("rgb.png"))
