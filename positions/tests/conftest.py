import pytest

from positions.tests.factories import UserFactory


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
