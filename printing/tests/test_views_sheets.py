"""The stored PDF sent by nginx (``PDF_X_ACCEL_PREFIX``): Django checks, nginx sends the file."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse

from positions.models import Position
from positions.tests.factories import EmployeeFactory, FullPositionFactory, PositionFactory
from positions.tests.text import page_text
from printing.services import stored as printing

pytestmark = pytest.mark.django_db


def version_pdf_url(position: Position) -> str:
    number = position.current_version.number
    return reverse("positions:version-pdf", kwargs={"pk": position.pk, "number": number})


@pytest.fixture
def published(db):
    return FullPositionFactory(title="销售经理", code="FZ-XS-001", duties=2)


def test_version_pdf_x_accel_redirect_names_the_stored_file(user_client, published, settings):
    stored = user_client.get(version_pdf_url(published))  # rendered once and stored
    assert stored.content.startswith(b"%PDF-")
    settings.PDF_X_ACCEL_PREFIX = "/internal-media/"
    rendered = printing.render_count()

    response = user_client.get(version_pdf_url(published))

    assert response.status_code == 200
    assert response.content == b""  # nginx sends the file
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == "attachment; filename*=utf-8''" + quote(
        "FZ-XS-001-销售经理-V1.pdf"
    )
    target = response["X-Accel-Redirect"]
    assert target.startswith(f"/internal-media/{printing.STORAGE_PREFIX}/{published.pk}/v1-")
    name = target.removeprefix("/internal-media/")
    with default_storage.open(name, "rb") as handle:
        assert handle.read() == stored.content  # the very file Django would have sent
    assert printing.render_count() == rendered


def test_version_pdf_x_accel_redirect_not_stored_yet_renders(user_client, published, settings):
    settings.PDF_X_ACCEL_PREFIX = "/internal-media/"

    response = user_client.get(version_pdf_url(published))

    assert "X-Accel-Redirect" not in response
    assert response.content.startswith(b"%PDF-")  # rendered and stored as without nginx
    again = user_client.get(version_pdf_url(published))
    folder = f"/internal-media/{printing.STORAGE_PREFIX}/{published.pk}/"
    assert again["X-Accel-Redirect"].startswith(folder + "v1-")


def test_version_pdf_x_accel_redirect_refused_to_who_may_not_read(client, settings):
    draft = PositionFactory(title="新媒体专员", status=Position.Status.DRAFT)
    reader = EmployeeFactory(position=PositionFactory())
    client.force_login(reader.user)
    settings.PDF_X_ACCEL_PREFIX = "/internal-media/"
    url = reverse("positions:position-pdf", kwargs={"pk": draft.pk})

    response = client.get(url)

    assert response.status_code == 404
    assert "X-Accel-Redirect" not in response
    assert "您要找的页面不存在" in page_text(response)
