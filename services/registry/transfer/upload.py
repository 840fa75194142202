"""Reading a multipart upload from the request stream with a size limit: a file that is too
large is refused as soon as the limit is passed, never read whole first."""

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from tempfile import SpooledTemporaryFile
from typing import Annotated

from fastapi import Depends, Request
from python_multipart.exceptions import FormParserError
from python_multipart.multipart import MultipartParser, parse_options_header

from services.registry.runtime import RegistryDep
from shared.errors import DomainError, Invalid

FIELD_MAX_BYTES = 256 * 1024  # a mapping is a few hundred bytes
MAX_FIELDS = 50
MAX_FILES = 40  # an HSDS datapackage has about twenty tables
MIB = 1024 * 1024
SPOOL_BYTES = MIB  # larger files wait on disk, not in memory


class TooLarge(DomainError):
    status = 413
    code = "payload_too_large"


class UnsupportedMedia(DomainError):
    status = 415
    code = "unsupported_media_type"


def size_text(size: int) -> str:
    return f"{size / MIB:g} MB" if size >= MIB else f"{size // 1024} kB"


@dataclass
class UploadedFile:
    field: str
    filename: str
    content_type: str
    file: SpooledTemporaryFile[bytes]
    size: int = 0

    def read(self) -> bytes:
        self.file.seek(0)
        return self.file.read()


@dataclass
class Upload:
    files: list[UploadedFile] = field(default_factory=list)
    fields: dict[str, str] = field(default_factory=dict)

    def close(self) -> None:
        for uploaded in self.files:
            uploaded.file.close()


class _Collector:
    """The callbacks of python-multipart's streaming parser, with the limits."""

    def __init__(self, max_file_bytes: int) -> None:
        self.max_file_bytes = max_file_bytes
        self.upload = Upload()
        self.file_bytes = 0
        self._header_name = b""
        self._header_value = b""
        self._headers: dict[bytes, bytes] = {}
        self._data = bytearray()
        self._file: UploadedFile | None = None
        self._name = ""

    def on_part_begin(self) -> None:
        self._headers, self._data, self._file = {}, bytearray(), None

    def on_header_field(self, data: bytes, start: int, end: int) -> None:
        self._header_name += data[start:end]

    def on_header_value(self, data: bytes, start: int, end: int) -> None:
        self._header_value += data[start:end]

    def on_header_end(self) -> None:
        self._headers[self._header_name.lower()] = self._header_value
        self._header_name, self._header_value = b"", b""

    def on_headers_finished(self) -> None:
        _, options = parse_options_header(self._headers.get(b"content-disposition", b""))
        self._name = options.get(b"name", b"").decode("utf-8", "replace")
        if b"filename" in options:
            if len(self.upload.files) >= MAX_FILES:
                raise Invalid("file", f"at most {MAX_FILES} files in one upload")
            self._file = UploadedFile(
                field=self._name,
                filename=options[b"filename"].decode("utf-8", "replace"),
                content_type=self._headers.get(b"content-type", b"").decode("latin-1"),
                file=SpooledTemporaryFile(max_size=SPOOL_BYTES),  # noqa: SIM115 closed by Upload
            )
            self.upload.files.append(self._file)
        elif len(self.upload.fields) >= MAX_FIELDS:
            raise Invalid(self._name, f"at most {MAX_FIELDS} form fields")

    def on_part_data(self, data: bytes, start: int, end: int) -> None:
        chunk = data[start:end]
        if self._file is None:
            if len(self._data) + len(chunk) > FIELD_MAX_BYTES:
                raise Invalid(self._name, f"a form field may hold at most {FIELD_MAX_BYTES} bytes")
            self._data.extend(chunk)
            return
        self.file_bytes += len(chunk)
        if self.file_bytes > self.max_file_bytes:
            raise TooLarge(
                f"the file is larger than the import limit of {size_text(self.max_file_bytes)}",
                field="file",
            )
        self._file.file.write(chunk)
        self._file.size += len(chunk)

    def on_part_end(self) -> None:
        if self._file is None:
            self.upload.fields[self._name] = self._data.decode("utf-8", "replace")


async def read_upload(request: Request, registry: RegistryDep) -> AsyncIterator[Upload]:
    """The files and fields of a ``multipart/form-data`` request, files spooled to disk and
    removed after the response."""
    settings = registry.settings
    content_type, options = parse_options_header(request.headers.get("content-type"))
    boundary = options.get(b"boundary")
    if content_type != b"multipart/form-data" or not boundary:
        raise UnsupportedMedia("send the file as multipart/form-data", field="file")
    limit = settings.import_max_bytes
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit + MAX_FIELDS * FIELD_MAX_BYTES:
        raise TooLarge(
            f"the file is larger than the import limit of {size_text(limit)}", field="file"
        )
    collector = _Collector(limit)
    parser = MultipartParser(
        boundary,
        {
            "on_part_begin": collector.on_part_begin,
            "on_part_data": collector.on_part_data,
            "on_part_end": collector.on_part_end,
            "on_header_field": collector.on_header_field,
            "on_header_value": collector.on_header_value,
            "on_header_end": collector.on_header_end,
            "on_headers_finished": collector.on_headers_finished,
        },
    )
    try:
        async for chunk in request.stream():
            parser.write(chunk)
        parser.finalize()
    except FormParserError as exc:
        collector.upload.close()
        raise Invalid("file", "the upload is not valid multipart/form-data") from exc
    except BaseException:
        collector.upload.close()
        raise
    try:
        yield collector.upload
    finally:
        collector.upload.close()


UploadDep = Annotated[Upload, Depends(read_upload)]
