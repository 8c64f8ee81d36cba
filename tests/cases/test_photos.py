"""Photo uploads: what is refused (with which code), and what a stored photo no longer carries."""

import io
import struct
import time
import zlib

import pytest
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.files import File
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageFile
from PIL.PngImagePlugin import PngInfo

from cases.photos import (
    ALLOWED_FORMATS,
    MAX_PHOTO_BYTES,
    MAX_PHOTO_PIXELS,
    THUMBNAIL_SIZE,
    ProcessedPhoto,
    process_photo,
)

GPS_IFD = 0x8825
ORIENTATION = 0x0112


def image_bytes(fmt: str, size: tuple[int, int] = (1200, 800), mode: str = "RGB", **save_options: object) -> bytes:
    """A gradient image of the given size, encoded in the given format."""
    img = Image.linear_gradient("L").resize(size).convert(mode)
    buffer = io.BytesIO()
    img.save(buffer, format=fmt, **save_options)
    return buffer.getvalue()


def noise_jpeg(size: tuple[int, int] = (300, 300)) -> bytes:
    """A JPEG of random pixels: most of its bytes are scan data, so cutting it in half cuts the pixels."""
    buffer = io.BytesIO()
    Image.effect_noise(size, 64).convert("RGB").save(buffer, format="JPEG", quality=95)
    return buffer.getvalue()


