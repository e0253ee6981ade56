"""Staged uploads: kept per user between preview and confirmation, gone after a day."""

from __future__ import annotations

import datetime
import io

import pytest
import time_machine
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.utils import timezone

from positions.tests.factories import UserFactory
from transfer.services import staging
from transfer.services.staging import StagedFile

pytestmark = pytest.mark.django_db

FILES = [("销售经理.docx", b"first file"), ("售楼员.docx", b"second file")]


def stored_files(folder: str = "") -> list[str]:
    """Every file in storage under ``folder``, walked through the storage API."""
    try:
        folders, files = default_storage.listdir(folder)
    except FileNotFoundError:
        return []
    prefix = f"{folder}/" if folder else ""
    found = [f"{prefix}{name}" for name in files]
    for sub in folders:
        found += stored_files(f"{prefix}{sub}")
    return sorted(found)


def clean_command() -> str:
    out = io.StringIO()
    call_command("clean_staged_uploads", stdout=out)
    return out.getvalue().strip()


def test_stage_round_trips_the_files_by_token(user):
    token = staging.stage(user, FILES, kind="word")

    assert staging.staged(user, token, kind="word") == [
        StagedFile("销售经理.docx", b"first file"),
        StagedFile("售楼员.docx", b"second file"),
    ]
    assert stored_files() and all(path.startswith("staged-uploads/") for path in stored_files())


def test_stage_keeps_the_uploaded_name_out_of_storage_names(user):
    staging.stage(user, [("../../etc/passwd", b"x")], kind="positions")

    assert not any("passwd" in path or ".." in path for path in stored_files())


def test_staged_of_another_users_token_gives_nothing(user):
    token = staging.stage(user, FILES, kind="word")
    other = UserFactory(username="lisi")

    assert staging.staged(other, token, kind="word") is None
    staging.discard(other, token)
    assert len(staging.staged(user, token, kind="word")) == 2  # still the owner's


def test_staged_of_another_kind_of_import_gives_nothing(user):
    token = staging.stage(user, FILES[:1], kind="roster")

    assert staging.staged(user, token, kind="positions") is None
    assert staging.staged(user, token, kind="roster") == [StagedFile(*FILES[0])]


@pytest.mark.parametrize(
    "token",
    [
        "",
        "short",
        "a" * 33,
        "中" * 32,
        "{kept}/",
        "x/../{kept}",
        "../{pk}/{kept}",
        "/{kept}",
        "%2e%2e%2f{kept}",
    ],
)
def test_staged_refuses_a_malformed_token(user, token):
    kept = staging.stage(user, FILES, kind="word")
    token = token.format(kept=kept, pk=user.pk)

    assert staging.staged(user, token, kind="word") is None
    staging.discard(user, token)
    assert len(staging.staged(user, kept, kind="word")) == 2


def test_discard_removes_the_upload(user):
    token = staging.stage(user, FILES, kind="word")

    staging.discard(user, token)

    assert staging.staged(user, token, kind="word") is None
    assert stored_files() == []


def test_staged_upload_is_gone_after_a_day(user):
    start = timezone.now()
    with time_machine.travel(start, tick=False) as traveller:
        token = staging.stage(user, FILES, kind="word")
        traveller.shift(datetime.timedelta(hours=23))
        assert staging.staged(user, token, kind="word") is not None
        traveller.shift(datetime.timedelta(hours=2))

        assert staging.staged(user, token, kind="word") is None
    assert stored_files() == []


def test_stage_removes_the_users_expired_uploads(user):
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        old = staging.stage(user, FILES, kind="word")
        traveller.shift(datetime.timedelta(hours=25))

        fresh = staging.stage(user, FILES[:1], kind="word")

    assert staging.staged(user, fresh, kind="word") == [StagedFile(*FILES[0])]
    assert not any(old in path for path in stored_files())


def test_clean_staged_uploads_removes_expired_uploads_and_keeps_fresh_ones(user):
    other = UserFactory(username="lisi")
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        expired = [
            staging.stage(user, FILES, kind="word"),
            staging.stage(other, FILES[:1], kind="positions"),
        ]
        traveller.shift(datetime.timedelta(hours=20))
        fresh = staging.stage(other, FILES[1:], kind="roster")
        traveller.shift(datetime.timedelta(hours=5))

        output = clean_command()

        assert output == "已删除 2 份超过 24 小时的暂存上传文件。"
        assert staging.staged(other, fresh, kind="roster") == [StagedFile(*FILES[1])]
    remaining = stored_files()
    assert remaining and all(fresh in path for path in remaining)
    assert not any(token in path for token in expired for path in remaining)


def test_clean_staged_uploads_removes_leftovers_of_the_former_folders():
    default_storage.save("imports/0123abcd.xlsx", ContentFile(b"xlsx"))
    default_storage.save("word-imports/7/sometoken/0.docx", ContentFile(b"docx"))
    default_storage.save("word-imports/7/sometoken/files.json", ContentFile(b"[]"))
    default_storage.save("pdfs/sheets/1/v1-abc.pdf", ContentFile(b"pdf"))  # not an upload

    with time_machine.travel(timezone.now() + datetime.timedelta(hours=25), tick=False):
        output = clean_command()

    assert output == "已删除 2 份超过 24 小时的暂存上传文件。"
    assert stored_files() == ["pdfs/sheets/1/v1-abc.pdf"]


def test_clean_staged_uploads_with_nothing_staged_says_so():
    assert clean_command() == "已删除 0 份超过 24 小时的暂存上传文件。"


# --- shared object storage (S3) ---------------------------------------------------------------


@pytest.mark.s3
def test_staged_uploads_in_s3_round_trip_and_expire(s3_storage, user):
    token = staging.stage(user, FILES, kind="word")
    other = staging.stage(user, FILES[:1], kind="positions")

    assert staging.staged(user, token, kind="word") == [StagedFile(*f) for f in FILES]
    assert len(stored_files(staging.FOLDER)) == 5  # two manifests, three files
    assert staging.clean_expired(timezone.now()) == 0
    # S3 signs each request with the clock, so the clock is not moved: "now" is a day ahead.
    assert staging.clean_expired(timezone.now() + datetime.timedelta(hours=25)) == 2
    assert stored_files(staging.FOLDER) == []
    assert staging.staged(user, other, kind="positions") is None


def test_staged_with_storage_unreachable_raises_and_discard_does_not(s3_unreachable, user):
    with pytest.raises(staging.StorageUnavailable):
        staging.stage(user, FILES, kind="word")
    with pytest.raises(staging.StorageUnavailable):
        staging.staged(user, "a" * 32, kind="word")
    staging.discard(user, "a" * 32)  # left to expire
