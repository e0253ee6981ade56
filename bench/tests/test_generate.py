"""The synthetic-data generator: a published organisation written through the one writer."""

import io

import pytest
from django.core.management import CommandError, call_command
from reversion.models import Version as Revision

from bench.generate import generate_organisation
from positions.models import (
    Assignment,
    Department,
    Duty,
    Employee,
    Indicator,
    Position,
    Qualification,
    Relationship,
    SearchDocument,
    SearchEntry,
)

pytestmark = pytest.mark.django_db


def generate(*args) -> str:
    out = io.StringIO()
    call_command("generate_positions", *args, stdout=out)
    return out.getvalue()


def test_generate_positions_creates_a_published_organisation_with_valid_reporting_lines():
    from positions.models import Department, Duty, SearchEntry, Version
    from positions.sheet import build_sheet

    output = generate("--count", "60", "--seed", "7")

    assert "已生成" in output and "60 个职位" in output and "600 条工作职责" in output
    positions = list(Position.objects.select_related("reports_to", "current_version"))
    assert len(positions) == 60
    assert Duty.objects.count() == 600
    # Exactly one top position; every other reports to a position of its own company.
    tops = [p for p in positions if p.reports_to is None]
    assert [p.title for p in tops] == ["董事长"]
    for position in positions:
        assert position.reporting_cycle() == []
        assert position.status == Position.Status.PUBLISHED
        assert position.current_version.number == 1
        assert position.current_version.title == position.title
    departments = {d.pk: d for d in Department.objects.all()}
    for position in positions:
        if position.reports_to is not None and position.reports_to.reports_to is not None:
            company = departments[position.department_id]
            while company.kind == Department.Kind.DEPARTMENT:
                company = departments[company.parent_id]
            boss_department = departments[position.reports_to.department_id]
            assert boss_department.pk in (company.pk, position.department_id)
    # The V1 sheet is the sheet of the position as published; readers find it.
    sales = Position.objects.with_sheet().filter(department__name="销售部").first()
    sheet = build_sheet(Version.objects.get(position=sales))
    assert sheet.title == sales.title
    assert sheet.duties.count == 10
    assert sheet.version == 1 and sheet.is_published
    assert SearchEntry.objects.filter(position=sales, source="version").exists()
    assert Employee.objects.count() == Assignment.objects.current().count() > 0


def test_generate_positions_is_deterministic_and_refuses_a_used_prefix():
    generate("--count", "30", "--seed", "3")
    first = list(Position.objects.order_by("code").values_list("code", "title"))
    with pytest.raises(CommandError, match="编号前缀“SIM”已被使用"):
        generate("--count", "30", "--seed", "3")
    generate("--count", "30", "--seed", "3", "--prefix", "ALT")
    second = list(
        Position.objects.filter(code__startswith="ALT")
        .order_by("code")
        .values_list("code", "title")
    )
    assert [t for _c, t in second] == [t for _c, t in first]


def test_generate_positions_rejects_bad_count():
    with pytest.raises(CommandError, match="--count 必须是正整数"):
        generate("--count", "0")


def test_generator_collects_garbage_rarely_and_restores_the_thresholds(db, monkeypatch):
    import gc

    from bench import generate as module

    seen = []
    create_sections = module._create_sections
    monkeypatch.setattr(
        module,
        "_create_sections",
        lambda *args: seen.append(gc.get_threshold()) or create_sections(*args),
    )
    before = gc.get_threshold()

    generate_organisation(3, prefix="SIMG")

    assert seen == [module.GC_THRESHOLDS]
    assert gc.get_threshold() == before


def test_generator_writes_each_position_with_one_revision_and_its_index(db):
    generate_organisation(12, prefix="SIMW")

    generated = Position.objects.filter(department__code__startswith="SIMW")
    assert generated.count() == 12
    for position in generated:
        (only,) = Revision.objects.get_for_object(position)
        assert only.revision.comment == "生成模拟数据"
        assert only.revision.version_set.count() == 1 + sum(
            m.objects.filter(position=position).count()
            for m in (Duty, Relationship, Indicator, Qualification)
        )
        assert SearchEntry.objects.filter(position=position, text=position.title).exists()
    assert not Department.objects.filter(code="SIMW").exclude(kind=Department.Kind.GROUP).exists()


def test_generator_index_is_the_index_a_rebuild_makes(db):
    from search.services import rebuild_index

    generate_organisation(25, prefix="SIMI")
    fields = ("position_id", "source", "section", "rank", "sort_code", "text", "tokens")
    generated = sorted(SearchEntry.objects.values_list(*fields))
    documents = sorted(SearchDocument.objects.values_list("position_id", "source", "keys"))
    assert documents

    rebuild_index()

    assert sorted(SearchEntry.objects.values_list(*fields)) == generated
    assert sorted(SearchDocument.objects.values_list("position_id", "source", "keys")) == documents


def test_generator_links_superiors_across_write_batches(db):
    one = generate_organisation(40, prefix="SIMA", write_batch=1000)
    batched = generate_organisation(40, prefix="SIMB", write_batch=7)

    def lines(prefix: str) -> list[tuple[str, str | None]]:
        rows = Position.objects.filter(code__startswith=prefix).select_related("reports_to")
        return sorted((p.code[4:], p.reports_to.code[4:] if p.reports_to else None) for p in rows)

    assert batched.positions == one.positions == 40
    assert lines("SIMB") == lines("SIMA")
    assert Position.objects.filter(code__startswith="SIMB", reports_to__isnull=True).count() == 1
    for position in Position.objects.filter(code__startswith="SIMB"):
        assert Revision.objects.get_for_object(position).count() == 1


def test_generator_leaves_the_search_indexes_as_they_were_and_search_finds_its_positions(
    client, hr_user
):
    from django.db import connection
    from django.urls import reverse

    if connection.vendor != "postgresql":
        pytest.skip("the search tables' GIN indexes exist on PostgreSQL only")

    def search_indexes():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT indexname, indexdef FROM pg_indexes WHERE tablename IN "
                "('positions_searchentry', 'positions_searchdocument') ORDER BY indexname"
            )
            return cursor.fetchall()

    before = search_indexes()

    generate("--count", "30", "--seed", "3")

    assert search_indexes() == before
    assert any("USING gin" in definition for _name, definition in before)
    client.force_login(hr_user)
    text = client.get(reverse("positions:search"), {"q": "销售"}).content.decode()
    assert "SIM-" in text
