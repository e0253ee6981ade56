"""rebuild_search_index: the whole index, or only when it is empty."""

import io

import pytest
from django.core.management import call_command

from positions.models import SearchEntry

pytestmark = pytest.mark.django_db


def test_rebuild_search_index_if_empty_and_full(seed):
    rows = SearchEntry.objects.count()
    out = io.StringIO()
    call_command("rebuild_search_index", "--if-empty", stdout=out)
    assert "无需重建" in out.getvalue()
    SearchEntry.objects.all().delete()
    call_command("rebuild_search_index", "--if-empty", stdout=out)
    assert SearchEntry.objects.count() == rows
    assert f"搜索索引已重建：{rows} 条。" in out.getvalue()
