"""Image decoding and CLIP preprocessing fixtures -> Tests/Fixtures/images/.

Reference: Pillow's `Image.open(p).convert("RGB")` for decoding, and OpenAI CLIP's
`clip.clip._transform(n)` (torchvision Resize(n, BICUBIC), CenterCrop(n), ToTensor, Normalize)
for preprocessing, run on that RGB image.

Writes, with fixed seeds:
- good images: JPEG (baseline 4:2:0, 4:4:4, progressive 4:2:2, grayscale, CMYK, YCCK, RGB without
  color transform, restart markers, garbage in the entropy data) and PNG (RGB, RGBA,
  palette 8-bit and 4-bit with tRNS, palette indices past the PLTE, gray 1/2/8/16-bit, gray+alpha
  8/16-bit, RGB and RGBA 16-bit, Adam7 interlaced, RGB with tRNS, and damage after the last row
  that Pillow ignores: missing IEND, missing zlib checksum, bad IDAT CRC, damaged IEND), odd sizes;
- for each: Pillow's decoded RGB (`<name>.decoded.png`, an 8-bit RGB PNG; small images also as raw
  `<name>.rgb`), the uint8 image after Resize+CenterCrop for n in {48, 80} (`<name>.crop<n>.png`),
  and for a few the final float32 tensors (`<name>.t<n>.f32`, CHW, little-endian); one 224 case;
- `normalize_table.f32`: ToTensor+Normalize of every uint8 value, (3, 256) float32;
- direct PIL `resize((w, h), BICUBIC)` cases covering horizontal-only, vertical-only and mixed passes;
- bad inputs with the ImageError case each must produce (Pillow rejects every bad JPEG/PNG too,
  a baseline JPEG missing only its EOI marker included);
- `index.json` describing all of the above.

JPEG variants Pillow cannot write (YCCK, RGB, restart markers) come from write_jpeg_variant.c,
compiled here with the system C compiler and libjpeg (apt: libjpeg-dev).

Run from anywhere: venv/bin/python tools/reference/make_image_fixtures.py
Needs pillow 13.0.0, torch 2.15.0, torchvision 0.29.2, clip-anytorch 2.6.0, numpy.
"""

import io
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import warnings
import zlib
from pathlib import Path

import numpy as np
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import FIXTURES, write_json  # noqa: E402

OUT = FIXTURES / "images"
HERE = Path(__file__).resolve().parent
CROP_SIZES = [48, 80]
RAW_LIMIT = 4096  # decoded images up to this many bytes are also stored raw (anchors the PNG path)


# ---------------------------------------------------------------- synthetic content


