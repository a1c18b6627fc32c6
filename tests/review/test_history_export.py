"""The whole log is exportable by an administrator (Wagtail's site history report,
CSV and XLSX), with Sen's own entries in it. (Wagtail's export has no message column:
the withdrawal's reason is in the asset's history and in review.Withdrawal.)"""

import csv
import io

import pytest
from django.urls import reverse

from assets import operations
from review.operations import withdraw

from ..factories import PhotoFactory, make_organisation, role_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def history(media_dirs):
    photo = PhotoFactory(organisation=make_organisation(), title_vi="Bến Ninh Kiều", live=True)
    reviewer = role_user(operations.REVIEWERS)
    withdraw(photo, user=reviewer, reason="Hết hạn thỏa thuận với tác giả")
    return photo


def test_administrator_exports_the_log_as_csv(client, history):
    client.force_login(role_user(operations.ADMINISTRATORS, is_superuser=True))
    response = client.get(reverse("wagtailadmin_reports:site_history"), {"export": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    body = b"".join(response.streaming_content).decode("utf-8")
    rows = list(csv.reader(io.StringIO(body)))
    text = "\n".join(",".join(row) for row in rows[1:])
    assert "Bến Ninh Kiều" in text
    assert "Ngừng xuất bản có lý do" in text


def test_administrator_exports_the_log_as_xlsx(client, history):
    client.force_login(role_user(operations.ADMINISTRATORS, is_superuser=True))
    response = client.get(reverse("wagtailadmin_reports:site_history"), {"export": "xlsx"})
    assert response.status_code == 200
    content = b"".join(response.streaming_content) if response.streaming else response.content
    assert content[:2] == b"PK"  # an XLSX is a zip
