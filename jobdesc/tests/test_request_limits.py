"""How many fields one form may submit (DATA_UPLOAD_MAX_NUMBER_FIELDS): the editor saves large
positions, and above the limit a Chinese 400 page names it and nothing is saved."""

import pytest
from django.urls import reverse

from positions.tests.editing_helpers import add_duty, duty_count, editor_data
from positions.tests.factories import FullPositionFactory
from positions.tests.text import page_text

pytestmark = pytest.mark.django_db

TOO_MANY = "提交的字段过多（超过 {limit} 个），未保存任何内容。请分次保存或减少职责条数。"


def edit_url(position) -> str:
    return reverse("positions:position-edit", args=[position.pk])


def field_count(data: dict) -> int:
    return sum(len(value) if isinstance(value, list) else 1 for value in data.values())


def test_editor_saves_a_position_with_120_duties(hr_client, hr_user):
    position = FullPositionFactory(duties=119)
    data = editor_data(hr_user, position)
    add_duty(data, title="第一百二十条职责", tasks="整理年度销售档案；")
    assert duty_count(data) == 120
    assert field_count(data) > 1000  # Django's default limit refused this save

    response = hr_client.post(edit_url(position), data)

    assert response.status_code == 302
    assert position.duties.count() == 120
    assert position.duties.filter(title="第一百二十条职责").exists()


def test_editor_above_the_field_limit_names_it_and_saves_nothing(hr_client, hr_user, settings):
    settings.DEBUG = False
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 200
    position = FullPositionFactory(duties=30)
    before = (position.lock_version, list(position.duties.values_list("title", flat=True)))
    data = editor_data(hr_user, position)
    data["title"] = "改过的标题"
    add_duty(data, title="新加的职责", tasks="新任务；")
    assert field_count(data) > 200

    response = hr_client.post(edit_url(position), data)

    assert response.status_code == 400
    page = page_text(response)
    assert "请求有误 " + TOO_MANY.format(limit=200) in page
    assert "王人事" in page and "退出登录" in page  # the navigation: the person may go on
    position.refresh_from_db()
    assert position.title == "销售经理"
    assert (position.lock_version, list(position.duties.values_list("title", flat=True))) == before
