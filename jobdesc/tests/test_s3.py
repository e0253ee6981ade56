"""The S3 storage backend (jobdesc/s3.py) against a real SeaweedFS, and against a closed port."""

from __future__ import annotations

import socket
import threading
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


@pytest.mark.s3
def test_s3_storage_reads_a_file_with_one_request(s3_storage):
    name = default_storage.save("books/1/部门汇编.pdf", ContentFile(b"%PDF-1.7 " + b"x" * 200_000))
    default_storage._setup()
    client = default_storage._wrapped.connection.meta.client
    calls: list[str] = []
    client.meta.events.register("before-call.s3", lambda model, **_: calls.append(model.name))
    with default_storage.open(name, "rb") as handle:
        assert handle.size == 200_009
        assert handle.read(9) == b"%PDF-1.7 "
        assert handle.read() == b"x" * 200_000
    assert calls == ["GetObject"]  # django-storages' S3File: HeadObject, HeadObject, GetObject


@pytest.mark.s3
def test_s3_storage_opens_a_text_file_as_text(s3_storage):
    name = default_storage.save(
        "staged-uploads/1/a/manifest.json", ContentFile('{"文件": 1}'.encode())
    )
    with default_storage.open(name, "r") as handle:
        assert handle.read() == '{"文件": 1}'


@pytest.mark.s3
def test_s3_storage_threads_have_connections_of_their_own_from_one_session(s3_storage):
    default_storage._setup()
    storage = default_storage._wrapped
    connections = []
    threads = [
        threading.Thread(target=lambda: connections.append(storage.connection)) for _ in range(6)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len({id(connection) for connection in connections}) == 6
    # One botocore session: the S3 model is loaded once per process, not once per thread.
    assert len({id(connection.meta.client._loader) for connection in connections}) == 1
    name = storage.save("pdfs/sheets/8/v1.pdf", ContentFile(b"%PDF-1.7 threads"))
    with storage.open(name, "rb") as handle:
        assert handle.read() == b"%PDF-1.7 threads"


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
