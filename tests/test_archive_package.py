"""The archive package of a round: built by the worker as an export job, downloaded with the workbook's
authorisation, every file opens, the manifest's checksums hold, and every submitted answer is in the
per-response documents."""

import csv
import hashlib
import html
import io
import json
import zipfile
from html.parser import HTMLParser

import pytest
from openpyxl import load_workbook
from rest_framework.test import APIClient

from surveys.models import Answer, ExportJob, QuestionType, Response
from surveys.visibility import visible_questions
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def client_for(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def _download_archive(client, survey_round, capture):
    with capture(execute=True):
        asked = client.post(
            f"/api/rounds/{survey_round.pk}/exports/", {"kind": "round_archive"}, format="json"
        )
    assert asked.status_code in (200, 202), asked.content
    job = client.get(f"/api/exports/{asked.json()['id']}/").json()
    assert (job["state"], job["progress"], job["kind"]) == ("done", 100, "round_archive"), job
    download = client.get(job["download_url"])
    assert download.status_code == 200 and download["Content-Type"] == "application/zip"
    assert download["Content-Disposition"].endswith('.zip"')
    return zipfile.ZipFile(io.BytesIO(b"".join(download.streaming_content)))


class _Text(HTMLParser):
    def __init__(self):
        super().__init__()
        self.parts = []

    def handle_data(self, data):
        self.parts.append(data)


def _expected_texts(question, value):
    """What a reader must find for a stored answer: labels for codes, the numbers, the text."""
    labels = {o.code: o.label for o in question.options.all()}
    labels |= {
        "ja": "Ja",
        "nej": "Nej",
        "genomford": "Genomförd",
        "delvis": "Delvis genomförd",
        "ej_genomford": "Ej genomförd",
        "ej_aktuell": "Ej aktuell",
    }
    if isinstance(value, list):
        return [labels.get(v, v) for v in value]
    if isinstance(value, dict):
        return [str(v) for v in value.values() if v not in (None, "")]
    if question.type in (QuestionType.YES_NO, QuestionType.SINGLE, QuestionType.ACTIVITY_STATUS):
        return [labels.get(value, value)]
    if question.type == QuestionType.DECIMAL:
        return [str(value).replace(".", ",")]
    return [str(value)]


def test_the_archive_package_of_the_demos_published_round_holds_every_submitted_answer(
    demo, reader, django_capture_on_commit_callbacks
):
    survey_round = demo["last_round"]
    archive = _download_archive(client_for(reader), survey_round, django_capture_on_commit_callbacks)
    names = archive.namelist()

    # The manifest lists every other file with its SHA-256 and size; SHA256SUMS says the same.
    manifest = json.loads(archive.read("manifest.json"))
    listed = {entry["path"]: entry for entry in manifest["files"]}
    assert set(listed) == set(names) - {"manifest.json", "SHA256SUMS"}
    for name, entry in listed.items():
        content = archive.read(name)
        assert hashlib.sha256(content).hexdigest() == entry["sha256"], name
        assert len(content) == entry["bytes"]
    sums = dict(reversed(line.split("  ", 1)) for line in archive.read("SHA256SUMS").decode().splitlines())
    assert sums == {name: entry["sha256"] for name, entry in listed.items()}

    # Every file opens as what it is.
    documents = {}
    for name in listed:
        content = archive.read(name)
        if name.endswith(".xlsx"):
            workbook = load_workbook(io.BytesIO(content), read_only=True)
            assert {"Översikt", "Svar", "Index", "Frågor"} <= set(workbook.sheetnames)
        elif name.endswith(".html"):
            parser = _Text()
            parser.feed(content.decode("utf-8"))
            documents[name] = html.unescape(" ".join(parser.parts))
        elif name.endswith(".csv"):
            rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))
            assert rows[0][0] == "Kod" and len(rows) == survey_round.version.questions.count() + 1
        elif name.endswith(".json"):
            round_json = json.loads(content)
        else:
            raise AssertionError(f"unexpected file {name}")

    # The round as data: version, scoring, answers and the index.
    assert round_json["questionnaire"]["version"] == survey_round.version.number
    assert round_json["scoring"]["categories"] and round_json["scoring"]["rules"]
    submitted = list(
        Response.objects.filter(
            assignment__round=survey_round, state=Response.State.SUBMITTED
        ).select_related("assignment__organisation")
    )
    assert len(documents) == len(submitted) > 0
    assert len(round_json["index"]["results"]) == len(submitted)
    assert round_json["index"]["city"]["n"] == len(submitted)

    # Each submitted answer stands in its organisation's document, with the question.
    questions = list(survey_round.version.questions.select_related("section").prefetch_related("options"))
    checked = 0
    for response in submitted:
        organisation = response.assignment.organisation.name
        document = next(text for text in documents.values() if f" {organisation} " in f" {text} ")
        assert "Inskickat" in document and "Ändringshistorik" in document
        values = dict(Answer.objects.filter(response=response).values_list("question_id", "value"))
        by_code = round_json["responses"]
        assert any(r["organisation"] == organisation and r["state"] == "submitted" for r in by_code)
        for question in visible_questions(questions, values):
            if question.pk not in values or values[question.pk] in (None, "", [], {}):
                continue
            assert question.text in document, (organisation, question.code)
            for text in _expected_texts(question, values[question.pk]):
                assert text in document, (organisation, question.code, text)
                checked += 1
    assert checked > 50


def test_the_archive_package_is_only_for_closed_or_published_rounds(demo, coordinator):
    reply = client_for(coordinator).post(
        f"/api/rounds/{demo['current_round'].pk}/exports/", {"kind": "round_archive"}, format="json"
    )
    assert reply.status_code == 400
    assert "stängd eller publicerad" in json.dumps(reply.json(), ensure_ascii=False)
    assert not ExportJob.objects.filter(kind="round_archive").exists()
    unknown = client_for(coordinator).post(
        f"/api/rounds/{demo['current_round'].pk}/exports/", {"kind": "allt"}, format="json"
    )
    assert unknown.status_code == 400


def test_the_archive_package_has_the_workbooks_authorisation(demo):
    respondent = factories.UserFactory(role="respondent")
    reply = client_for(respondent).post(
        f"/api/rounds/{demo['last_round'].pk}/exports/", {"kind": "round_archive"}, format="json"
    )
    assert reply.status_code == 403
    assert APIClient().post(
        f"/api/rounds/{demo['last_round'].pk}/exports/", {"kind": "round_archive"}
    ).status_code in (401, 403)
