"""Stop storing an upload as soon as it passes the size limit, instead of after reading all of it.

settings.FILE_UPLOAD_HANDLERS puts SizeLimitUploadHandler first for every request, so it runs before
anything reads the body (the CSRF check included). A file past MAX_UPLOAD_BYTES is not stored by any
handler: the form receives an empty OversizedUpload of the size that had arrived, and the one upload gate
(core.uploads.check_upload) answers "The selected file must be smaller than ..." whatever the door.
"""

from __future__ import annotations

import io

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler


class OversizedUpload(UploadedFile):
    """Stands in for a file that was too large to keep: its name and the size that arrived, no content."""

    too_large = True

    def __init__(self, *, name: str, content_type: str | None, size: int):
        super().__init__(file=io.BytesIO(b""), name=name, content_type=content_type, size=size)


class SizeLimitUploadHandler(FileUploadHandler):
    """Counts each file's bytes as they arrive; past the limit, later handlers get nothing more and the
    file becomes an OversizedUpload."""

    def __init__(self, request=None, limit: int | None = None):
        super().__init__(request)
        self.limit = limit
        self.received = 0
        self.too_large = False

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.received = 0
        self.too_large = False

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        limit = self.limit if self.limit is not None else int(settings.MAX_UPLOAD_BYTES)
        if self.too_large or self.received > limit:
            self.too_large = True
            return None  # the handlers after this one never see the rest
        return raw_data

    def file_complete(self, file_size):
        if self.too_large:
            return OversizedUpload(name=self.file_name, content_type=self.content_type, size=self.received)
        return None
