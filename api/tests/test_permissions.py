"""Every API route × every role: what each caller gets, as the pages decide it.

The organisation and the people are the site matrix's (``positions/tests/test_permissions.py``
``world``): 销售部 and 营销策划部, a published 售楼员, drafts in both, an archived sheet; an
employee, a 部门经理 of 销售部 and one of 营销策划部, an HR editor scoped to 福州项目公司 and an
unscoped one, an 审计员. API routes are called with a real bearer token; the docs page and the
API 令牌 pages (for people) with a signed-in session. Each call is rolled back, so one role's
write (a submit) never changes what the next role meets.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse

from api.services import own_tokens
from api.tests.helpers import ApiClient, token_for
from positions.models import Position
from positions.tests.test_permissions import (  # noqa: F401
    World,
    project_url_names,
    stored_world,
    world,
)

ROLES = ("anonymous", "employee", "manager_own", "manager_other", "hr_scoped", "hr_unscoped")
ROLES = (*ROLES, "auditor")
LOGIN = "login"


def statuses(*values: int | str) -> dict[str, int | str]:
    return dict(zip(ROLES, values, strict=True))


def signed_in(status: int = 200) -> dict[str, int | str]:
    return {"anonymous": 401} | {role: status for role in ROLES[1:]}


@dataclass(frozen=True)
class Case:
    name: str
    kwargs: Callable[[World], dict]
    expected: dict[str, int | str]
    method: str = "get"
    body: dict = field(default_factory=dict)
    headers: dict = field(default_factory=dict)
    label: str = ""
    session: bool = False  # a page for people: a signed-in session instead of a token


def none(w: World) -> dict:
    return {}


def pk(getter: Callable[[World], Position]) -> Callable[[World], dict]:
    return lambda w: {"pk": getter(w).pk}


def published(w: World) -> Position:
    return w.published


def sales_draft(w: World) -> Position:
    return w.sales_draft


def marketing_draft(w: World) -> Position:
    return w.marketing_draft


def marketing_published(w: World) -> Position:
    return Position.objects.get(code="MK105")


def own_token(w: World) -> dict:
    """A token of the employee's (林员工)."""
    token_for(w.users["employee"])
    return {"pk": own_tokens(w.users["employee"]).first().pk}


READ_SHEET = (
    (published, signed_in(), "published"),
    (sales_draft, statuses(401, 404, 200, 404, 200, 200, 404), "销售部 draft"),
    (marketing_draft, statuses(401, 404, 404, 200, 404, 200, 404), "营销策划部 draft"),
    (lambda w: w.archived, statuses(401, 404, 200, 404, 200, 200, 404), "archived"),
)