def png_header_only(width: int, height: int) -> bytes:
    """A PNG that declares width x height 1-bit pixels but holds a few bytes of data: a bomb that costs nothing."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)  # 1-bit greyscale, no interlace
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + chunk(b"IEND", b"")
    )


def upload(data: bytes, name: str = "photo.jpg") -> SimpleUploadedFile:
    """An upload whose declared content type always claims JPEG, which the code must not believe."""
    return SimpleUploadedFile(name, data, content_type="image/jpeg")


def refused(file: File, code: str) -> ValidationError:
    """Assert that the file is refused with this code and a readable message, and return the error."""
    with pytest.raises(ValidationError) as excinfo:
        process_photo(file)
    assert excinfo.value.code == code
    messages = excinfo.value.messages  # also renders %(...)s placeholders with the params
    assert len(messages) == 1
    assert messages[0].strip()
    return excinfo.value


def reopen(content) -> Image.Image:
    """The stored file, opened again as a reader would."""
    content.seek(0)
    return Image.open(io.BytesIO(content.read()))


# Accepted photos


@pytest.mark.parametrize(("fmt", "name"), [("JPEG", "photo.jpg"), ("PNG", "photo.png"), ("WEBP", "photo.webp")])
def test_a_valid_photo_is_accepted_with_its_format_size_and_a_small_thumbnail(fmt, name):
    result = process_photo(upload(image_bytes(fmt), name))

    assert isinstance(result, ProcessedPhoto)
    assert (result.format, result.width, result.height) == (fmt, 1200, 800)
    stored = reopen(result.image)
    assert (stored.format, stored.size) == (fmt, (1200, 800))
    assert result.image.name.endswith("." + ALLOWED_FORMATS[fmt])
    thumbnail = reopen(result.thumbnail)
    assert thumbnail.format == "JPEG"
    assert thumbnail.width <= THUMBNAIL_SIZE[0]
    assert thumbnail.height <= THUMBNAIL_SIZE[1]
    assert thumbnail.size == (480, 320)  # the aspect ratio is kept
    assert result.thumbnail.name.endswith("_thumb.jpg")


@pytest.mark.parametrize("name", ["photo.JPEG", "photo.jpeg", "photo", "IMG.2024.05"])
def test_a_jpeg_without_a_contradicting_extension_is_accepted(name):
    assert process_photo(upload(image_bytes("JPEG"), name)).format == "JPEG"


@pytest.mark.parametrize("name", ["scan.png", None])
def test_a_plain_django_file_is_accepted(name):
    result = process_photo(File(io.BytesIO(image_bytes("PNG")), name=name))
    assert result.format == "PNG"


def test_stored_names_are_random_and_never_the_uploaded_name():
    first = process_photo(upload(image_bytes("JPEG"), "zhang_san_id_card.jpg"))
    second = process_photo(upload(image_bytes("JPEG"), "zhang_san_id_card.jpg"))

    for result in (first, second):
        assert "zhang" not in result.image.name
        assert "id_card" not in result.thumbnail.name
        stem = result.image.name.removesuffix(".jpg")
        assert len(stem) == 32
        int(stem, 16)  # a uuid4 hex
        assert result.thumbnail.name == f"{stem}_thumb.jpg"
    assert first.image.name != second.image.name


def test_a_transparent_png_keeps_its_alpha_and_its_thumbnail_is_flattened_onto_white():
    img = Image.new("RGBA", (100, 50), (255, 0, 0, 0))
    buffer = io.BytesIO()
    img.save(buffer, format="PNG")

    result = process_photo(upload(buffer.getvalue(), "logo.png"))

    stored = reopen(result.image)
    assert stored.mode == "RGBA"
    assert stored.getpixel((0, 0))[3] == 0
    thumbnail = reopen(result.thumbnail)
    assert thumbnail.mode == "RGB"
    assert all(channel > 245 for channel in thumbnail.getpixel((10, 10)))


def test_a_cmyk_jpeg_is_stored_as_rgb():
    result = process_photo(upload(image_bytes("JPEG", mode="CMYK"), "print.jpg"))
    assert reopen(result.image).mode == "RGB"


def test_a_16_bit_greyscale_png_keeps_its_tones():
    img = Image.new("I;16", (20, 20), 32768)  # mid grey in 16 bits, which a plain convert would clip to white
    buffer = io.BytesIO()
    img.save(buffer, format="PNG")

    result = process_photo(upload(buffer.getvalue(), "xray.png"))

    assert reopen(result.image).getpixel((0, 0)) == 128


# Metadata


def test_a_jpeg_loses_exif_gps_and_every_other_metadata_and_is_turned_upright():
    exif = Image.Exif()
    exif[ORIENTATION] = 6  # "rotate 90° clockwise to view": a 40x20 sensor image is a 20x40 photo
    exif[0x010F] = "PhoneMaker"  # camera make
    exif.get_ifd(GPS_IFD).update({1: "N", 2: (39.0, 54.0, 27.0), 3: "E", 4: (116.0, 23.0, 29.0)})
    data = image_bytes("JPEG", size=(40, 20), exif=exif, comment=b"home address", xmp=b"<x:xmpmeta>secret</x:xmpmeta>")
    original = Image.open(io.BytesIO(data))
    assert original.getexif().get_ifd(GPS_IFD)  # the test photo really carries a location

    result = process_photo(upload(data, "IMG_0001.jpg"))

    assert (result.width, result.height) == (20, 40)
    for content in (result.image, result.thumbnail):
        stored = reopen(content)
        assert stored.size == (20, 40)
        assert dict(stored.getexif()) == {}
        assert stored.getexif().get_ifd(GPS_IFD) == {}
        for key in ("exif", "comment", "xmp", "icc_profile"):
            assert key not in stored.info
        content.seek(0)
        raw = content.read()
        assert b"Exif" not in raw
        assert b"PhoneMaker" not in raw
        assert b"home address" not in raw
        assert b"secret" not in raw


def test_a_png_loses_its_text_chunks_and_profile():
    text = PngInfo()
    text.add_text("Author", "Li Si")
    text.add_itxt("Description", "taken at home")
    icc = b"fake icc profile" * 8
    data = image_bytes("PNG", size=(60, 40), pnginfo=text, icc_profile=icc)
    assert Image.open(io.BytesIO(data)).text == {"Author": "Li Si", "Description": "taken at home"}

    result = process_photo(upload(data, "drawing.png"))

    stored = reopen(result.image)
    assert stored.text == {}
    assert "icc_profile" not in stored.info
    result.image.seek(0)
    raw = result.image.read()
    assert b"tEXt" not in raw
    assert b"iTXt" not in raw
    assert b"Li Si" not in raw


def test_a_webp_loses_its_exif():
    exif = Image.Exif()
    exif.get_ifd(GPS_IFD).update({1: "N", 2: (39.0, 54.0, 27.0)})
    data = image_bytes("WEBP", size=(60, 40), exif=exif)
    assert Image.open(io.BytesIO(data)).getexif().get_ifd(GPS_IFD)

    result = process_photo(upload(data, "photo.webp"))

    stored = reopen(result.image)
    assert "exif" not in stored.info
    assert dict(stored.getexif()) == {}


# Refused files


def test_a_text_file_named_like_a_photo_is_not_an_image():
    refused(upload(b"This is a letter, not a photo.\n" * 20, "photo.jpg"), "photo_not_image")


def test_an_empty_file_is_not_an_image():
    refused(upload(b"", "photo.jpg"), "photo_not_image")


def test_a_jpeg_cut_in_half_is_truncated():
    data = noise_jpeg()
    refused(upload(data[: len(data) // 2], "photo.jpg"), "photo_truncated")


def test_truncated_images_are_never_padded_silently(monkeypatch):
    assert ImageFile.LOAD_TRUNCATED_IMAGES is False
    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", True)
    with pytest.raises(ImproperlyConfigured):
        process_photo(upload(image_bytes("JPEG")))


@pytest.mark.parametrize(
    "size",
    [
        (8000, 6000),  # 48 Mpx: over our limit, under Pillow's own warning
        (10000, 10000),  # 100 Mpx: Pillow warns, which must stop it
        (20000, 20000),  # 400 Mpx: Pillow raises DecompressionBombError
    ],
)
def test_an_image_with_too_many_pixels_is_refused_from_its_header(size):
    data = png_header_only(*size)
    assert len(data) < 200
    assert size[0] * size[1] > MAX_PHOTO_PIXELS

    started = time.perf_counter()
    error = refused(upload(data, "bomb.png"), "photo_too_many_pixels")

    assert time.perf_counter() - started < 1  # the pixels were never allocated nor decoded
    assert "40" in error.messages[0]


def test_a_file_over_the_byte_limit_is_refused():
    error = refused(upload(b"\xff" * (MAX_PHOTO_BYTES + 1), "huge.jpg"), "photo_too_large")
    assert "10" in error.messages[0]


def test_a_file_over_the_byte_limit_is_refused_before_it_is_read():
    class Unreadable(io.BytesIO):
        def read(self, *args: object) -> bytes:
            raise AssertionError("the file was read")

    big = File(Unreadable(), name="huge.jpg")
    big.size = MAX_PHOTO_BYTES + 1
    refused(big, "photo_too_large")


def test_a_file_that_understates_its_size_is_still_refused():
    big = File(io.BytesIO(b"\xff" * (MAX_PHOTO_BYTES + 1)), name="huge.jpg")
    big.size = 1000
    refused(big, "photo_too_large")


def test_a_file_exactly_at_the_byte_limit_is_not_refused_for_its_size():
    data = image_bytes("PNG", size=(40, 40))
    padded = data + b"\x00" * (MAX_PHOTO_BYTES - len(data))  # bytes after IEND are ignored by readers
    assert process_photo(upload(padded, "photo.png")).format == "PNG"


@pytest.mark.parametrize(("fmt", "name"), [("GIF", "anim.gif"), ("BMP", "scan.bmp"), ("TIFF", "scan.tiff")])
def test_an_image_in_another_format_is_refused(fmt, name):
    refused(upload(image_bytes(fmt, size=(40, 40)), name), "photo_format")


@pytest.mark.parametrize(
    ("fmt", "name"),
    [("PNG", "x.jpg"), ("JPEG", "x.png"), ("WEBP", "x.jpeg"), ("PNG", "x.webp"), ("JPEG", "x.gif")],
)
def test_an_extension_that_says_another_format_is_refused(fmt, name):
    error = refused(upload(image_bytes(fmt, size=(40, 40)), name), "photo_extension_mismatch")
    assert name.rsplit(".", 1)[1] in error.messages[0]
