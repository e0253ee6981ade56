"""Order as a user sees it: departments in tree order in every drop-down, positions by 排序."""

import re

import pytest
from django.urls import reverse

from positions.models import Position
from positions.tests.editing_helpers import editor_data
from positions.tests.factories import PositionFactory, published_together
from positions.tests.text import page_text
from printing.services import books

pytestmark = pytest.mark.django_db

# The departments fixture in tree order; by code or by `order` alone it reads otherwise.
TREE_ORDER = ["海峡集团", "福州公司", "销售部", "渠道组", "财务部", "厦门公司"]


def option_labels(response, name: str) -> list[str]:
    """The department names a select's options show (blank choice, path and code left out)."""
    html = response.content.decode()
    select = re.search(rf'<select[^>]*name="{name}"[^>]*>(.*?)</select>', html, flags=re.S)
    assert select, f"no select named {name}"
    labels = re.findall(r'<option value="(\d+)"[^>]*>([^<]*)</option>', select.group(1))
    names = [label.replace("\u3000", "").split(" / ")[-1] for _value, label in labels]
    return [re.sub(r"（[^（]*）$", "", name.strip()) for name in names]


@pytest.fixture
def ordered(departments):
    """Two positions of 销售部 whose 排序 puts the later code first."""
    sales = departments["sales"]
    with published_together():
        deputy = PositionFactory(
            title="销售副经理", code="FZ-XS-001", department=sales, sort_order=2
        )
        manager = PositionFactory(
            title="销售经理", code="FZ-XS-002", department=sales, sort_order=1
        )
    return {"sales": sales, "manager": manager, "deputy": deputy}


def test_department_tree_lists_positions_by_sort_order(hr_client, ordered):
    text = page_text(hr_client.get(reverse("positions:department-tree")))

    assert text.index("销售经理") < text.index("销售副经理")


def test_department_page_lists_positions_by_sort_order(hr_client, ordered):
    url = reverse("positions:department-detail", args=[ordered["sales"].pk])

    text = page_text(hr_client.get(url))

    assert text.index("销售经理") < text.index("销售副经理")


def test_book_prints_positions_by_sort_order(ordered):
    titles = [version.title for version in books.printable_versions()]

    assert titles.index("销售经理") < titles.index("销售副经理")


def test_editor_saves_sort_order_and_the_tree_follows(hr_client, hr_user, ordered):
    deputy = ordered["deputy"]
    data = editor_data(hr_user, deputy)
    data["sort_order"] = "0"

    response = hr_client.post(reverse("positions:position-edit", args=[deputy.pk]), data)

    assert response.status_code == 302
    deputy.refresh_from_db()
    assert deputy.sort_order == 0
    text = page_text(hr_client.get(reverse("positions:department-tree")))
    assert text.index("销售副经理") < text.index("销售经理")


def test_editor_shows_sort_order_field(hr_client, ordered):
    response = hr_client.get(reverse("positions:position-edit", args=[ordered["deputy"].pk]))

    html = response.content.decode()
    assert re.search(r'<label[^>]*for="id_sort_order"[^>]*>\s*排序', html)
    assert re.search(r'<input[^>]*name="sort_order"[^>]*value="2"', html)


def test_seed_lists_general_manager_before_deputy(hr_client, seed):
    fuzhou = Position.objects.get(title="总经理").department
    text = page_text(hr_client.get(reverse("positions:department-detail", args=[fuzhou.pk])))
    titles = [v.title for v in books.printable_versions(department_id=fuzhou.pk)]

    # "总经理" is found inside "副总经理" too: first found here means 总经理 comes first.
    assert text.index("总经理") < text.index("副总经理")
    assert titles[:2] == ["总经理", "副总经理"]


def test_copy_form_lists_departments_in_tree_order(hr_client, ordered):
    url = reverse("positions:position-copy", args=[ordered["manager"].pk])

    assert option_labels(hr_client.get(url), "department") == TREE_ORDER


def test_position_list_filter_lists_departments_in_tree_order(hr_client, ordered):
    response = hr_client.get(reverse("positions:position-list"))

    assert option_labels(response, "department") == TREE_ORDER
