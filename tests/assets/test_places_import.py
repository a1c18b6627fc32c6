import csv
import io

import pytest
from django.core.management import CommandError, call_command

from assets.models import Place

pytestmark = pytest.mark.django_db

HEADER = "code,name_vi,name_en,kind,parent_code,latitude,longitude,valid_from,valid_until,replaced_by_code\n"


def write(tmp_path, body):
    path = tmp_path / "places.csv"
    path.write_text(HEADER + body, encoding="utf-8")
    return str(path)


def test_loads_units_with_replacements_in_any_order(tmp_path):
    path = write(
        tmp_path,
        "93,Tỉnh Hậu Giang,Hau Giang Province,province,,,,,2025-06-30,92\n"
        "92,Thành phố Cần Thơ,Can Tho City,province,,10.03,105.78,2025-07-01,,\n"
        "31117,Phường Ninh Kiều,Ninh Kieu Ward,ward,92,,,2025-07-01,,\n",
    )
    call_command("load_places", path, stdout=io.StringIO())
    old = Place.objects.get(code="93")
    assert old.current().name_vi == "Thành phố Cần Thơ"
    assert Place.objects.get(code="31117").parent.code == "92"
    # Run again: updated in place, not duplicated.
    call_command("load_places", path, stdout=io.StringIO())
    assert Place.objects.filter(code="92").count() == 1


def test_bad_row_writes_nothing(tmp_path):
    path = write(
        tmp_path,
        "92,Thành phố Cần Thơ,Can Tho City,province,,,,,,\n95,Nơi nào đó,,planet,,,,,,\n",
    )
    with pytest.raises(CommandError, match="3"):
        call_command("load_places", path, stdout=io.StringIO())
    assert not Place.objects.exists()


def test_unknown_reference_is_refused(tmp_path):
    path = write(tmp_path, "93,Tỉnh Hậu Giang,,province,,,,,2025-06-30,999\n")
    with pytest.raises(CommandError, match="999"):
        call_command("load_places", path, stdout=io.StringIO())
    assert not Place.objects.exists()


def test_example_file_in_deploy_loads():
    from django.conf import settings

    with open(settings.BASE_DIR / "deploy" / "places-example.csv", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    call_command(
        "load_places",
        str(settings.BASE_DIR / "deploy" / "places-example.csv"),
        stdout=io.StringIO(),
    )
    assert Place.objects.count() == len(rows)
