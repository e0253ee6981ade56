"""While an import confirmation writes on SQLite, another person's save gets a clear 503."""

from __future__ import annotations

import datetime
import threading

import pytest
from django.db import connection, connections, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from positions.models import ImportJob, Position
from positions.permissions import HR_EDITOR, role_group
from positions.tests.factories import PositionFactory, UserFactory, create_role_groups
from positions.tests.text import page_text

sqlite_only = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="the write lock is SQLite's; PostgreSQL has row locks"
)


class ConfirmInAnotherThread:
    """What the worker's confirmation does, in a thread of its own with its own connection:
    the job row goes 导入中 (committed), then one transaction writes and holds SQLite's write
    lock until ``release``."""

    def __init__(self, job: ImportJob, position: Position) -> None:
        self.job, self.position = job, position
        self.writing = threading.Event()
        self.release = threading.Event()
        self.thread = threading.Thread(target=self.run)

    def run(self) -> None:
        try:
            ImportJob.objects.filter(pk=self.job.pk).update(
                status=ImportJob.Status.CONFIRMING, started_at=timezone.now()
            )
            with transaction.atomic():
                Position.objects.filter(pk=self.position.pk).update(title="导入中的标题")
                self.writing.set()
                self.release.wait(timeout=30)
            ImportJob.objects.filter(pk=self.job.pk).update(status=ImportJob.Status.DONE)
        finally:
            self.writing.set()
            connections.close_all()

    def __enter__(self) -> ConfirmInAnotherThread:
        self.thread.start()
        assert self.writing.wait(timeout=30)
        return self

    def __exit__(self, *exc) -> None:
        self.release.set()
        self.thread.join(timeout=30)


@pytest.fixture
def editor(transactional_db):
    create_role_groups()
    user = UserFactory(username="editor", first_name="李编辑")
    user.groups.add(role_group(HR_EDITOR))
    client = Client()
    client.force_login(user)
    return client


@sqlite_only
@pytest.mark.django_db(transaction=True)
def test_save_during_a_confirm_is_refused_with_503_and_nothing_changes(editor):
    importer = UserFactory(username="importer")
    job = ImportJob.objects.create(kind=ImportJob.Kind.WORD, token="t" * 32, requested_by=importer)
    imported, edited = PositionFactory(title="导入的职位"), PositionFactory(title="售楼员")
    url = reverse("positions:position-edit", args=[edited.pk])

    with ConfirmInAnotherThread(job, imported):
        response = editor.post(url, {"title": "改名"})

    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    text = page_text(response)
    assert "正在导入，请稍后再保存" in text
    assert "您填写的内容未保存" in text
    edited.refresh_from_db()
    assert edited.title == "售楼员"
    after = editor.post(url, {"title": "改名"})
    assert after.status_code != 503


@sqlite_only
@pytest.mark.django_db(transaction=True)
def test_a_confirm_whose_worker_died_long_ago_blocks_nobody(editor, settings):
    settings.IMPORT_JOB_TIMEOUT_SECONDS = 60
    importer = UserFactory(username="importer")
    ImportJob.objects.create(
        kind=ImportJob.Kind.WORD,
        token="t" * 32,
        requested_by=importer,
        status=ImportJob.Status.CONFIRMING,
        started_at=timezone.now() - datetime.timedelta(minutes=5),
    )
    edited = PositionFactory(title="售楼员")

    response = editor.post(reverse("positions:position-edit", args=[edited.pk]), {"title": ""})

    assert response.status_code != 503


@pytest.mark.skipif(connection.vendor == "sqlite", reason="PostgreSQL: other writers go on")
@pytest.mark.django_db(transaction=True)
def test_on_postgresql_a_confirm_does_not_stop_other_saves(editor):
    importer = UserFactory(username="importer")
    ImportJob.objects.create(
        kind=ImportJob.Kind.WORD,
        token="t" * 32,
        requested_by=importer,
        status=ImportJob.Status.CONFIRMING,
        started_at=timezone.now(),
    )
    edited = PositionFactory(title="售楼员")

    response = editor.post(reverse("positions:position-edit", args=[edited.pk]), {"title": ""})

    assert response.status_code != 503
