"""Files handed in with a result: read from the request as it streams, refused as soon as
they pass the size limit (413), kept only when their content is of an allowed type (415),
stored under a random name and recorded as an `Attachment` of the submission.

Why not `request.form()`: Starlette spools a whole upload to disk before the handler sees
it, whatever its size. Here the multipart body is parsed chunk by chunk
(python-multipart's parser, as Starlette itself uses it): the form's token is checked
before the file's first byte is written, and a file over the limit stops the upload there.

The type is what the content says, never the name: a PDF starts with `%PDF-`, a DOCX is a
ZIP with `word/document.xml`, an ODT names its type in its first entry, a text is UTF-8
with no markup. Anything else — executables, HTML, SVG, macro-enabled Office files, other
archives — is refused. Stored files live in `<data dir>/uploads/<32 hex>`, readable by the
owner (0640) in a folder only the owner can list (0700); their names say nothing of the
task or the person, and they are served only by `/attachments/{id}` after the access check.
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from roadmap.i18n import t
from roadmap.settings import Settings

MB = 1024 * 1024
# Form fields besides the file: a token, a note, a link. More is not a hand-in form.
MAX_FIELDS = 8
MAX_FIELD_BYTES = 16 * 1024
# What a body may carry besides the file (boundaries, headers, the fields).
OVERHEAD = MAX_FIELDS * MAX_FIELD_BYTES + 16 * 1024
SNIFF_BYTES = 8 * 1024
# A body over the limit is still read (and dropped) up to this many times the limit, so a
# browser gets the refusal as a page rather than a broken connection; beyond, it is cut.
DRAIN_FACTOR = 4


class UploadRefused(Exception):
    """The upload cannot be taken: `status` is the HTTP status, the message says why."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status


def max_bytes(settings: Settings) -> int:
    """The size limit of one file (setting ROADMAP_WEB_UPLOAD_MAX_MB, default 10 MB)."""
    return settings.web_upload_max_mb * MB


def uploads_dir(settings: Settings) -> Path:
    folder = Path(settings.data_dir) / "uploads"
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    return folder


# --- what a file is ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Kind:
    content_type: str
    label: str  # shown to people: what the allow-list says


