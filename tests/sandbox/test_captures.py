"""Capture uploads, CSV/WAV validation and storage, updates, deletes and downloads."""

from __future__ import annotations

import pytest

from capdecl.sandbox import SandboxHandle
from tests.sandbox.helpers import Api, wav_bytes

CAPTURE_KEYS = [
    "uuid", "created_at", "last_modified", "last_modified_video", "version", "name",
    "file_size", "task_state", "task_result", "calculated_sample_rate", "max_sequence",
    "set_sample_rate", "number_samples",
]  # fmt: skip


def test_upload_response_omits_the_configuration_link(api: Api) -> None:
    p = api.project()
    c = api.configuration(p)["uuid"]
    created = api.capture(p, "walk.csv", capture_configuration_uuid=c, set_sample_rate="100",
                          calculated_sample_rate="99.5", asynchronous="true")  # fmt: skip
    assert list(created) == CAPTURE_KEYS
    assert (created["version"], created["task_state"], created["task_result"]) == (0, None, None)
    assert (created["set_sample_rate"], created["calculated_sample_rate"]) == (100, 99.5)
    fetched = api.ok(api.get(f"project/{p}/capture/{created['uuid']}/"))
    assert fetched == {**created, "capture_configuration_uuid": c}
    assert api.ok(api.get(f"project/{p}/capture/")) == [fetched]


def test_csv_without_sequence_is_stored_rewritten(api: Api) -> None:
    p = api.project()
    upload = b"AccX,AccY,timestamp\r\n1,2.50,t0\r\n3,,t1\r\n\r\n+5,1e-05,\r\n"
    created = api.capture(p, "a.csv", upload)
    assert (created["file_size"], created["number_samples"], created["max_sequence"]) == (
        len(upload),
        3,
        2,
    )
    stored = api.get(f"project/{p}/capture/{created['uuid']}/file/")
    assert stored.content == b"sequence,AccX,AccY,timestamp\n0,1,2.5,t0\n1,3,,t1\n2,5,1e-05,\n"
    schema = api.ok(api.get(f"project/{p}/"))["capture_sample_schema"]
    assert schema == {
        "AccX": {"type": "int"},
        "AccY": {"type": "float"},
        "timestamp": {"type": None},
    }


def test_csv_with_sequence_is_stored_byte_for_byte(api: Api) -> None:
    p = api.project()
    upload = b"sequence,AccX\r\n10,1\r\n11,2.50\r\n12,3\r\n"
    created = api.capture(p, "s.csv", upload)
    assert (created["number_samples"], created["max_sequence"]) == (3, 12)
    download = api.get(f"project/{p}/capture/{created['uuid']}/file/")
    assert download.content == upload
    assert download.headers["Content-Type"] == "application/octet-stream"
    assert download.headers["Content-Disposition"] == "attachment; filename=s.csv"


def test_wav_is_parsed_as_16_bit_frames(api: Api) -> None:
    p = api.project()
    content = wav_bytes(frames=480, channels=2)
    created = api.capture(p, "clip.wav", content)
    assert (created["number_samples"], created["max_sequence"], created["file_size"]) == (
        480,
        479,
        len(content),
    )
    assert api.get(f"project/{p}/capture/{created['uuid']}/file/local/").content == content
    schema = api.ok(api.get(f"project/{p}/"))["capture_sample_schema"]
    assert schema == {"channel_0": {"type": "int"}, "channel_1": {"type": "int"}}


@pytest.mark.parametrize(
    ("content", "detail"),
    [
        (b"\xef\xbb\xbfAccX\n1\n",
         'Value "\ufeffAccX" can only contain letters, numbers and underscores and spaces.'),
        (b"a,a\n1,2\n", "Invalid file schema: duplicate column names are not allowed."),
        (b"a,,b\n1,2,3\n", "Invalid column name: blank column names are not allowed."),
        (b"a.b\n1\n", 'Value "a.b" can only contain letters, numbers and underscores and spaces.'),
        (b"a,b,c\n1,x,True\n",
         "Invalid values in column(s) b,c. All columns must contain only numeric data."),
        (b"a,b\n", "Invalid values in column(s) a,b. All columns must contain only numeric data."),
    ],
    ids=["bom", "duplicate", "blank", "regex", "non-numeric", "header-only"],
)  # fmt: skip
def test_csv_schema_errors_are_flat_400s(api: Api, content: bytes, detail: str) -> None:
    p = api.project()
    response = api.upload(p, "bad.csv", content)
    assert response.status_code == 400
    assert response.json() == {"detail": detail, "status": 400}
    assert api.ok(api.get(f"project/{p}/capture/")) == []


