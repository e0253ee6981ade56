"""Search: what each reader finds in the seed, with the section named and the match marked."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from positions import permissions
from positions.models import Department, Position, SearchDocument, SearchEntry
from positions.services import editing, versions
from positions.sheet import build_sheet
from positions.tests.editing_helpers import add_duty, build, editor_data
from positions.tests.factories import DepartmentFactory, EmployeeFactory, UserFactory
from positions.text import bigrams, initials, normalise
from search import services as search
from search.services import reindex_department, reindex_position

pytestmark = pytest.mark.django_db


@pytest.fixture
def employee(db):
    user = UserFactory(username="lin", first_name="林员工")
    user.groups.add(permissions.role_group(permissions.EMPLOYEE))
    EmployeeFactory(user=user, name="林员工", position=Position.objects.get(code="FZ-XS-101"))
    return user


def found(page) -> dict[str, list[tuple[str, str]]]:
    """{title: [(section label, snippet html)]} of a results page."""
    return {r.title: [(h.label, str(h.snippet)) for h in r.hits] for r in page.results}


def save(user, position, data):
    editor = build(user, position, data)
    assert editor.is_valid(), editor.form.errors
    return editing.save_position(
        user=user,
        position=position,
        content=editor.content(),
        expected_lock_version=editor.form.cleaned_data["lock_version"],
    )


# --- text helpers ----------------------------------------------------------------------------


def test_normalise_folds_case_and_full_width_keeping_length():
    assert normalise("ＦＺ－xs　Ａ") == "fz-xs a"
    assert len(normalise("İstanbul")) == len("İstanbul")


def test_bigrams_skip_whitespace():
    assert bigrams("销售 经理") == {"销售", "经理"}


def test_initials_include_common_alternative_readings():
    spellings, offsets = initials("销售经理")
    assert spellings == ["xsjl"]
    assert offsets == [0, 1, 2, 3]
    spellings, _ = initials("行政专员")  # 行: xíng / háng
    assert spellings[0] == "xzzy"
    assert "hzzy" in spellings
    assert initials("FZ-销售部")[0][0] == "fzxsb"


# --- the seed --------------------------------------------------------------------------------


def test_search_title_and_summary_with_sections_named(seed, hr_user):
    page = search.search(hr_user, "售楼")
    hits = found(page)
    assert hits["售楼员"][0] == ("职位名称", "<mark>售楼</mark>员")
    assert (
        "职位概要",
        "负责公司自营项目的<mark>售楼</mark>处管理，配合营销策划完成销售工作，达成全年预定的销售目标",
    ) in hits["销售经理"]
    # A title match ranks before a match in the sheet's text.
    assert [r.title for r in page.results].index("售楼员") < [r.title for r in page.results].index(
        "销售经理"
    )


def test_search_code_finds_its_position(seed, user):
    page = search.search(user, "fz-xs-001")
    assert [r.title for r in page.results] == ["销售经理"]
    assert page.results[0].hits[0].label == "职位编号"
    assert str(page.results[0].hits[0].snippet) == "<mark>FZ-XS-001</mark>"


def test_search_qualification_term_names_the_section(seed, user):
    page = search.search(user, "地产法规")
    assert [r.title for r in page.results] == ["销售经理"]
    assert found(page)["销售经理"] == [("任职资格", "专业知识：<mark>地产法规</mark>及政策")]


def test_search_pinyin_initials_find_title(seed, user):
    page = search.search(user, "xsjl")
    assert "销售经理" in [r.title for r in page.results]
    assert ("职位名称", "<mark>销售经理</mark>") in found(page)["销售经理"]


def test_search_pinyin_initials_find_department(seed, user):
    page = search.search(user, "XSB")  # 销售部, upper case typed
    titles = [r.title for r in page.results]
    assert {"销售经理", "售楼员", "收款文员"} <= set(titles)
    assert found(page)["售楼员"][0] == ("所在部门", "<mark>销售部</mark>")


def test_search_several_terms_must_all_match(seed, user):
    page = search.search(user, "售楼 目标")
    assert [r.title for r in page.results] == ["销售经理"]


def test_search_escapes_text_and_treats_wildcards_literally(seed, hr_user):
    position = Position.objects.get(code="FZ-XS-101")
    Position.objects.filter(pk=position.pk).update(purpose="完成率<b>100%</b>_以上")
    search.reindex_position(position)
    page = search.search(hr_user, "%")
    assert [r.title for r in page.results] == ["售楼员"]
    assert found(page)["售楼员"] == [
        ("设岗目的", "完成率&lt;b&gt;100<mark>%</mark>&lt;/b&gt;_以上")
    ]
    assert [r.title for r in search.search(hr_user, "_").results] == ["售楼员"]
    assert search.search(hr_user, "%%").results == ()


def test_search_bad_input(seed, user):
    assert search.search(user, "   ").results == ()
    assert search.search(user, "   ").error == ""
    long = search.search(user, "销" * 200)
    assert long.results == ()
    assert long.error == "搜索词不能超过 50 个字，请缩短后再试。"


# --- versions: readers never find a draft's text -----------------------------------------------


def test_employee_never_finds_a_drafts_text(seed, hr_user, employee):
    clerk = Position.objects.get(code="FZ-XS-101")
    data = editor_data(hr_user, clerk)
    data["title"] = "售楼专员甲乙"
    add_duty(data, title="维护蓝鲸客户档案", tasks="整理蓝鲸小区的业主资料")
    save(hr_user, clerk, data)  # the published sheet's working copy becomes the next draft

    hr_hit = found(search.search(hr_user, "蓝鲸"))["售楼专员甲乙"][0]
    assert hr_hit[0] == "工作职责"
    assert "<mark>蓝鲸</mark>客户档案" in hr_hit[1]
    assert search.search(employee, "蓝鲸").results == ()
    assert search.search(employee, "甲乙").results == ()
    # The employee still finds the version in force, under its published title.
    page = search.search(employee, "售楼员")
    assert [r.title for r in page.results] == ["售楼员"]
    assert page.results[0].status_label == "已生效 V1"
    assert "售楼员" not in [r.title for r in search.search(hr_user, "售楼员").results]


def test_manager_reads_drafts_of_own_department_only(seed, hr_user):
    manager = UserFactory(username="chen")
    manager.groups.add(permissions.role_group(permissions.MANAGER))
    EmployeeFactory(user=manager, position=Position.objects.get(code="FZ-XS-001"))
    clerk = Position.objects.get(code="FZ-XS-101")
    planner = Position.objects.get(code="MK105")
    for position, word in ((clerk, "鹦鹉螺"), (planner, "翡翠湾")):
        data = editor_data(hr_user, position)
        data["summary"] = word
        save(hr_user, position, data)
    assert [r.title for r in search.search(manager, "鹦鹉螺").results] == ["售楼员"]
    assert search.search(manager, "翡翠湾").results == ()


def test_publishing_makes_the_new_text_findable_by_everyone(seed, hr_user, employee):
    clerk = Position.objects.get(code="FZ-XS-101")
    data = editor_data(hr_user, clerk)
    data["summary"] = "负责珊瑚海项目"
    save(hr_user, clerk, data)
    assert search.search(employee, "珊瑚海").results == ()
    versions.publish_version(Position.objects.get(pk=clerk.pk))
    assert [r.title for r in search.search(employee, "珊瑚海").results] == ["售楼员"]


def test_without_the_seed_fixture_no_seed_is_there(db):
    """The seed is shared by the tests that ask for it, and only by them."""
    assert not Position.objects.exists()
    assert not SearchEntry.objects.exists()


def test_archived_positions_are_not_found(seed, hr_user):
    planner = Position.objects.get(code="MK106")
    editing.archive_position(user=hr_user, position=planner)
    assert "营销策划助理" not in [r.title for r in search.search(hr_user, "营销策划").results]


def test_copy_is_indexed_as_a_draft(seed, hr_user, employee):
    clerk = Position.objects.get(code="FZ-XS-101")
    editing.copy_position(user=hr_user, source=clerk, code="FZ-XS-909", title="驻场售楼员")
    assert [r.title for r in search.search(hr_user, "fz-xs-909").results] == ["驻场售楼员"]
    assert search.search(employee, "驻场").results == ()


def index_rows() -> list[tuple]:
    return sorted(
        SearchEntry.objects.values_list("position_id", "source", "section", "text", "tokens")
    )


def document_rows() -> list[tuple]:
    return sorted(SearchDocument.objects.values_list("position_id", "source", "sort_code", "keys"))


def test_rebuild_index_matches_reindexing_each_position(seed, hr_user):
    # The reference: each position indexed on its own (the path every save takes).
    SearchEntry.objects.all().delete()
    SearchDocument.objects.all().delete()
    for pk in Position.objects.values_list("pk", flat=True):
        reindex_position(pk)
    one_by_one = index_rows()
    documents = document_rows()
    # One ranking row per position and source indexed.
    assert len(documents) == len({(pk, source) for pk, source, *_ in one_by_one})
    # Both sources (working copy and version in force) and the sheet's sections are there.
    assert {(source, section) for _, source, section, _, _ in one_by_one} >= {
        (SearchEntry.Source.WORKING, SearchEntry.Section.TITLE),
        (SearchEntry.Source.VERSION, SearchEntry.Section.DUTIES),
    }
    # A stale index: rows of a position gone missing, and a row no position has any more.
    clerk = Position.objects.get(code="FZ-XS-101")
    SearchEntry.objects.filter(position=clerk).delete()
    SearchDocument.objects.filter(position=clerk).delete()
    SearchEntry.objects.filter(section=SearchEntry.Section.SUMMARY).update(text="过时的概要")
    SearchDocument.objects.update(keys="")
    assert search.search(hr_user, "售楼员").results == ()

    assert search.rebuild_index(batch_size=7) == len(one_by_one)  # several batches

    assert index_rows() == one_by_one
    assert document_rows() == documents
    assert "售楼员" in [r.title for r in search.search(hr_user, "售楼员").results]


def test_published_entries_are_store_entries_of_the_versions_rows_in_its_order(seed):
    """The generator's V1 rows (``store_published_entries``; on PostgreSQL the working
    copies' rows copied) are what ``store_entries`` of every position's ``version_entries``
    inserts: the same rows in the same order (ids), the ranking rows too — also when a
    position lacks the last section (its ranking row comes later)."""
    ids = list(
        Position.objects.exclude(status=Position.Status.ARCHIVED)
        .order_by("-code")
        .values_list("pk", flat=True)[:6]
    )
    Position.objects.get(pk=ids[1]).indicators.all().delete()
    search.reindex_positions(ids)  # the working copies' rows, as the writer stores them

    def versions_stored() -> tuple[list[tuple], list[tuple]]:
        version = {"source": SearchEntry.Source.VERSION, "position_id__in": ids}
        fields = ["position_id", "section", "rank", "sort_code", "text", "normalised"]
        entries = SearchEntry.objects.filter(**version).order_by("pk")
        documents = SearchDocument.objects.filter(**version).order_by("pk")
        found = (
            list(entries.values_list(*fields, "initials", "tokens")),
            list(documents.values_list("position_id", "sort_code", "keys")),
        )
        entries.delete()
        documents.delete()
        return found

    versions_stored()  # none yet, as after the writer
    by_pk = Position.objects.with_sheet().in_bulk(ids)
    published = [(pk, build_sheet(by_pk[pk])) for pk in ids]

    search.store_published_entries(published)
    copied = versions_stored()
    search.store_entries(
        [row for pk, sheet in published for row in search.version_entries(pk, sheet)]
    )
    built = versions_stored()

    assert copied == built
    assert [pk for pk, *_ in copied[1]] != ids  # by the worst section first, then position
    assert {pk for pk, *_ in copied[0]} == set(ids)


# --- query counts ----------------------------------------------------------------------------


def many_positions(count: int) -> None:
    department = DepartmentFactory(name="客服中心", code="KF")
    for i in range(count):
        position = Position.objects.create(
            title=f"客服专员{i:03d}",
            code=f"KF-{i:03d}",
            department=department,
            summary="处理客户咨询与投诉",
            status=Position.Status.PUBLISHED,
        )
        versions.publish_version(position)


@pytest.mark.parametrize("who", ["hr", "reader"])
def test_search_query_count_does_not_grow_with_results(db, hr_user, user, who):
    reader = hr_user if who == "hr" else user

    def queries(per_page: int) -> int:
        permissions.forget_access(reader)
        with CaptureQueriesContext(connection) as captured:
            page = search.search(reader, "客服", per_page=per_page)
        assert len(page.results) == per_page
        return len(captured)

    many_positions(50)
    assert queries(5) == queries(50)


def test_reindex_department_after_rename(seed, hr_user):
    sales = Department.objects.get(code="FZ-XS")
    Department.objects.filter(pk=sales.pk).update(name="营销一部")
    assert search.search(hr_user, "营销一部").results == ()
    reindex_department(sales.pk)
    titles = [r.title for r in search.search(hr_user, "营销一部").results]
    assert {"销售经理", "售楼员"} <= set(titles)


# --- ranking two-character queries from the ranking rows -------------------------------------


def ranking_keys(position: Position, source: str) -> set[str]:
    return set(SearchDocument.objects.get(position=position, source=source).keys.split())


def test_ranking_rows_hold_each_tokens_best_section_and_follow_saves(seed, hr_user, employee):
    clerk = Position.objects.get(code="FZ-XS-101")  # 售楼员 in 销售部
    keys = ranking_keys(clerk, SearchEntry.Source.WORKING)
    assert {"0售楼", "0楼员", "2销售"} <= keys  # title 售楼员, department 销售部
    assert not {"1售楼", "5售楼"} & keys  # one key a token: its best section only
    data = editor_data(hr_user, clerk)
    data["summary"] = "鹦鹉螺"
    save(hr_user, clerk, data)
    assert "4鹦鹉" in ranking_keys(clerk, SearchEntry.Source.WORKING)  # 职位概要
    assert "4鹦鹉" not in ranking_keys(clerk, SearchEntry.Source.VERSION)
    assert [r.title for r in search.search(hr_user, "鹦鹉").results] == ["售楼员"]
    assert search.search(employee, "鹦鹉").results == ()


def test_ranked_by_documents_only_for_two_character_terms(seed, hr_user):
    ranked = {
        q: search._ranked_by_documents(hr_user, search.parse_query(q)) is not None
        for q in ("销售", "xs", "销售 经理", "销售经理", "销售 经", "售")
    }
    postgresql = connection.vendor == "postgresql"
    assert ranked == {
        "销售": postgresql,
        "xs": postgresql,
        "销售 经理": postgresql,
        "销售经理": False,
        "销售 经": False,
        "售": False,
    }


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the ranking rows' GIN index")
def test_ranking_from_documents_is_the_ranking_from_sections(seed, hr_user, employee):
    """Every page of a query of two-character terms — positions, order, matching sections,
    what each result shows, totals — as ranking the matching sections' rows gives it, for HR
    (working copies), an employee (versions) and a manager (drafts of their own department
    only)."""
    manager = UserFactory(username="chen")
    manager.groups.add(permissions.role_group(permissions.MANAGER))
    EmployeeFactory(user=manager, position=Position.objects.get(code="FZ-XS-001"))
    clerk = Position.objects.get(code="FZ-XS-101")
    data = editor_data(hr_user, clerk)
    data["summary"] = "负责销售与客户接待"  # a draft the manager reads, the employee does not
    save(hr_user, clerk, data)
    best_ranks = set()
    for reader in (hr_user, employee, manager):
        words = ("销售", "经理", "客户", "负责", "管理", "项目", "营销", "xs", "jl", "fz")
        for word in (*words, "销售 经理", "xs 客户", "负责 管理 项目"):
            terms = search.parse_query(word)
            entries = search.matching_entries(reader, terms)
            ranked = search._ranked_by_documents(reader, terms)
            total = search._page_of(entries, 0, 1)[3]
            assert total > 0, word
            for offset in range(0, total + 6, 5):  # every page of 5, and one past the end
                expected = search._page_of(entries, offset, 5)
                assert search._page_of(entries, offset, 5, ranked=ranked) == expected
                best_ranks |= {rows[0].section for rows in expected[1].values()}
    assert len(best_ranks) >= 3  # the order mixes positions found in several sections
