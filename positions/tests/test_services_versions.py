"""Publishing, reading and comparing versions (versions)."""

from __future__ import annotations

import dataclasses

import pytest
from django.http import Http404

from positions.models import Duty, Position, Version
from positions.services import versions
from positions.sheet import Sheet, build_sheet
from positions.tests.factories import FullPositionFactory, PositionFactory, UserFactory


def sheet_of(position: Position) -> Sheet:
    return build_sheet(Position.objects.with_sheet().get(pk=position.pk))


@pytest.mark.django_db
def test_publish_version_freezes_the_whole_sheet():
    position = FullPositionFactory(duties=3)
    v1 = position.current_version
    assert (v1.number, v1.title, v1.code, v1.department) == (
        1,
        position.title,
        position.code,
        position.department,
    )
    frozen = build_sheet(v1)
    working = sheet_of(position)
    assert frozen.is_snapshot and not working.is_snapshot
    assert dataclasses.replace(frozen, is_snapshot=False) == working
    assert frozen.version_label == "V1" and frozen.duties.count == 3


@pytest.mark.django_db
def test_sheet_from_dict_ignores_unknown_keys_and_defaults_missing_ones():
    data = sheet_of(FullPositionFactory()).as_dict()
    data["some_future_field"] = "x"
    del data["version"]  # a snapshot stored before the field existed
    sheet = Sheet.from_dict(data)
    assert sheet.version == 0 and sheet.title == "销售经理"
    assert sheet.duties.groups[0].duties[0].tasks == tuple(
        data["duties"]["groups"][0]["duties"][0]["tasks"]
    )


@pytest.mark.django_db
def test_version_is_unchanged_by_later_edits_of_the_position_and_its_superior():
    position = FullPositionFactory()
    superior = position.reports_to
    Position.objects.filter(pk=superior.pk).update(title="常务副总经理")
    Position.objects.filter(pk=position.pk).update(title="销售总监")
    Duty.objects.filter(position=position).delete()

    v1 = Version.objects.get(position=position, number=1)
    sheet = build_sheet(v1)
    assert sheet.title == "销售经理" and sheet.superior == "副总经理"
    assert sheet.duties.count == 4


@pytest.mark.django_db
def test_publishing_again_numbers_the_next_version():
    position = PositionFactory()
    v2 = versions.publish_version(position)
    assert v2.number == 2
    assert Position.objects.get(pk=position.pk).current_version == v2
    assert build_sheet(v2).version == 2


@pytest.mark.django_db
def test_ensure_versions_gives_published_positions_a_historical_v1_once():
    published = PositionFactory(publish=False, prepared_at="2006-08-16")
    draft = PositionFactory(status=Position.Status.DRAFT)
    assert versions.ensure_versions() == 1
    assert versions.ensure_versions() == 0
    v1 = Position.objects.get(pk=published.pk).current_version
    assert v1.is_historical and v1.effective_date.isoformat() == "2006-08-16"
    assert Position.objects.get(pk=draft.pk).current_version is None


@pytest.mark.django_db
def test_read_sheet_gives_readers_the_version_and_editors_the_working_copy(hr_user):
    position = FullPositionFactory()
    Position.objects.filter(pk=position.pk).update(title="销售总监", status=Position.Status.DRAFT)
    loaded = Position.objects.with_sheet().get(pk=position.pk)
    reader = UserFactory()

    read = versions.read_sheet(reader, loaded)
    assert read.version.number == 1 and read.sheet.title == "销售经理"
    assert [v.number for v in read.versions] == [1]

    working = versions.read_sheet(hr_user, loaded)
    assert working.is_working_copy and working.sheet.title == "销售总监"
    assert working.sheet.version == 2 and not working.sheet.is_published

    asked = versions.read_sheet(hr_user, loaded, number=1)
    assert asked.sheet.title == "销售经理"
    with pytest.raises(Http404):
        versions.read_sheet(reader, loaded, number=5)


@pytest.mark.django_db
def test_compare_versions_diffs_the_two_versions_in_order():
    position = FullPositionFactory()
    Position.objects.filter(pk=position.pk).update(summary="新的职位概要。")
    versions.publish_version(position)
    comparison = versions.compare_versions(position, 1, 2)
    sections = {section.key: section for section in comparison.sections}
    assert [(item.status, item.old, item.new) for item in sections["summary"].items] == [
        ("removed", "负责制定并执行销售计划，管理销售团队，完成公司下达的销售任务。", ""),
        ("added", "", "新的职位概要。"),
    ]
    assert not sections["header"].change_count
    assert comparison.change_count == 2
    with pytest.raises(Http404):
        versions.compare_versions(position, 1, 3)