@pytest.mark.parametrize(
    ("content", "detail"),
    [
        (b"a,b\n1,2\n3,4,5\n",
         "ParserError: Error tokenizing data. C error: Expected 2 fields in line 3, saw 3\n"),
        (b"a\n\xff\n", "UnicodeDecodeError: 'utf-8' codec can't decode byte 0xff in position 2: "
                       "invalid start byte"),
    ],
    ids=["extra-field", "not-utf8"],
)  # fmt: skip
def test_unreadable_csvs_are_500s(api: Api, content: bytes, detail: str) -> None:
    p = api.project()
    response = api.upload(p, "bad.csv", content)
    assert (response.status_code, response.json()["detail"]) == (500, detail)


def test_timestamp_is_the_only_non_numeric_column_allowed(api: Api) -> None:
    p = api.project()
    assert api.upload(p, "t.csv", b"timestamp,a\nnoon,1\n").status_code == 201
    assert api.upload(p, "u.csv", b"Timestamp,a\nnoon,1\n").status_code == 400


@pytest.mark.parametrize("filename", ["a.CSV", "a.txt", "a", "a.csv.gz"])
def test_extension_comes_from_the_multipart_filename(api: Api, filename: str) -> None:
    p = api.project()
    response = api.upload(p, "name.csv", b"a\n1\n", filename=filename)
    extension = filename[filename.rfind(".") :] if "." in filename else ""
    assert response.json() == {
        "status": 400,
        "detail": "Request failed validation",
        "data": [f"Extension {extension} is not allowed."],
    }


def test_name_may_differ_from_the_filename(api: Api) -> None:
    p = api.project()
    created = api.ok(api.upload(p, "window_test.wav", b"a\n1\n", filename="data.csv"), 201)
    assert created["name"] == "window_test.wav"


def test_bad_wavs_are_500s(api: Api) -> None:
    p = api.project()
    assert api.upload(p, "x.wav", b"not a riff file at all").status_code == 500
    assert api.upload(p, "y.wav", wav_bytes(frames=10, width=1)).status_code == 500


def test_field_errors(api: Api) -> None:
    p = api.project()
    api.capture(p, "a.csv")
    dup = api.upload(p, "a.csv", b"a\n1\n")
    assert dup.json() == {
        "status": 400,
        "detail": "Request failed validation",
        "data": {"name": ["Project already contains a file with the name a.csv"]},
    }
    assert api.upload(p, "A.csv", b"a\n1\n").status_code == 201  # case-sensitive
    empty = api.upload(p, "e.csv", b"")
    assert empty.json()["data"] == {"file": ["The submitted file is empty."]}
    no_file = api.post(f"project/{p}/capture/", data={"name": "x.csv"})
    assert no_file.json()["data"] == {"file": ["No file was submitted."]}
    bad_uuid = api.upload(p, "u.csv", b"a\n1\n", capture_configuration_uuid="nope")
    assert bad_uuid.json()["data"] == {"capture_configuration_uuid": ["Must be a valid UUID."]}


def test_unknown_configuration_is_a_500(api: Api) -> None:
    p = api.project()
    response = api.upload(p, "a.csv", b"a\n1\n", capture_configuration_uuid="0" * 32)
    assert response.status_code == 500
    assert (
        response.json()["detail"]
        == "DoesNotExist: CaptureConfiguration matching query does not exist."
    )


def test_upload_under_unknown_project(api: Api) -> None:
    response = api.upload("nope", "a.csv", b"a\n1\n")
    assert response.json()["data"] == ["Project does not exist."]


def test_patch_bumps_version_and_omits_the_link(api: Api) -> None:
    p = api.project()
    created = api.capture(p)
    url = f"project/{p}/capture/{created['uuid']}/"
    c = api.configuration(p)["uuid"]
    first = api.ok(api.patch(url, json={"capture_configuration_uuid": c, "name": " b.csv "}))
    assert list(first) == CAPTURE_KEYS
    assert (first["version"], first["name"]) == (1, "b.csv")
    assert first["last_modified"] > created["last_modified"]
    second = api.ok(api.patch(url, json={}))
    assert second["version"] == 2
    assert api.ok(api.get(url))["capture_configuration_uuid"] == c


def test_the_link_can_be_changed_but_not_cleared(api: Api) -> None:
    p = api.project()
    url = f"project/{p}/capture/{api.capture(p)['uuid']}/"
    assert api.patch(url, json={"capture_configuration_uuid": None}).json()["data"] == {
        "capture_configuration_uuid": ["This field may not be null."]
    }
    assert api.patch(url, json={"capture_configuration_uuid": ""}).json()["data"] == {
        "capture_configuration_uuid": ["Must be a valid UUID."]
    }
    unknown = api.patch(url, json={"capture_configuration_uuid": "1" * 32})
    assert unknown.status_code == 500
    assert api.ok(api.get(url))["version"] == 0


