"""The upload size limit, enforced while the request body streams in.

Django spools uploaded files to disk before a view runs and has no size limit of its own
for them, so an unlimited upload could fill the disk. ``UploadSizeLimit`` is the first
upload handler (``FILE_UPLOAD_HANDLERS``): once the files of one request pass
``settings.SHOPOPS_UPLOAD_MAX_BYTES`` (env of the same name, default 1 GiB) it stops the
upload (the rest of the body is read and dropped, nothing is kept) and leaves the reason
on the request for the page to show. The form checks the sizes again
(``upload_size_problem``), so the limit holds whichever handler runs.
"""

from __future__ import annotations

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.utils.translation import gettext as _

REFUSED_ATTRIBUTE = "shopops_upload_refused"


def _size(n: int) -> str:
    for unit, scale in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if n >= scale:
            return f"{n / scale:,.1f} {unit}"
    return f"{n} B"


def upload_size_problem(total_bytes: int) -> str:
    """The message for an upload of that many bytes, or "" when it fits."""
    limit = settings.SHOPOPS_UPLOAD_MAX_BYTES
    if total_bytes <= limit:
        return ""
    return _("The upload is larger than %(limit)s (at least %(size)s); nothing was saved. "
             "Split the export, or compress it (.csv.gz or .zip).") % {"limit": _size(limit), "size": _size(total_bytes)}


class UploadSizeLimit(FileUploadHandler):
    """Stops an upload whose files pass the limit; the view shows ``request.shopops_upload_refused``."""

    def new_file(self, *args, **kwargs) -> None:
        super().new_file(*args, **kwargs)
        self.total = getattr(self, "total", 0)

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        # a body announced larger than the limit (with a little room for the form fields) stops at
        # its first file chunk: the fields before the files (the CSRF token) are still read
        self.announced = content_length or 0
        return None

    def receive_data_chunk(self, raw_data: bytes, start: int):
        self.total = getattr(self, "total", 0) + len(raw_data)
        announced_files = max(getattr(self, "announced", 0) - 64 * 1024, 0)
        problem = upload_size_problem(max(self.total, announced_files))
        if problem:
            setattr(self.request, REFUSED_ATTRIBUTE, problem)
            raise StopUpload(connection_reset=False)
        return raw_data

    def file_complete(self, file_size: int):
        return None
