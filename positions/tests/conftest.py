import pytest

from positions.models import Department
from positions.tests.factories import DepartmentFactory, UserFactory


@pytest.fixture
def user(db):
    return UserFactory(username="zhangsan")


@pytest.fixture
def staff_user(db):
    return UserFactory(username="hr", is_staff=True, is_superuser=True)


@pytest.fixture
def user_client(client, user):
    client.force_login(user)
    return client


@pytest.fixture
def departments(db):
    """海峡集团 → 福州公司 (销售部 → 渠道组, 财务部) and 厦门公司, ordered by `order`.

    厦门公司 is created before 福州公司 so that tree order visibly follows `order`, not pk.
    """
    group = DepartmentFactory(name="海峡集团", code="HX", kind=Department.Kind.GROUP)
    xiamen = DepartmentFactory(
        name="厦门公司", code="XM", kind=Department.Kind.COMPANY, parent=group, order=2
    )
    fuzhou = DepartmentFactory(
        name="福州公司", code="FZ", kind=Department.Kind.COMPANY, parent=group, order=1
    )
    finance = DepartmentFactory(name="财务部", code="FZ-CW", parent=fuzhou, order=2)
    sales = DepartmentFactory(name="销售部", code="FZ-XS", parent=fuzhou, order=1)
    channel = DepartmentFactory(name="渠道组", code="FZ-XS-QD", parent=sales)
    return {
        "group": group,
        "fuzhou": fuzhou,
        "xiamen": xiamen,
        "sales": sales,
        "finance": finance,
        "channel": channel,
    }