def test_rename_onto_an_existing_name_is_a_500(api: Api) -> None:
    p = api.project()
    api.capture(p, "a.csv")
    b = api.capture(p, "b.csv")
    response = api.patch(f"project/{p}/capture/{b['uuid']}/", json={"name": "a.csv"})
    assert response.status_code == 500 and response.json()["detail"].startswith("IntegrityError:")
    assert api.ok(api.get(f"project/{p}/capture/{b['uuid']}/"))["name"] == "b.csv"


def test_put_wipes_the_stored_file(api: Api) -> None:
    p = api.project()
    created = api.capture(p)
    url = f"project/{p}/capture/{created['uuid']}/"
    assert api.put(url, json={}).json()["data"] == {"name": ["This field is required."]}
    put = api.ok(api.put(url, json={"name": "a.csv"}))
    assert put["version"] == 1 and put["file_size"] == created["file_size"]
    download = api.get(url + "file/")
    assert download.status_code == 404
    assert download.content == b"detailstatus"  # the binary renderer's take on an error dict


def test_detail_ignores_the_project_in_the_url_but_downloads_do_not(api: Api) -> None:
    p, other = api.project("p"), api.project("other")
    c = api.capture(p)["uuid"]
    assert api.get(f"project/{other}/capture/{c}/").status_code == 200
    assert api.get(f"project/{other}/capture/{c}/file/").status_code == 404
    assert api.get(f"project/{p}/capture/{c.upper()}/").status_code == 404


def test_download_honours_accept(api: Api) -> None:
    p = api.project()
    c = api.capture(p)["uuid"]
    refused = api.get(f"project/{p}/capture/{c}/file/", headers={"Accept": "application/json"})
    assert refused.status_code == 406


def test_delete_removes_the_file(api: Api, sandbox: SandboxHandle) -> None:
    p = api.project()
    c = api.capture(p)["uuid"]
    assert len(list((sandbox.directory / "files").iterdir())) == 1
    response = api.delete(f"project/{p}/capture/{c}/")
    assert (response.status_code, response.content) == (204, b"")
    assert api.get(f"project/{p}/capture/{c}/").status_code == 404
    assert list((sandbox.directory / "files").iterdir()) == []


def test_capture_files_lists_local_download_urls(api: Api) -> None:
    p = api.project()
    a, b = api.capture(p, "a.csv"), api.capture(p, "b.csv")
    body = {"capture_uuids": [b["uuid"], "not-there", a["uuid"]], "expires_in": 5000}
    links = api.ok(api.post(f"project/{p}/capture-files/", json=body))
    assert [(x["name"], x["local"]) for x in links] == [("a.csv", True), ("b.csv", True)]
    assert links[0]["url"] == f"project/{p}/capture/{a['uuid']}/file/local/"
    assert api.get(links[0]["url"]).status_code == 200


def test_schema_is_a_union_and_lock_schema_rejects_missing_columns(api: Api) -> None:
    p = api.project()
    api.capture(p, "a.csv", b"a,b\n1,2\n")
    api.capture(p, "b.csv", b"b,c d\n1,2.5\n")
    schema = api.ok(api.get(f"project/{p}/"))["capture_sample_schema"]
    assert schema == {"a": {"type": "int"}, "b": {"type": "int"}, "c_d": {"type": "float"}}
    api.ok(api.patch(f"project/{p}/", json={"lock_schema": True}))
    missing = api.upload(p, "c.csv", b"a,b\n1,2\n")
    assert missing.json()["data"] == [
        "Uploaded file does not match project schema ['a', 'b', 'c_d']. "
        "The uploaded file schema is: ['a', 'b']"
    ]
    assert api.upload(p, "d.csv", b"a,b,c d,e\n1,2,3,4\n").status_code == 201


def test_names_longer_than_the_column_are_500s(api: Api) -> None:
    p = api.project()
    assert api.upload(p, "n" * 251, b"a\n1\n", filename="x.csv").status_code == 500
    c = api.ok(api.upload(p, "n" * 250, b"a\n1\n", filename="x.csv"), 201)["uuid"]
    assert api.patch(f"project/{p}/capture/{c}/", json={"name": "m" * 251}).status_code == 500


def test_head_is_answered_like_get(api: Api) -> None:
    response = api.request("HEAD", "project/")
    assert (response.status_code, response.content) == (200, b"")
