"""Case photo uploads: refuse what is not a safe, reasonable photo, and keep a metadata-free copy and a thumbnail.

Everything about an upload is decided from its bytes, as Pillow reads them: the declared content type and the
file name are the user's word, not facts. Cheap checks run first (byte size, then the image header), so that an
oversized file is never read whole and a decompression bomb is never decoded. The stored image is re-encoded from
its pixels alone, which drops EXIF (GPS included), XMP, ICC profiles, comments and PNG text chunks, and it gets a
random name so the user's file name (which may hold a person's name) is never stored.
"""

import io
import uuid
import warnings
from dataclasses import dataclass
from pathlib import PurePath

from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.files import File
from django.core.files.base import ContentFile
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageFile, ImageOps, UnidentifiedImageError

MAX_PHOTO_BYTES = 10 * 1024 * 1024
MAX_PHOTO_PIXELS = 40_000_000
THUMBNAIL_SIZE = (480, 480)
ALLOWED_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}

# Encoder settings per stored format. Only these keys reach the encoder: no exif/icc_profile/pnginfo is ever passed.
_SAVE_OPTIONS: dict[str, dict[str, object]] = {
    "JPEG": {"quality": 85, "optimize": True},
    "PNG": {"optimize": True},
    "WEBP": {"quality": 85},
}
_THUMBNAIL_OPTIONS: dict[str, object] = {"quality": 85, "optimize": True}

# Errors Pillow raises on damaged data while decoding: a truncated stream is an OSError, a broken header or
# chunk a SyntaxError, bad parameters (e.g. a palette that does not fit) a ValueError.
_DECODE_ERRORS = (OSError, SyntaxError, ValueError)


@dataclass(frozen=True)
class ProcessedPhoto:
    """A validated photo, ready to store: the cleaned image, its thumbnail and what they are."""

    image: ContentFile
    thumbnail: ContentFile
    width: int
    height: int
    format: str


def process_photo(upload: File) -> ProcessedPhoto:
    """Validate an uploaded image and return a metadata-free copy and its thumbnail."""
    # With this flag on, Pillow pads a truncated image with grey and reports success: refuse to run rather than
    # store damaged photos without a word.
    if ImageFile.LOAD_TRUNCATED_IMAGES:
        raise ImproperlyConfigured("PIL.ImageFile.LOAD_TRUNCATED_IMAGES must be False to validate photo uploads.")
    data = _read_limited(upload)
    # Pillow only warns between MAX_IMAGE_PIXELS and twice that; as an error it stops the decode like the
    # DecompressionBombError above that range. (catch_warnings is not thread-safe: another request may briefly
    # see this filter too, which only makes Pillow stricter there.)
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(io.BytesIO(data)) as img:
                fmt = _check_header(img, upload.name)
                oriented = _decode_and_orient(img)
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise _too_many_pixels() from exc
        except UnidentifiedImageError as exc:
            raise _not_image() from exc
        except _DECODE_ERRORS as exc:
            raise _truncated() from exc

    clean = _strip(_convert_for(oriented, fmt))
    stem = uuid.uuid4().hex
    return ProcessedPhoto(
        image=ContentFile(_encode(clean, fmt, _SAVE_OPTIONS[fmt]), name=f"{stem}.{ALLOWED_FORMATS[fmt]}"),
        thumbnail=ContentFile(_encode(_thumbnail(clean), "JPEG", _THUMBNAIL_OPTIONS), name=f"{stem}_thumb.jpg"),
        width=clean.width,
        height=clean.height,
        format=fmt,
    )


def _read_limited(upload: File) -> bytes:
    """Return the upload's bytes, refusing it on its declared size before reading anything."""
    size = getattr(upload, "size", None)
    if size is not None and size > MAX_PHOTO_BYTES:
        raise _too_large()
    upload.seek(0)
    # Read one byte past the limit: a size that was missing or wrong cannot make us hold a huge file.
    data = upload.read(MAX_PHOTO_BYTES + 1)
    if len(data) > MAX_PHOTO_BYTES:
        raise _too_large()
    if not data:
        raise _not_image()
    return data