def scene(width: int, height: int, seed: int) -> np.ndarray:
    """Smooth gradients, a sinusoid, hard-edged shapes and mild noise: exercises both the smooth
    and the ringing parts of a bicubic filter. (height, width, 3) uint8."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:height, 0:width].astype(np.float64)
    u, v = x / max(width - 1, 1), y / max(height - 1, 1)
    r = 255 * u
    g = 255 * v
    b = 128 + 100 * np.sin(2 * np.pi * (u * rng.uniform(1, 4) + v * rng.uniform(1, 4)))
    img = np.stack([r, g, b], axis=-1)
    for _ in range(4):  # rectangles and discs with saturated colours
        color = rng.integers(0, 256, 3)
        cx, cy = rng.uniform(0, width), rng.uniform(0, height)
        rad = rng.uniform(0.1, 0.35) * max(width, height)
        if rng.random() < 0.5:
            mask = (x - cx) ** 2 + (y - cy) ** 2 < rad**2
        else:
            mask = (abs(x - cx) < rad) & (abs(y - cy) < rad / 2)
        img[mask] = color
    img += rng.normal(0, 6, img.shape)
    return np.clip(np.rint(img), 0, 255).astype(np.uint8)


# ---------------------------------------------------------------- a minimal PNG writer (for what PIL cannot write)


def png_chunk(kind: bytes, data: bytes, bad_crc: bool = False) -> bytes:
    crc = zlib.crc32(kind + data) & 0xFFFFFFFF
    if bad_crc:
        crc ^= 0xFFFFFFFF
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)


def pack_row(samples: np.ndarray, bit_depth: int) -> bytes:
    """One row of samples (already flattened over channels) at the given bit depth."""
    if bit_depth == 16:
        return samples.astype(">u2").tobytes()
    if bit_depth == 8:
        return samples.astype(np.uint8).tobytes()
    per_byte = 8 // bit_depth
    out = bytearray((len(samples) + per_byte - 1) // per_byte)
    for i, s in enumerate(samples):
        out[i // per_byte] |= int(s) << (8 - bit_depth * (i % per_byte + 1))
    return bytes(out)


ADAM7 = [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)]


def write_png(path: Path, samples: np.ndarray, bit_depth: int, color_type: int, interlace: bool = False,
              palette: bytes | None = None, trns: bytes | None = None, omit_iend: bool = False,
              header_size: tuple[int, int] | None = None, bad_ihdr_crc: bool = False,
              extra_chunks: tuple[tuple[bytes, bytes, bool], ...] = (), bad_idat_crc: bool = False,
              iend_type: bytes = b"IEND", cut_tail: int = 0) -> None:
    """samples: (height, width, channels) integers. Filter type 0 on every row. extra_chunks:
    (type, data, bad_crc) written before IDAT; cut_tail drops that many bytes from the end."""
    height, width = samples.shape[:2]
    flat = samples.reshape(height, width, -1)
    rows = []
    passes = ADAM7 if interlace else [(0, 0, 1, 1)]
    for x0, y0, dx, dy in passes:
        sub = flat[y0::dy, x0::dx]
        if sub.shape[0] == 0 or sub.shape[1] == 0:
            continue  # empty Adam7 pass: no filter bytes at all
        for row in sub:
            rows.append(b"\x00" + pack_row(row.reshape(-1), bit_depth))
    w, h = header_size or (width, height)
    ihdr = struct.pack(">IIBBBBB", w, h, bit_depth, color_type, 0, 0, 1 if interlace else 0)
    data = b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", ihdr, bad_crc=bad_ihdr_crc)
    if palette is not None:
        data += png_chunk(b"PLTE", palette)
    if trns is not None:
        data += png_chunk(b"tRNS", trns)
    for kind, payload, bad_crc in extra_chunks:
        data += png_chunk(kind, payload, bad_crc=bad_crc)
    data += png_chunk(b"IDAT", zlib.compress(b"".join(rows), 9), bad_crc=bad_idat_crc)
    if not omit_iend:
        data += png_chunk(iend_type, b"")
    path.write_bytes(data[: len(data) - cut_tail])


# ---------------------------------------------------------------- JPEG variants via libjpeg


def build_jpeg_variant_tool(tmp: Path) -> Path:
    exe = tmp / "write_jpeg_variant"
    subprocess.run(["cc", "-O2", "-o", str(exe), str(HERE / "write_jpeg_variant.c"), "-ljpeg"], check=True)
    return exe


def write_jpeg_variant(tool: Path, mode: str, pixels: np.ndarray, path: Path) -> None:
    h, w = pixels.shape[:2]
    result = subprocess.run([str(tool), mode, str(w), str(h)], input=pixels.tobytes(), capture_output=True, check=True)
    path.write_bytes(result.stdout)


# ---------------------------------------------------------------- the fixtures


def make_good_images(tool: Path) -> list[str]:
    """Writes every decodable fixture; returns their file names."""
    names = []

    def save(im: Image.Image, name: str, **kw) -> None:
        im.save(OUT / name, **kw)
        names.append(name)

    # JPEG
    save(Image.fromarray(scene(320, 213, 1)), "jpeg_baseline_420_320x213.jpg", quality=90, subsampling=2)
    save(Image.fromarray(scene(97, 211, 2)), "jpeg_444_97x211.jpg", quality=92, subsampling=0)
    save(Image.fromarray(scene(211, 97, 3)), "jpeg_progressive_422_211x97.jpg", quality=85, subsampling=1,
         progressive=True)
    save(Image.fromarray(scene(64, 48, 4)).convert("L"), "jpeg_gray_64x48.jpg", quality=90)
    cmyk = scene(45, 31, 5)
    cmyk = np.concatenate([cmyk, cmyk[..., :1] // 3], axis=-1)
    save(Image.frombytes("CMYK", (45, 31), cmyk.tobytes()), "jpeg_cmyk_45x31.jpg", quality=90)
    save(Image.fromarray(scene(80, 80, 6)), "jpeg_square_80x80.jpg", quality=90)

    ycck = scene(40, 30, 7)
    ycck = np.concatenate([ycck, 255 - ycck[..., 1:2] // 2], axis=-1)
    write_jpeg_variant(tool, "ycck", np.ascontiguousarray(ycck), OUT / "jpeg_ycck_40x30.jpg")
    names.append("jpeg_ycck_40x30.jpg")
    write_jpeg_variant(tool, "rgb", scene(33, 29, 8), OUT / "jpeg_adobe_rgb_33x29.jpg")
    names.append("jpeg_adobe_rgb_33x29.jpg")
    write_jpeg_variant(tool, "restart", scene(70, 35, 9), OUT / "jpeg_restart_70x35.jpg")
    names.append("jpeg_restart_70x35.jpg")

    # Garbage in the middle of the entropy-coded data: libjpeg only warns, Pillow returns pixels.
    buf = io.BytesIO()
    Image.fromarray(scene(80, 60, 10)).save(buf, format="JPEG", quality=90)
    data = bytearray(buf.getvalue())
    sos = data.find(b"\xff\xda")
    middle = sos + (len(data) - sos) // 2
    data[middle:middle + 24] = np.random.default_rng(11).integers(0, 255, 24, dtype=np.uint8).tobytes()
    (OUT / "jpeg_corrupt_entropy_80x60.jpg").write_bytes(bytes(data))
    names.append("jpeg_corrupt_entropy_80x60.jpg")

    # PNG written by Pillow (adaptive filters)
    save(Image.fromarray(scene(37, 23, 20)), "png_rgb_37x23.png")
    rgba = np.concatenate([scene(23, 37, 21), scene(23, 37, 22)[..., :1]], axis=-1)
    save(Image.fromarray(rgba), "png_rgba_23x37.png")
    save(Image.fromarray(scene(50, 40, 23)).quantize(200), "png_palette_50x40.png")
    p16 = Image.fromarray(scene(40, 50, 24)).quantize(16)  # 16 colours: Pillow writes 4-bit indices
    alphas = bytes(range(0, 256, 16))
    save(p16, "png_palette4_trns_40x50.png", transparency=alphas)
    save(Image.fromarray(scene(1, 64, 25)).convert("L"), "png_gray_1x64.png")
    la = np.stack([scene(64, 1, 26)[..., 0], scene(64, 1, 27)[..., 1]], axis=-1)
    save(Image.fromarray(la), "png_gray_alpha_64x1.png")
    save(Image.fromarray(scene(3, 2, 28)), "png_tiny_3x2.png")
    save(Image.fromarray(scene(48, 53, 29)), "png_exact_48x53.png")
    save(Image.fromarray(scene(29, 19, 30)), "png_rgb_trns_29x19.png", transparency=(10, 20, 30))
    save(Image.fromarray(scene(13, 5, 31)).convert("1"), "png_gray1_13x5.png")

    # PNG written here (what Pillow cannot write)
    rng = np.random.default_rng(40)
    wide = (scene(33, 17, 41).astype(np.uint16) * 257 + rng.integers(0, 257, (17, 33, 3))).astype(np.uint16)
    write_png(OUT / "png_rgb16_33x17.png", wide, 16, 2)
    gray16 = rng.integers(0, 65536, (30, 20, 1)).astype(np.uint16)
    gray16[:10] = rng.integers(0, 300, (10, 20, 1))  # values around 255 show Pillow's clipping
    write_png(OUT / "png_gray16_20x30.png", gray16, 16, 0)
    write_png(OUT / "png_rgba16_9x7.png", rng.integers(0, 65536, (7, 9, 4)).astype(np.uint16), 16, 6)
    write_png(OUT / "png_la16_7x9.png", rng.integers(0, 65536, (9, 7, 2)).astype(np.uint16), 16, 4)
    write_png(OUT / "png_gray2_19x7.png", rng.integers(0, 4, (7, 19, 1)), 2, 0)
    write_png(OUT / "png_interlaced_71x53.png", scene(71, 53, 42), 8, 2, interlace=True)
    pal = rng.integers(0, 256, 4 * 3, dtype=np.uint8).tobytes()
    write_png(OUT / "png_interlaced_palette2_5x3.png", rng.integers(0, 4, (3, 5, 1)), 2, 3, interlace=True,
              palette=pal)
    write_png(OUT / "png_interlaced_rgba16_10x11.png", rng.integers(0, 65536, (11, 10, 4)).astype(np.uint16), 16, 6,
              interlace=True)
    # Indices 3..5 are past the 3-entry PLTE (Pillow shows them black).
    write_png(OUT / "png_palette_oob_6x4.png", rng.integers(0, 6, (4, 6, 1)), 8, 3,
              palette=bytes([255, 0, 0, 0, 255, 0, 0, 0, 255]))
    write_png(OUT / "png_missing_iend_21x13.png", scene(21, 13, 43), 8, 2, omit_iend=True)
    # Pillow stops reading once every row is decoded and never checks the CRCs of IDAT or later
    # chunks: all of these decode.
    write_png(OUT / "png_no_adler_tail_17x9.png", scene(17, 9, 44), 8, 2, omit_iend=True, cut_tail=8)
    write_png(OUT / "png_bad_idat_crc_9x17.png", scene(9, 17, 45), 8, 2, bad_idat_crc=True)
    write_png(OUT / "png_damaged_iend_11x11.png", scene(11, 11, 46), 8, 2, interlace=True, iend_type=b"IEMD")
    names += ["png_rgb16_33x17.png", "png_gray16_20x30.png", "png_rgba16_9x7.png", "png_la16_7x9.png",
              "png_gray2_19x7.png", "png_interlaced_71x53.png", "png_interlaced_palette2_5x3.png",
              "png_interlaced_rgba16_10x11.png", "png_palette_oob_6x4.png", "png_missing_iend_21x13.png",
              "png_no_adler_tail_17x9.png", "png_bad_idat_crc_9x17.png", "png_damaged_iend_11x11.png"]
    return names


def make_bad_inputs() -> list[dict]:
    """Inputs that must fail, each with the ImageError case the Swift loader must throw."""
    bad = []

    def add(name: str, data: bytes, error: str) -> None:
        (OUT / name).write_bytes(data)
        bad.append({"file": name, "error": error})

    buf = io.BytesIO()
    Image.fromarray(scene(60, 40, 50)).save(buf, format="JPEG", quality=90)
    jpeg = buf.getvalue()
    add("bad_truncated.jpg", jpeg[: len(jpeg) // 2], "truncated")
    add("bad_missing_eoi.jpg", jpeg[:-2], "truncated")  # Pillow: "image file is truncated" too
    buf = io.BytesIO()
    Image.fromarray(scene(60, 40, 51)).save(buf, format="JPEG", quality=90, progressive=True)
    add("bad_truncated_progressive.jpg", buf.getvalue()[: len(buf.getvalue()) * 3 // 4], "truncated")
    dqt = jpeg.find(b"\xff\xdb")
    add("bad_dqt_index.jpg", jpeg[: dqt + 4] + b"\x07" + jpeg[dqt + 5:], "corrupt")  # "Bogus DQT index 7"
    sof = jpeg.find(b"\xff\xc0")
    add("bad_zero_height.jpg", jpeg[: sof + 5] + b"\x00\x00" + jpeg[sof + 7:], "zeroSize")
    add("bad_header_only.jpg", b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00", "truncated")

    buf = io.BytesIO()
    Image.fromarray(scene(30, 20, 52)).save(buf, format="PNG")
    png = buf.getvalue()
    add("bad_truncated.png", png[: len(png) * 2 // 3], "truncated")
    tmp = OUT / "bad_ihdr_crc.png"
    write_png(tmp, scene(8, 8, 53), 8, 2, bad_ihdr_crc=True)
    bad.append({"file": tmp.name, "error": "corrupt"})
    # Before IDAT Pillow checks every CRC, ancillary chunks included (libpng alone would only warn).
    write_png(OUT / "bad_text_crc.png", scene(8, 8, 57), 8, 2, extra_chunks=((b"tEXt", b"Comment\0hi", True),))
    bad.append({"file": "bad_text_crc.png", "error": "corrupt"})
    idat = png.find(b"IDAT")
    length = struct.unpack(">I", png[idat - 4: idat])[0]
    payload = bytearray(png[idat + 4: idat + 4 + length])
    payload[2:12] = b"\xff" * 10  # broken deflate stream, valid CRC
    fixed = png[: idat - 4] + png_chunk(b"IDAT", bytes(payload)) + png[idat + 8 + length:]
    add("bad_zlib.png", fixed, "corrupt")
    write_png(OUT / "bad_zero_width.png", np.zeros((4, 1, 3), np.uint8), 8, 2, header_size=(0, 4))
    bad.append({"file": "bad_zero_width.png", "error": "zeroSize"})
    write_png(OUT / "bad_too_large.png", np.zeros((1, 1, 3), np.uint8), 8, 2, header_size=(20000, 20000))
    bad.append({"file": "bad_too_large.png", "error": "tooLarge"})

    buf = io.BytesIO()
    Image.fromarray(scene(16, 16, 54)).save(buf, format="GIF")
    add("unsupported.gif", buf.getvalue(), "unsupportedFormat:GIF")
    buf = io.BytesIO()
    Image.fromarray(scene(16, 16, 55)).save(buf, format="BMP")
    add("unsupported.bmp", buf.getvalue(), "unsupportedFormat:BMP")
    buf = io.BytesIO()
    Image.fromarray(scene(16, 16, 56)).save(buf, format="WEBP", lossless=True)
    add("unsupported.webp", buf.getvalue(), "unsupportedFormat:WebP")
    add("unsupported.txt", b"this is not an image\n", "unsupportedFormat")
    add("empty.png", b"", "emptyFile")
    return bad


def pil_rejects(path: Path) -> bool:
    try:
        with Image.open(path) as im:
            im.convert("RGB")
        return False
    except Exception:
        return True


def save_rgb_png(array: np.ndarray, path: Path) -> None:
    Image.fromarray(array).save(path, compress_level=9)


def main() -> None:
    import torch
    from clip.clip import _transform
    from torchvision.transforms import Normalize, ToTensor

    torch.set_num_threads(1)
    warnings.simplefilter("ignore")  # palette-with-alpha conversion warns; the pixels are what we want
    if OUT.exists():
        shutil.rmtree(OUT)
    OUT.mkdir(parents=True)

    with tempfile.TemporaryDirectory() as tmp:
        tool = build_jpeg_variant_tool(Path(tmp))
        names = make_good_images(tool)
    bad = make_bad_inputs()
    for case in bad:  # Pillow rejects every bad JPEG/PNG too (it opens GIF, BMP and WebP, which we do not)
        assert pil_rejects(OUT / case["file"]) or case["error"].startswith("unsupportedFormat"), case

    transforms = {n: _transform(n) for n in CROP_SIZES + [224]}
    tensor_cases = {("jpeg_baseline_420_320x213.jpg", 48), ("png_tiny_3x2.png", 80), ("png_exact_48x53.png", 48),
                    ("jpeg_square_80x80.jpg", 80)}
    images = []
    for name in names:
        with Image.open(OUT / name) as im:
            rgb = im.convert("RGB")
        decoded = np.asarray(rgb)
        stem = name.rsplit(".", 1)[0]
        entry = {"file": name, "width": rgb.width, "height": rgb.height, "decoded": f"{stem}.decoded.png",
                 "crops": [], "tensors": []}
        save_rgb_png(decoded, OUT / entry["decoded"])
        if decoded.nbytes <= RAW_LIMIT:
            entry["decodedRaw"] = f"{stem}.rgb"
            (OUT / entry["decodedRaw"]).write_bytes(decoded.tobytes())
        sizes = CROP_SIZES + ([224] if name == "jpeg_baseline_420_320x213.jpg" else [])
        for n in sizes:
            t = transforms[n]
            cropped = t.transforms[1](t.transforms[0](rgb))
            crop_name = f"{stem}.crop{n}.png"
            save_rgb_png(np.asarray(cropped), OUT / crop_name)
            entry["crops"].append({"size": n, "file": crop_name})
            if (name, n) in tensor_cases:
                tensor = t(rgb).numpy()
                assert tensor.shape == (3, n, n) and tensor.dtype == np.float32
                tensor_name = f"{stem}.t{n}.f32"
                (OUT / tensor_name).write_bytes(tensor.astype("<f4").tobytes())
                entry["tensors"].append({"size": n, "file": tensor_name})
        images.append(entry)

    # ToTensor + Normalize of every uint8 value: the whole elementwise map, (3, 256).
    ramp = Image.fromarray(np.repeat(np.arange(256, dtype=np.uint8)[None, :, None], 3, axis=2))
    mean, std = (0.48145466, 0.4578275, 0.40821073), (0.26862954, 0.26130258, 0.27577711)
    table = Normalize(mean, std)(ToTensor()(ramp)).numpy().reshape(3, 256)
    (OUT / "normalize_table.f32").write_bytes(table.astype("<f4").tobytes())

    # Direct resizes: horizontal only, vertical only, up in one axis and down in the other, strong
    # downscale, and both sides of Pillow 13's pass-order rule (vertical first when the height loses
    # more than twice as many pixels as the width: 23-14 > 2*(37-33), but not 23-13 > 2*(37-32)).
    resizes = []
    for source, (w, h) in [("png_rgb_37x23.png", (50, 23)), ("png_rgb_37x23.png", (37, 9)),
                           ("png_rgb_37x23.png", (33, 14)), ("png_rgb_37x23.png", (32, 13)),
                           ("jpeg_progressive_422_211x97.jpg", (13, 150)), ("jpeg_444_97x211.jpg", (301, 5)),
                           ("jpeg_baseline_420_320x213.jpg", (7, 11)), ("png_tiny_3x2.png", (1, 1)),
                           ("png_gray_1x64.png", (5, 64))]:
        with Image.open(OUT / source) as im:
            out = im.convert("RGB").resize((w, h), Image.BICUBIC)
        file = f"resize_{source.rsplit('.', 1)[0]}_{w}x{h}.png"
        save_rgb_png(np.asarray(out), OUT / file)
        resizes.append({"source": source, "width": w, "height": h, "file": file})

    import clip
    import PIL
    from PIL import features
    import torchvision

    write_json(OUT / "index.json", {
        "generator": "tools/reference/make_image_fixtures.py",
        "versions": {"pillow": PIL.__version__, "torch": torch.__version__, "torchvision": torchvision.__version__,
                     "clip-anytorch": getattr(clip, "__version__", "2.6.0"),
                     "pillow libjpeg-turbo": features.version("libjpeg_turbo")},
        "mean": list(mean), "std": list(std),
        "normalizeTable": "normalize_table.f32",
        "images": images, "resizes": resizes, "bad": bad,
    })
    total = sum(f.stat().st_size for f in OUT.iterdir())
    print(f"wrote {len(list(OUT.iterdir()))} files, {total / 1e6:.2f} MB, to {OUT}")


if __name__ == "__main__":
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    main()
