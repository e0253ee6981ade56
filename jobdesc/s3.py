"""django-storages' S3 backend (boto3) with short time limits, raising ``StorageUnavailable``.

Chosen by ``S3_BUCKET`` / ``STORAGE_BACKEND=s3`` (jobdesc/settings.py). Every storage call that
meets botocore's or boto3's errors (refused, timed out, bad credentials, no such bucket) raises
``jobdesc.storage.StorageUnavailable`` instead; a missing file stays ``FileNotFoundError``.
After a failure the store is not asked again for ``UNAVAILABLE_SECONDS`` (each call fails at
once), so a page never waits on a dead store more than once.
"""

from __future__ import annotations

import functools
import io
import logging
import shutil
import tempfile
import threading
import time
from collections.abc import Callable
from typing import Any

from boto3.exceptions import Boto3Error
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError
from django.core.files.base import File
from storages.backends.s3 import S3Storage as _S3Storage
from storages.utils import clean_name

from jobdesc.storage import StorageUnavailable

UNAVAILABLE_SECONDS = 30.0
READ_CHUNK = 1 << 16
_STORE_ERRORS = (BotoCoreError, ClientError, Boto3Error)

logger = logging.getLogger(__name__)


def _guarded(method: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(method)
    def guarded(self: S3Storage, *args: Any, **kwargs: Any) -> Any:
        self._refuse_while_down()
        try:
            return method(self, *args, **kwargs)
        except FileNotFoundError:
            raise
        except StorageUnavailable:
            raise
        except _STORE_ERRORS as exc:
            self._mark_down(exc)
            raise StorageUnavailable(f"{type(exc).__name__}: {exc}") from exc

    return guarded


class S3Storage(_S3Storage):
    """django-storages' ``S3Storage`` with botocore time limits and ``StorageUnavailable``.

    Options besides django-storages' own: ``connect_timeout`` and ``read_timeout``
    (seconds) and ``max_attempts`` (tries per call, the first included). Path-style
    addressing, which SeaweedFS, MinIO and most self-hosted stores expect, when an
    ``endpoint_url`` is given.
    """

    def __init__(
        self,
        *,
        connect_timeout: float = 2,
        read_timeout: float = 10,
        max_attempts: int = 2,
        **options: Any,
    ) -> None:
        options.setdefault(
            "client_config",
            Config(
                connect_timeout=connect_timeout,
                read_timeout=read_timeout,
                retries={"total_max_attempts": max_attempts, "mode": "standard"},
                s3={"addressing_style": "path"} if options.get("endpoint_url") else {},
                signature_version="s3v4",
            ),
        )
        super().__init__(**options)
        self._down_until = 0.0
        self._down_lock = threading.Lock()
        self._session: Any = None
        self._session_lock = threading.Lock()

    # Each thread gets its own boto3 resource (resources are not thread-safe), as in
    # django-storages, but all are made from one boto3 session, one at a time: a session of its
    # own per thread loads botocore's S3 model again, ~13 MB per thread (4 threads per worker).

    def _create_session(self) -> Any:
        if self._session is None:
            self._session = super()._create_session()
        return self._session

    def _per_thread(self, local: threading.local, make: Callable[[], Any]) -> Any:
        """This thread's resource in ``local``: made by ``make`` (django-storages' own
        property, which also stores it there) the first time, under the session lock."""
        if getattr(local, "connection", None) is None:
            with self._session_lock:
                return make()
        return local.connection

    @property
    def connection(self) -> Any:
        return self._per_thread(self._connections, lambda: _S3Storage.connection.fget(self))

    @property
    def unsigned_connection(self) -> Any:
        return self._per_thread(
            self._unsigned_connections, lambda: _S3Storage.unsigned_connection.fget(self)
        )

    def _refuse_while_down(self) -> None:
        if time.monotonic() < self._down_until:
            raise StorageUnavailable("the object store failed a moment ago")

    def _mark_down(self, exc: BaseException) -> None:
        with self._down_lock:
            self._down_until = time.monotonic() + UNAVAILABLE_SECONDS
        logger.warning("Object storage unavailable: %s: %s", type(exc).__name__, exc)

    def _open(self, name: str, mode: str = "rb") -> Any:
        if "w" in mode:
            return super()._open(name, mode)
        return self._read(name, mode)

    def _read(self, name: str, mode: str) -> File:
        """The whole file, downloaded now with one GetObject (so a failure is raised here,
        guarded), as a Django ``File``. django-storages' ``S3File`` asks the store three times
        for a read (HEAD on opening; HEAD and GET through boto3's threaded transfer manager):
        for a stored PDF ~4× the time and CPU of one GET on a quiet machine, ~9× the time on a
        busy one (bench/s3_read.py)."""
        key = self._normalize_name(clean_name(name))
        try:
            answer = self.connection.meta.client.get_object(Bucket=self.bucket_name, Key=key)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in {"NoSuchKey", "404"}:
                raise FileNotFoundError(f"File does not exist: {name}") from exc
            raise
        # Returned open: the caller closes it (``with storage.open(...)``).
        buffer = tempfile.SpooledTemporaryFile(max_size=self.max_memory_size, suffix=".S3File")  # noqa: SIM115
        try:
            with answer["Body"] as body:
                shutil.copyfileobj(body, buffer, READ_CHUNK)
        except BaseException:
            buffer.close()
            raise
        buffer.seek(0)
        handle = File(buffer if "b" in mode else io.TextIOWrapper(buffer, encoding="utf-8"), name)
        handle.size = answer["ContentLength"]
        return handle

    _open = _guarded(_open)
    _save = _guarded(_S3Storage._save)
    delete = _guarded(_S3Storage.delete)
    exists = _guarded(_S3Storage.exists)
    listdir = _guarded(_S3Storage.listdir)
    size = _guarded(_S3Storage.size)
    get_modified_time = _guarded(_S3Storage.get_modified_time)