def _check_header(img: Image.Image, name: str | None) -> str:
    """Check what the header says (format, name, pixel count) and return the stored format's name."""
    # Cameras that embed a second picture (MPO) are JPEG files that Pillow names MPO; we keep the first picture.
    fmt = "JPEG" if img.format == "MPO" else img.format
    if fmt not in ALLOWED_FORMATS:
        raise ValidationError(
            _("This image format is not supported. Please upload a JPEG, PNG or WebP photo."),
            code="photo_format",
        )
    extension = PurePath(name or "").suffix.lower()
    # Only an extension that names an image format can contradict the content; "IMG.2024.05" is just a name.
    claimed = Image.registered_extensions().get(extension)
    if claimed == "MPO":
        claimed = "JPEG"
    if claimed is not None and claimed != fmt:
        raise ValidationError(
            _("The file name ends in %(extension)s but the file is a %(format)s image. Please check the file."),
            code="photo_extension_mismatch",
            params={"extension": extension, "format": fmt},
        )
    if img.width * img.height > MAX_PHOTO_PIXELS:
        raise _too_many_pixels()
    return fmt


def _decode_and_orient(img: Image.Image) -> Image.Image:
    """Decode every pixel (so damaged data is refused now) and turn the image as its EXIF orientation says."""
    img.load()
    try:
        return ImageOps.exif_transpose(img)
    except (*_DECODE_ERRORS, TypeError, KeyError):
        # Unreadable EXIF in an otherwise good photo: the pixels are fine and the metadata is dropped anyway.
        return img.copy()


def _convert_for(img: Image.Image, fmt: str) -> Image.Image:
    """Return the image in a mode the stored format holds well: alpha kept where the format has it."""
    if img.mode in ("I", "I;16", "I;16L", "I;16B", "I;16N"):
        # 16-bit greyscale (PNG): scale to 8 bits, since a plain convert would clip everything above 255 to white.
        img = img.convert("I").point(lambda value: value / 256).convert("L")
    if fmt != "JPEG" and img.has_transparency_data:
        return img if img.mode == "RGBA" else img.convert("RGBA")
    if img.mode in ("1", "L") and fmt != "WEBP":
        return img if img.mode == "L" else img.convert("L")
    # CMYK, palette, 1-bit, LA without use for alpha...: RGB is what every browser shows right.
    return img if img.mode == "RGB" else img.convert("RGB")


def _strip(img: Image.Image) -> Image.Image:
    """Return a new image holding only the pixels: no info dict, so no encoder can pick up any metadata."""
    # Pillow's encoders read some metadata from img.info (JPEG comment, PNG ICC profile...), and convert()
    # and copy() carry it over; a fresh image has none.
    clean = Image.new(img.mode, img.size)
    clean.paste(img)
    return clean


def _thumbnail(clean: Image.Image) -> Image.Image:
    """Return a JPEG-ready thumbnail no larger than THUMBNAIL_SIZE, transparency flattened onto white."""
    thumb = clean.copy()
    thumb.thumbnail(THUMBNAIL_SIZE)
    if thumb.mode == "RGBA":
        background = Image.new("RGB", thumb.size, "white")
        background.paste(thumb, mask=thumb.getchannel("A"))
        return background
    return thumb if thumb.mode in ("L", "RGB") else thumb.convert("RGB")


def _encode(img: Image.Image, fmt: str, options: dict[str, object]) -> bytes:
    """Return the image encoded in the given format with the given encoder options only."""
    buffer = io.BytesIO()
    img.save(buffer, format=fmt, **options)
    return buffer.getvalue()


def _too_large() -> ValidationError:
    """The error for a file over MAX_PHOTO_BYTES."""
    return ValidationError(
        _("The photo is too large. Please upload a file of at most %(max_mb)s MB."),
        code="photo_too_large",
        params={"max_mb": MAX_PHOTO_BYTES // (1024 * 1024)},
    )


def _not_image() -> ValidationError:
    """The error for a file that is not an image at all."""
    return ValidationError(
        _("The file is not an image. Please upload a JPEG, PNG or WebP photo."),
        code="photo_not_image",
    )


def _too_many_pixels() -> ValidationError:
    """The error for an image over MAX_PHOTO_PIXELS."""
    return ValidationError(
        _("The photo has too many pixels. Please upload a photo of at most %(max_megapixels)s megapixels."),
        code="photo_too_many_pixels",
        params={"max_megapixels": MAX_PHOTO_PIXELS // 1_000_000},
    )


def _truncated() -> ValidationError:
    """The error for an image whose data is cut short or damaged."""
    return ValidationError(
        _("The photo file is damaged or incomplete. Please upload it again."),
        code="photo_truncated",
    )
