"""The learner's own picture: a file-upload button and its PNG/JPEG decoded by Pillow.

The kernel and filter explorers carry an ``upload`` control (an
``ipywidgets.FileUpload``). Its bytes are read here, never trusted: a file that is
not a PNG or JPEG, a corrupt one, one over :data:`MAX_UPLOAD_BYTES` or one over
:data:`MAX_UPLOAD_PIXELS` raises ValueError with a sentence for the learner, which
the explorer's frame shows in place of the pictures (never a traceback).
"""

from __future__ import annotations

import io
import warnings

import numpy as np

from .frame import ipw
from .inputs import PHOTO_SIDE

__all__ = ["MAX_UPLOAD_BYTES", "MAX_UPLOAD_PIXELS", "upload_control", "uploaded_file",
           "decode_image", "Uploads"]

#: Largest file accepted, in bytes (20 MB).
MAX_UPLOAD_BYTES = 20 * 2**20
#: Largest picture accepted, in pixels (50 megapixels), checked before it is decoded.
MAX_UPLOAD_PIXELS = 50_000_000
_FORMATS = ("PNG", "JPEG")


def upload_control():
    """The "your image" button: one PNG or JPEG file (ipywidgets 7.7 and 8)."""
    w = ipw()
    return w.FileUpload(accept="image/png,image/jpeg,.png,.jpg,.jpeg", multiple=False,
                        description="your image", layout=w.Layout(width="260px"))


def uploaded_file(value):
    """The latest file of a FileUpload's value as ``(name, content)``, or None if empty.

    Parameters
    ----------
    value : tuple of dict or dict
        ipywidgets 8 gives a tuple of dicts with ``name`` and ``content`` (a
        memoryview); ipywidgets 7.7 a dict of file name to ``{"content": bytes,
        "metadata": {...}}``.

    Returns
    -------
    tuple of (str, memoryview) or None

    Examples
    --------
    >>> uploaded_file(({"name": "a.png", "content": memoryview(b"x")},))[0]
    'a.png'
    >>> uploaded_file({"b.jpg": {"content": b"y", "metadata": {}}})[0]
    'b.jpg'
    >>> uploaded_file(()) is None
    True
    """
    if not value:
        return None
    if isinstance(value, dict):                        # ipywidgets 7.7
        name, item = list(value.items())[-1]
    else:                                              # ipywidgets 8
        item = list(value)[-1]
        name = item.get("name") or "your file"
    return str(name), memoryview(item["content"])


def decode_image(content, name="your file", side=PHOTO_SIDE):
    """PNG or JPEG bytes -> ``(H, W, 3)`` uint8, its longer side resized to ``side``.

    Parameters
    ----------
    content : bytes-like
        The file's bytes.
    name : str, default "your file"
        The file's name, for the messages.
    side : int, default ``PHOTO_SIDE``
        The explorer's size: the longer side after resizing (aspect kept).

    Returns
    -------
    ndarray of uint8, shape (H, W, 3)

    Raises
    ------
    ValueError
        A file over :data:`MAX_UPLOAD_BYTES` or :data:`MAX_UPLOAD_PIXELS`, not a
        PNG or JPEG, or one Pillow cannot decode.

    Examples
    --------
    >>> from PIL import Image
    >>> buffer = io.BytesIO()
    >>> Image.new("RGB", (200, 100), (255, 0, 0)).save(buffer, format="PNG")
    >>> decode_image(buffer.getvalue()).shape
    (48, 96, 3)
    """
    from PIL import Image, ImageOps

    size = memoryview(content).nbytes
    if size > MAX_UPLOAD_BYTES:
        raise ValueError(f"{name} is {size / 2**20:.1f} MB: choose a picture of at most "
                         f"{MAX_UPLOAD_BYTES // 2**20} MB")
    damaged = (OSError, SyntaxError, EOFError, ValueError, Image.DecompressionBombError,
               Image.DecompressionBombWarning)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(content))
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ValueError(f"{name} has too many pixels: choose a picture of at most "
                         f"{MAX_UPLOAD_PIXELS // 10**6} megapixels") from None
    except damaged as error:
        raise ValueError(f"could not read {name} as a PNG or JPEG picture ({error}): "
                         "it may be damaged; try another file") from None
    if image.format not in _FORMATS:
        raise ValueError(f"{name} is a {image.format} file, not a PNG or JPEG: save it as "
                         "PNG or JPEG and upload it again")
    pixels = image.width * image.height
    if pixels > MAX_UPLOAD_PIXELS:
        raise ValueError(f"{name} has {image.width}x{image.height} = {pixels / 1e6:.0f} "
                         f"megapixels: choose a picture of at most "
                         f"{MAX_UPLOAD_PIXELS // 10**6} megapixels")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = ImageOps.exif_transpose(image).convert("RGB")
            scale = side / max(image.size)
            shape = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
            image = image.resize(shape, Image.Resampling.LANCZOS)
    except damaged as error:
        raise ValueError(f"could not read {name} as a PNG or JPEG picture ({error}): "
                         "it may be damaged; try another file") from None
    return np.asarray(image, dtype=np.uint8)


class Uploads:
    """Reads an explorer's ``upload`` control once per new file.

    Parameters
    ----------
    control : ipywidgets.FileUpload
        The explorer's upload button.

    Notes
    -----
    :meth:`new_picture` is called by the explorer's update on every change. It
    returns the decoded picture only the first time it sees a file, so a bad
    file's message shows once and the next move of any control brings back the
    explorer with the picture it had.
    """

    def __init__(self, control):
        self.control = control
        self._seen = control.value

    def new_picture(self):
        """The newly uploaded picture as ``(H, W, 3)`` uint8, or None if there is none.

        Raises ValueError (the learner's message) for a file that cannot be used.
        """
        value = self.control.value
        if value is self._seen:
            return None
        self._seen = value
        found = uploaded_file(value)
        if found is None:
            return None
        name, content = found
        return decode_image(content, name)
