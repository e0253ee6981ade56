"""schemathesis against the API, in-process through the WSGI app: every operation of the
OpenAPI schema, as an employee and as an HR editor, 25 derandomised examples each.

Checks: no server error (5xx) and every response conforms to the schema. Runs on PostgreSQL
(``.ci/run`` suite B, ``-m fuzz``), where NUL characters and integer overflows would surface
as database errors; skipped on SQLite.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections, connection
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
)

from api.tests.helpers import token_for
from jobdesc.wsgi import application
from positions import permissions
from positions.models import Employee, Position
from positions.tests.factories import EmployeeFactory, UserFactory

pytestmark = [
    pytest.mark.fuzz,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="fuzzed on PostgreSQL (.ci/run suite B)"
    ),
]


@dataclass
class Caller:
    role: str
    headers: dict[str, str]


@pytest.fixture(params=["employee", "hr_editor"])
def caller(request, seed, settings) -> Caller:
    settings.API_THROTTLE_RATE = "100000/min"
    settings.ALLOWED_HOSTS = ["testserver", "localhost"]  # schemathesis calls the app as localhost
    user = UserFactory(username=f"fuzz-{request.param}")
    user.groups.add(permissions.role_group(request.param))
    EmployeeFactory(user=user, name="模糊测试", position=Position.objects.get(code="FZ-XS-101"))
    return Caller(request.param, {"Authorization": f"Bearer {token_for(user)}"})


@pytest.fixture
def api_schema(caller):
    # The WSGI app closes "old" connections at each request's start and end, which would close
    # the test's transaction; Django's test client disconnects the same handler.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield schemathesis.openapi.from_wsgi("/api/v1/schema/", application, headers=caller.headers)
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


# schemathesis' own pytest integration (``from_fixture`` / ``parametrize``) breaks on pytest 9
# ('Function' object has no attribute '_nodeid'): each operation's strategy is run with
# Hypothesis here instead, through schemathesis' Python API.
SETTINGS = settings(
    max_examples=25,
    derandomize=True,
    deadline=None,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]


REAL_CODES = ("FZ-XS-101", "FZ-XS-001", "MK105")


def _with_id(drawn):
    case, pk = drawn
    case.path_parameters = {**(case.path_parameters or {}), "id": pk}
    if "number" in case.path_parameters:
        case.path_parameters["number"] = 1
    return case


def test_api_fuzz_finds_no_server_error_and_no_schema_violation(api_schema, caller):
    failures: list[str] = []
    answered: dict[str, set[int]] = defaultdict(set)
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 13

    # Random ids mostly name nothing (404): half the cases name a real position / employee.
    real_ids = [*Position.objects.filter(code__in=REAL_CODES).values_list("pk", flat=True)]
    real_ids += list(Employee.objects.values_list("pk", flat=True)[:2])

    for operation in operations:
        strategy = operation.as_strategy()
        if "{id}" in operation.path:
            strategy = st.one_of(
                strategy,
                st.tuples(strategy, st.sampled_from(real_ids)).map(_with_id),
            )

        @SETTINGS
        @given(case=strategy)
        def run(case):
            response = case.call_and_validate(headers=caller.headers, checks=CHECKS)
            answered[case.operation.label].add(response.status_code)

        try:
            run()
        except Exception as error:  # every failing operation is reported, not just the first
            failures.append(f"{operation.label} as {caller.role}: {error}")
    assert not failures, "\n\n".join(failures)
    # The fuzzer reached real sheets, not only 404s.
    assert 200 in answered["GET /api/v1/positions/{id}/"]
    assert 200 in answered["GET /api/v1/positions/{id}/versions/{number}/"]
