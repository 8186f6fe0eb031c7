"""A workbook as a user opens it: LibreOffice reads the plan export, and text that looks like a formula stays
text. Skipped where LibreOffice is not installed (`make browser-deps` installs it)."""

import csv
import shutil
import subprocess

import pytest

from surveys.services.programmes import export_plan
from tests import factories

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(not shutil.which("libreoffice"), reason="needs LibreOffice (make browser-deps)"),
]


def test_libreoffice_shows_the_exported_plan_with_formula_like_text_as_text(tmp_path):
    lead = factories.OrganisationFactory(name="=Nämnd+1", kind="namnd")
    activity = factories.ActivityFactory(number="1.1", title="Tillsyn", lead=lead, frequency="-2 gånger")
    factories.IndicatorFactory(
        activity=activity, text='=HYPERLINK("http://evil.example","klicka")', target="@SUM(1)"
    )
    (tmp_path / "plan.xlsx").write_bytes(export_plan(activity.goal_area.programme))
    subprocess.run(
        [
            "libreoffice",
            f"-env:UserInstallation=file://{tmp_path}/profile",
            "--headless",
            "--convert-to",
            "csv:Text - txt - csv (StarCalc):44,34,76",
            "--outdir",
            str(tmp_path),
            str(tmp_path / "plan.xlsx"),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    rows = list(csv.reader((tmp_path / "plan.csv").open(encoding="utf-8")))
    assert rows[0][:3] == ["Målområde", "Insatsområde", "Aktivitet"]
    assert rows[1][2] == "1.1 Tillsyn" and rows[1][4] == "-2 gånger" and rows[1][5] == "=Nämnd+1"
    assert rows[1][7] == '=HYPERLINK("http://evil.example","klicka")' and rows[1][9] == "@SUM(1)"
