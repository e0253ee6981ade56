"""The S3 storage backend (jobdesc/s3.py) against a real SeaweedFS, and against a closed port."""

from __future__ import annotations

import socket
import time

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from conftest import s3_storage_setting
from jobdesc import s3
from jobdesc.storage import STORAGE_UNAVAILABLE_MESSAGE, StorageUnavailable


@pytest.mark.s3
def test_s3_storage_keeps_reads_lists_and_deletes_files(s3_storage):
    name = default_storage.save("pdfs/sheets/7/v1-abc.pdf", ContentFile(b"%PDF-1.7 test"))
    assert name == "pdfs/sheets/7/v1-abc.pdf"
    assert isinstance(default_storage._wrapped, s3.S3Storage)
    assert default_storage.exists(name)
    with default_storage.open(name, "rb") as handle:
        assert handle.read() == b"%PDF-1.7 test"
    assert default_storage.listdir("pdfs/sheets/7") == ([], ["v1-abc.pdf"])
    assert default_storage.listdir("pdfs/sheets") == (["7"], [])
    # As on disk, a second file of the same name gets a name of its own.
    second = default_storage.save(name, ContentFile(b"other"))
    assert second != name and second.startswith("pdfs/sheets/7/v1-abc")
    default_storage.delete(name)
    default_storage.delete(second)
    assert not default_storage.exists(name)


@pytest.mark.s3
def test_s3_storage_missing_file_is_file_not_found(s3_storage):
    with pytest.raises(FileNotFoundError):
        default_storage.open("staged-uploads/1/nothing/manifest.json", "rb")
    assert default_storage.listdir("staged-uploads/1") == ([], [])


def test_s3_storage_unreachable_raises_storage_unavailable_at_once(s3_unreachable):
    started = time.monotonic()
    with pytest.raises(StorageUnavailable) as caught:
        default_storage.save("books/x.pdf", ContentFile(b"%PDF"))
    assert str(caught.value) == STORAGE_UNAVAILABLE_MESSAGE
    assert "EndpointConnectionError" in caught.value.detail
    # Refused connections fail fast; afterwards the store is not asked again for a while.
    with pytest.raises(StorageUnavailable, match=STORAGE_UNAVAILABLE_MESSAGE):
        default_storage.exists("books/x.pdf")
    with pytest.raises(StorageUnavailable):
        default_storage.open("books/x.pdf", "rb")
    assert time.monotonic() - started < s3.UNAVAILABLE_SECONDS


def test_s3_storage_uses_the_short_time_limits(s3_unreachable):
    default_storage._setup()
    config = default_storage._wrapped.client_config
    assert (config.connect_timeout, config.read_timeout) == (2, 10)
    assert config.retries == {"total_max_attempts": 2, "mode": "standard"}
    assert config.s3 == {"addressing_style": "path"}


def test_s3_storage_silent_server_times_out_within_the_limits(settings):
    """A store that accepts connections but never answers: each try ends at read_timeout."""
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(8)  # connections complete in the backlog; nothing is ever read or answered
    setting = s3_storage_setting(
        f"http://127.0.0.1:{silent.getsockname()[1]}", "jobdesc-test", "no-secret", "silent"
    )
    setting["OPTIONS"] |= {"read_timeout": 1, "max_attempts": 2}
    settings.STORAGES = {**settings.STORAGES, "default": setting}
    started = time.monotonic()
    try:
        with pytest.raises(StorageUnavailable) as caught:
            default_storage.exists("pdfs/sheets/1/v1.pdf")
    finally:
        silent.close()
    assert "ReadTimeoutError" in caught.value.detail
    assert 2 <= time.monotonic() - started < 6  # two tries of 1 s, not botocore's default 60 s
