import pytest
from django.contrib.auth.models import Group

from positions.models import Department
from positions.permissions import HR_EDITOR
from positions.tests.factories import DepartmentFactory, UserFactory


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Tests create many users; the production hasher's slowness is its point, not theirs."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def user(db):
    return UserFactory(username="zhangsan")


@pytest.fixture
def staff_user(db):
    return UserFactory(username="hr", is_staff=True, is_superuser=True)


@pytest.fixture
def user_client(client, user):
    """A logged-in user with no role: reads published positions only."""
    client.force_login(user)
    return client


@pytest.fixture
def hr_user(db):
    """An unscoped HR editor: sees and edits everything, drafts and archived included."""
    user = UserFactory(username="hr-editor", first_name="王人事")
    user.groups.add(Group.objects.get(name=HR_EDITOR))
    return user


@pytest.fixture
def hr_client(client, hr_user):
    client.force_login(hr_user)
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


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path_factory):
    """Stored files (books, PDFs, uploads) go to a throw-away folder, never the project's."""
    settings.MEDIA_ROOT = tmp_path_factory.mktemp("media")
    return settings.MEDIA_ROOT