CASES: tuple[Case, ...] = (
    Case("api:department-list", none, signed_in()),
    Case("api:org-tree", none, signed_in()),
    Case("api:position-list", none, signed_in()),
    Case(
        "api:position-list",
        none,
        statuses(401, 403, 403, 403, 400, 400, 403),
        method="post",
        label="POST without a title",
    ),
    Case(
        "api:position-list",
        lambda w: {},
        statuses(401, 403, 403, 403, 403, 201, 403),
        method="post",
        body={"title": "品牌经理", "department": 0},
        label="POST into 营销策划部 (outside hr_scoped)",
    ),
    *(
        Case("api:position-detail", pk(getter), expected, label=label)
        for getter, expected, label in READ_SHEET
    ),
    Case(
        "api:position-detail",
        pk(published),
        statuses(401, 403, 403, 403, 428, 428, 403),
        method="patch",
        body={"title": "售楼员"},
        label="销售部 published, PATCH without If-Match",
    ),
    Case(
        "api:position-detail",
        pk(published),
        statuses(401, 403, 403, 403, 412, 412, 403),
        method="patch",
        body={"title": "售楼员"},
        headers={"HTTP_IF_MATCH": '"999"'},
        label="销售部 published, PATCH with a stale If-Match",
    ),
    Case(
        "api:position-detail",
        pk(marketing_published),
        statuses(401, 403, 403, 403, 403, 428, 403),
        method="patch",
        body={"title": "营销策划专员"},
        label="营销策划部 published, PATCH without If-Match",
    ),
    Case(
        "api:position-detail",
        pk(marketing_draft),
        statuses(401, 404, 404, 403, 404, 428, 404),
        method="patch",
        label="营销策划部 draft, PATCH",
    ),
    *(
        Case("api:version-list", pk(getter), expected, label=label)
        for getter, expected, label in READ_SHEET
    ),
    Case("api:version-detail", lambda w: {"pk": w.published.pk, "number": 1}, signed_in()),
    Case(
        "api:version-detail",
        lambda w: {"pk": w.published.pk, "number": 9},
        signed_in(404),
        label="no V9",
    ),
    Case(
        "api:position-submit",
        pk(sales_draft),
        statuses(401, 404, 403, 404, 200, 200, 404),
        method="post",
        label="销售部 draft",
    ),
    Case(
        "api:position-submit",
        pk(marketing_draft),
        statuses(401, 404, 404, 403, 404, 200, 404),
        method="post",
        label="营销策划部 draft",
    ),
    *(
        Case(name, pk(published), signed_in(409), method="post", label="published: wrong state")
        for name in ("api:position-review", "api:position-approve")
    ),
    Case(
        "api:position-reject",
        pk(published),
        signed_in(400),
        method="post",
        label="without a comment",
    ),
    Case(
        "api:position-reject",
        pk(published),
        signed_in(409),
        method="post",
        body={"comment": "请补充"},
        label="published: wrong state",
    ),
    Case("api:employee-list", none, statuses(401, 403, 403, 403, 200, 200, 403)),
    Case(
        "api:employee-detail",
        lambda w: {"pk": w.clerk_employee.pk},
        statuses(401, 200, 403, 403, 200, 200, 403),
        label="the 售楼员 (林员工)",
    ),
    Case("api:schema", none, signed_in()),
    Case("api:docs", none, {"anonymous": LOGIN} | {r: 200 for r in ROLES[1:]}, session=True),
    Case("api:not-found", lambda w: {"rest": "positions/-1/"}, {r: 404 for r in ROLES}),
    Case("api:token-list", none, {"anonymous": LOGIN} | {r: 200 for r in ROLES[1:]}, session=True),
    Case(
        "api:token-list",
        none,
        {"anonymous": LOGIN} | {r: 400 for r in ROLES[1:]},
        method="post",
        session=True,
        label="POST without a name",
    ),
    Case(
        "api:token-revoke",
        own_token,
        statuses(LOGIN, 302, 404, 404, 404, 404, 404),
        method="post",
        session=True,
        label="the employee's token",
    ),
)


def seen_by(user, case: Case, url: str) -> int | str:
    with transaction.atomic():
        if case.session:
            client = Client()
            if user is not None:
                client.force_login(user)
            call = getattr(client, case.method)
            response = call(url, case.body) if case.method == "post" else call(url)
            location = response.get("Location", "")
            got = LOGIN if response.status_code == 302 and "login" in location else None
            got = got or response.status_code
        else:
            api = ApiClient(user)
            call = getattr(api, case.method)
            args = (case.body,) if case.method != "get" else ()
            got = call(url, *args, **case.headers).status_code
        transaction.set_rollback(True)
    return got


@pytest.mark.parametrize(
    "case", CASES, ids=[f"{c.name}{'[' + c.label + ']' if c.label else ''}" for c in CASES]
)
def test_api_permission_matrix(case: Case, world: World, settings):  # noqa: F811
    settings.API_THROTTLE_RATE = "100000/min"
    kwargs = case.kwargs(world)
    if case.body.get("department") == 0:
        case = Case(**{**case.__dict__, "body": {**case.body, "department": world.marketing.pk}})
    url = reverse(case.name, kwargs=kwargs)
    got = {role: seen_by(world.users[role], case, url) for role in case.expected}
    assert got == case.expected


def test_api_permission_matrix_covers_every_api_route():
    covered = {case.name for case in CASES}
    missing = {name for name in project_url_names() if name.startswith("api:")} - covered
    assert not missing, f"API routes without a row in the matrix: {sorted(missing)}"
