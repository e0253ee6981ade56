"""The REST API (``/api/v1/``, its schema and docs page) and the API 令牌 page, under the
``api`` namespace."""

from django.urls import path, re_path

from api.views import docs, positions, reference, tokens

app_name = "api"

V1 = "api/v1/"

urlpatterns = [
    path(f"{V1}departments/", reference.DepartmentListView.as_view(), name="department-list"),
    path(f"{V1}org-tree/", reference.OrgTreeView.as_view(), name="org-tree"),
    path(f"{V1}positions/", positions.PositionListView.as_view(), name="position-list"),
    path(
        f"{V1}positions/<int:pk>/",
        positions.PositionDetailView.as_view(),
        name="position-detail",
    ),
    path(
        f"{V1}positions/<int:pk>/versions/",
        positions.VersionListView.as_view(),
        name="version-list",
    ),
    path(
        f"{V1}positions/<int:pk>/versions/<int:number>/",
        positions.VersionDetailView.as_view(),
        name="version-detail",
    ),
    path(
        f"{V1}positions/<int:pk>/submit/",
        positions.PositionSubmitView.as_view(),
        name="position-submit",
    ),
    path(
        f"{V1}positions/<int:pk>/review/",
        positions.PositionReviewView.as_view(),
        name="position-review",
    ),
    path(
        f"{V1}positions/<int:pk>/approve/",
        positions.PositionApproveView.as_view(),
        name="position-approve",
    ),
    path(
        f"{V1}positions/<int:pk>/reject/",
        positions.PositionRejectView.as_view(),
        name="position-reject",
    ),
    path(f"{V1}employees/", reference.EmployeeListView.as_view(), name="employee-list"),
    path(
        f"{V1}employees/<int:pk>/", reference.EmployeeDetailView.as_view(), name="employee-detail"
    ),
    path(f"{V1}schema/", docs.SchemaView.as_view(), name="schema"),
    path(f"{V1}docs/", docs.DocsView.as_view(), name="docs"),
    # Anything else under /api/ (a negative id, a typo): JSON 404, not the HTML error page.
    re_path(r"^api/(?P<rest>.*)$", docs.not_found, name="not-found"),
    path("accounts/api-tokens/", tokens.token_list, name="token-list"),
    path("accounts/api-tokens/<int:pk>/revoke/", tokens.token_revoke, name="token-revoke"),
]
