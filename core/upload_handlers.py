"""Stop storing an upload as soon as it passes the size limit, instead of after reading all of it."""

from __future__ import annotations

from django.core.files.uploadhandler import FileUploadHandler, SkipFile


class SizeLimitUploadHandler(FileUploadHandler):
    """Counts each file's bytes as they arrive and skips the file once it exceeds `limit`.

    Put first in request.upload_handlers (before request.POST is read): later handlers then never store
    more than the limit, and the view finds `request.upload_too_large` set.
    """

    def __init__(self, request, limit: int):
        super().__init__(request)
        self.limit = limit
        self.received = 0
        request.upload_too_large = False

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > self.limit:
            self.request.upload_too_large = True
            raise SkipFile()
        return raw_data

    def file_complete(self, file_size):
        return None