KINDS = {
    "pdf": Kind("application/pdf", "PDF"),
    "png": Kind("image/png", "PNG"),
    "jpeg": Kind("image/jpeg", "JPEG"),
    "docx": Kind("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "DOCX"),
    "xlsx": Kind("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "XLSX"),
    "odt": Kind("application/vnd.oasis.opendocument.text", "ODT"),
    "ods": Kind("application/vnd.oasis.opendocument.spreadsheet", "ODS"),
    "csv": Kind("text/csv; charset=utf-8", "CSV"),
    "text": Kind("text/plain; charset=utf-8", "TXT"),
}
ALLOWED = ", ".join(dict.fromkeys(kind.label for kind in KINDS.values()))
#: What a file chooser offers (a hint only: the content decides).
EXTENSIONS = (".pdf", ".png", ".jpg", ".jpeg", ".docx", ".xlsx", ".odt", ".ods", ".txt", ".csv")

_OPEN_DOCUMENT = {
    b"application/vnd.oasis.opendocument.text": "odt",
    b"application/vnd.oasis.opendocument.spreadsheet": "ods",
}
# Text that a browser or an editor would run or render rather than show: refused.
_MARKUP = re.compile(
    rb"<\s*(?:!doctype|html|head|body|script|svg|iframe|object|embed|meta|link|style|xml)\b"
    rb"|<\?xml|javascript:",
    re.IGNORECASE,
)


def sniff(path: Path, original_name: str) -> Kind | None:
    """The allowed kind the file's content is, or None (refused)."""
    with path.open("rb") as handle:
        head = handle.read(SNIFF_BYTES)
    if head.startswith(b"%PDF-"):
        return KINDS["pdf"]
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return KINDS["png"]
    if head.startswith(b"\xff\xd8\xff"):
        return KINDS["jpeg"]
    if head.startswith(b"PK\x03\x04"):
        return _office(path)
    if _is_text(path, head):
        return KINDS["csv"] if original_name.lower().endswith(".csv") else KINDS["text"]
    return None


def _office(path: Path) -> Kind | None:
    """A ZIP is allowed only as an Office Open XML document or workbook without macros, or
    an OpenDocument text or spreadsheet."""
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            if "mimetype" in names:
                return _opendocument(archive)
            if "[Content_Types].xml" not in names:
                return None
            types = archive.read("[Content_Types].xml")
            if b"macroEnabled" in types or any(n.lower().endswith("vbaproject.bin") for n in names):
                return None
            if "word/document.xml" in names:
                return KINDS["docx"]
            if "xl/workbook.xml" in names:
                return KINDS["xlsx"]
    except (zipfile.BadZipFile, KeyError, OSError, RuntimeError, ValueError):
        return None
    return None


def _opendocument(archive: zipfile.ZipFile) -> Kind | None:
    first = archive.infolist()[0]
    if first.filename != "mimetype":
        return None
    key = _OPEN_DOCUMENT.get(archive.read(first).strip())
    return KINDS[key] if key else None


def _is_text(path: Path, head: bytes) -> bool:
    """UTF-8 text (a byte-order mark allowed) with no NUL, no control characters but tabs
    and line breaks, not a script (#!) and no markup anywhere."""
    if head.startswith(b"#!"):
        return False
    data = path.read_bytes()
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    if any((ord(c) < 32 and c not in "\t\n\r\f") or ord(c) == 127 for c in text):
        return False
    return _MARKUP.search(data) is None


# --- reading the form --------------------------------------------------------------------


@dataclass
class Received:
    """A file taken and checked, under its final name, not yet recorded."""

    path: Path
    stored_name: str
    original_name: str
    content_type: str
    size: int
    sha256: str

    def discard(self) -> None:
        self.path.unlink(missing_ok=True)


@dataclass
class HandInForm:
    fields: dict[str, str] = field(default_factory=dict)
    file: Received | None = None


def safe_name(raw: str) -> str:
    """The name a person gave the file, without folders or control characters, at most
    255 characters (it is only ever shown and offered back on download)."""
    name = re.split(r"[\\/]", raw)[-1]
    name = "".join(c for c in name if ord(c) >= 32 and ord(c) != 127).strip()
    return (name or "file")[:255]


class _Part:
    def __init__(self) -> None:
        self.headers: dict[bytes, bytes] = {}
        self.name = ""
        self.filename: str | None = None
        self.data = bytearray()
        self.handle: Any = None
        self.size = 0
        self.digest = hashlib.sha256()
        self.path: Path | None = None


class _FormReader:
    """Callbacks for python-multipart's parser: fields kept in memory (bounded), the one
    file written as it arrives."""

    def __init__(
        self,
        folder: Path,
        limit: int,
        on_field: Callable[[str, str | None], None],
        file_field: str,
    ):
        self.folder, self.limit = folder, limit
        self.on_field, self.file_field = on_field, file_field
        self.form = HandInForm()
        self.refused: UploadRefused | None = None  # the file passed the limit: the rest is skipped
        self.part: _Part | None = None
        self.header_field = bytearray()
        self.header_value = bytearray()
        self.fields = 0
        self.partial: Path | None = None

    # headers
    def on_part_begin(self) -> None:
        self.part = _Part()

    def on_header_field(self, data: bytes, start: int, end: int) -> None:
        self.header_field += data[start:end]

    def on_header_value(self, data: bytes, start: int, end: int) -> None:
        self.header_value += data[start:end]

    def on_header_end(self) -> None:
        assert self.part is not None
        self.part.headers[bytes(self.header_field).lower()] = bytes(self.header_value)
        self.header_field.clear()
        self.header_value.clear()

    def on_headers_finished(self) -> None:
        from python_multipart.multipart import parse_options_header

        part = self.part
        assert part is not None
        _, options = parse_options_header(part.headers.get(b"content-disposition"))
        part.name = options.get(b"name", b"").decode("utf-8", "replace")
        self.fields += 1
        if self.fields > MAX_FIELDS:
            raise UploadRefused(400, t("pages.upload.bad_form"))
        if b"filename" in options:
            if part.name != self.file_field or self.form.file is not None or self.partial:
                raise UploadRefused(400, t("pages.upload.bad_form"))
            self.on_field(part.name, None)  # a file begins: the checks before it run now
            part.filename = safe_name(options[b"filename"].decode("utf-8", "replace"))
            stored = secrets.token_hex(16)
            part.path = self.folder / stored
            self.partial = part.path.with_name(stored + ".part")
            descriptor = os.open(self.partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o640)
            part.handle = os.fdopen(descriptor, "wb")

    # data
    def on_part_data(self, data: bytes, start: int, end: int) -> None:
        part = self.part
        assert part is not None
        if self.refused is not None:
            return
        chunk = data[start:end]
        if part.handle is None:
            part.data += chunk
            if len(part.data) > MAX_FIELD_BYTES:
                raise UploadRefused(413, t("pages.upload.field_too_big"))
            return
        part.size += len(chunk)
        if part.size > self.limit:
            # Refused now, and what was written is removed now; the rest of the body is
            # read and dropped (up to a bound) so that a browser sees the answer.
            self.refused = UploadRefused(
                413, t("pages.upload.too_big", limit=self.limit // MB, name=part.filename)
            )
            self.close()
            return
        part.digest.update(chunk)
        part.handle.write(chunk)

    def on_part_end(self) -> None:
        part = self.part
        assert part is not None
        self.part = None
        if self.refused is not None:
            return
        if part.handle is None:
            value = part.data.decode("utf-8", "replace")
            self.form.fields[part.name] = value
            self.on_field(part.name, value)
            return
        part.handle.close()
        if part.size == 0 and not part.filename:
            return  # the form's empty file input: no file chosen
        if part.size == 0:
            raise UploadRefused(400, t("pages.upload.empty", name=part.filename))
        assert part.path is not None and self.partial is not None
        self.form.file = Received(
            path=part.path,
            stored_name=part.path.name,
            original_name=part.filename or "file",
            content_type="",
            size=part.size,
            sha256=part.digest.hexdigest(),
        )

    def close(self) -> None:
        """After an error: nothing half-written stays behind."""
        if self.part is not None and self.part.handle is not None:
            self.part.handle.close()
        if self.partial is not None:
            self.partial.unlink(missing_ok=True)
            self.partial = None


async def read_hand_in(
    request: Any,
    settings: Settings,
    *,
    on_field: Callable[[str, str | None], None] = lambda name, value: None,
    file_field: str = "file",
) -> HandInForm:
    """Read a multipart form from the request as it streams: fields (each reported to
    `on_field(name, value)` as it ends, and the file as `on_field(name, None)` before its
    first byte: a check raising there, such as the form's token, stops the upload) and at
    most one file, of an allowed kind and within the size limit; the file is in place
    under its random name when this returns (or, on any refusal, nothing is)."""
    from python_multipart.multipart import MultipartParser, parse_options_header

    limit = max_bytes(settings)
    content_type, params = parse_options_header(request.headers.get("content-type"))
    boundary = params.get(b"boundary")
    if content_type != b"multipart/form-data" or not boundary:
        raise UploadRefused(400, t("pages.upload.bad_form"))
    declared = request.headers.get("content-length")
    drain = DRAIN_FACTOR * limit + OVERHEAD
    if declared and declared.isdigit() and int(declared) > drain:
        raise UploadRefused(413, t("pages.upload.too_big", limit=limit // MB, name=""))
    reader = _FormReader(uploads_dir(settings), limit, on_field, file_field)
    callbacks = {
        name: getattr(reader, name)
        for name in (
            "on_part_begin",
            "on_part_data",
            "on_part_end",
            "on_header_field",
            "on_header_value",
            "on_header_end",
            "on_headers_finished",
        )
    }
    parser = MultipartParser(boundary, callbacks)  # type: ignore[arg-type]
    total = 0
    try:
        async for chunk in request.stream():
            total += len(chunk)
            if total > limit + OVERHEAD and reader.refused is None:
                reader.refused = UploadRefused(
                    413, t("pages.upload.too_big", limit=limit // MB, name="")
                )
                reader.close()
            if reader.refused is not None:
                if total > drain:
                    break
                continue
            parser.write(chunk)
        if reader.refused is not None:
            raise reader.refused
        parser.finalize()
        received = reader.form.file
        if received is not None:
            assert reader.partial is not None
            kind = sniff(reader.partial, received.original_name)
            if kind is None:
                raise UploadRefused(
                    415, t("pages.upload.bad_type", name=received.original_name, allowed=ALLOWED)
                )
            received.content_type = kind.content_type
            os.replace(reader.partial, received.path)
            reader.partial = None
    except UploadRefused:
        reader.close()
        raise
    except Exception as exc:  # a malformed body: the parser's own errors
        reader.close()
        from python_multipart.exceptions import MultipartParseError

        if isinstance(exc, MultipartParseError):
            raise UploadRefused(400, t("pages.upload.bad_form")) from None
        raise
    return reader.form
