"""Originals and renditions in an S3-compatible bucket, over real HTTP.

moto's standalone server plays the bucket (no patching of boto): the test starts it
on a free loopback port, points Django's STORAGES at it exactly as cms.settings does
when SEN_S3_BUCKET is set, uploads a photo through the admin, and then checks from
the outside, with boto3 and plain urllib, what landed where and who may read it.
"""

import os
import runpy
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from unittest import mock

import boto3
import pytest
from botocore.config import Config
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage, storages
from storages.backends.s3 import S3Storage

from assets.models import Photo, SenImage, SenRendition

from .assets.test_uploads import add_url, asset_fields, noisy_jpeg, upload
from .conftest import stored_files
from .factories import PASSWORD, SenImageFactory, contributor, make_organisation

pytestmark = pytest.mark.django_db

BUCKET = "sen-test"
CREDENTIALS = {"aws_access_key_id": "sen-test-key", "aws_secret_access_key": "sen-test-secret"}
# No proxy between the test and the loopback server, whatever the environment says.
DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def moto_server_command():
    here = Path(sys.executable).parent / "moto_server"
    return str(here) if here.exists() else shutil.which("moto_server")


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def http_get(url):
    """(status, body) of a plain, unsigned GET."""
    try:
        with DIRECT.open(url, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def start_moto_server(command, attempts=3):
    """(process, endpoint) of a moto server answering on a free loopback port. The port
    is free when chosen, but another process (an xdist worker's live server) may take
    it before moto binds it: moto then exits, and another port is tried."""
    env = {**os.environ, "NO_PROXY": "127.0.0.1", "no_proxy": "127.0.0.1"}
    for _attempt in range(attempts):
        endpoint = f"http://127.0.0.1:{free_port()}"
        server = subprocess.Popen(
            [command, "-H", "127.0.0.1", "-p", endpoint.rsplit(":", 1)[1]],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=env,
        )
        deadline = time.monotonic() + 30
        while server.poll() is None:
            try:
                if http_get(f"{endpoint}/moto-api/")[0] == 200:
                    return server, endpoint
            except OSError:
                pass
            if time.monotonic() > deadline:
                stop(server)
                pytest.fail("moto_server did not answer within 30 s")
            time.sleep(0.1)
    pytest.fail(f"moto_server exited with {server.returncode} ({attempts} ports tried)")


def stop(server):
    server.terminate()
    try:
        server.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


@pytest.fixture(scope="module")
def s3_endpoint():
    """A moto S3 server on 127.0.0.1, with an empty bucket and no public policy: every
    object is private, as Sen's bucket is."""
    command = moto_server_command()
    if not command:
        pytest.fail("moto_server is not installed (pip install 'moto[server]')")
    server, endpoint = start_moto_server(command)
    try:
        client = s3_client(endpoint)
        client.create_bucket(Bucket=BUCKET)
        yield endpoint
    finally:
        stop(server)


def s3_client(endpoint):
    return boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name="us-east-1",
        config=Config(s3={"addressing_style": "path"}, proxies={}),
        **CREDENTIALS,
    )


def s3_storages(endpoint):
    """The STORAGES that cms.settings builds when SEN_S3_BUCKET is set, pointed at
    `endpoint`: the settings module is run again with the S3 variables, so what is
    tested is the project's configuration, not a copy of it."""
    from django.conf import settings

    variables = {
        "SEN_S3_BUCKET": BUCKET,
        "SEN_S3_ENDPOINT_URL": endpoint,
        "SEN_S3_ACCESS_KEY_ID": CREDENTIALS["aws_access_key_id"],
        "SEN_S3_SECRET_ACCESS_KEY": CREDENTIALS["aws_secret_access_key"],
        "SEN_S3_REGION": "us-east-1",
    }
    with mock.patch.dict(os.environ, variables):  # restores the whole environment
        configured = runpy.run_path(str(Path(settings.BASE_DIR) / "cms" / "settings.py"))
    return configured["STORAGES"]


def test_s3_configuration_keeps_every_file_private():
    configured = s3_storages("http://127.0.0.1:9")
    assert set(configured) == {"default", "staticfiles"}
    default = configured["default"]
    assert default["BACKEND"] == "storages.backends.s3.S3Storage"
    options = default["OPTIONS"]
    assert options["bucket_name"] == BUCKET
    assert options["endpoint_url"] == "http://127.0.0.1:9"
    assert options["file_overwrite"] is False
    assert options["default_acl"] is None  # objects private
    assert (options["location"], options["querystring_auth"]) == ("private", True)


@pytest.fixture
def s3(settings, s3_endpoint, media_dirs, monkeypatch):
    """Django on the bucket, for one test; the bucket is emptied afterwards.

    Overriding STORAGES resets `storages` and `default_storage` (Django's
    setting_changed handler), but the file fields took their storage when the models
    were imported. They are pointed at the new storage here, and back afterwards."""
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    monkeypatch.setenv("no_proxy", "127.0.0.1")
    settings.STORAGES = s3_storages(s3_endpoint)
    image_field = SenImage._meta.get_field("file")
    rendition_field = SenRendition._meta.get_field("file")
    saved = image_field.storage, rendition_field.storage
    image_field.storage = storages["default"]
    rendition_field.storage = storages["default"]
    client = s3_client(s3_endpoint)
    try:
        yield client
    finally:
        image_field.storage, rendition_field.storage = saved
        listing = client.list_objects_v2(Bucket=BUCKET)
        for obj in listing.get("Contents", []):
            client.delete_object(Bucket=BUCKET, Key=obj["Key"])


def bucket_keys(client):
    return sorted(obj["Key"] for obj in client.list_objects_v2(Bucket=BUCKET).get("Contents", []))


def read_object(client, key):
    return client.get_object(Bucket=BUCKET, Key=key)["Body"].read()


def test_storages_are_the_s3_ones(s3, s3_endpoint):
    assert isinstance(default_storage, S3Storage)
    assert SenImage._meta.get_field("file").storage is storages["default"]
    assert storages["default"].location == "private"
    assert storages["default"].endpoint_url == s3_endpoint


@pytest.mark.pipeline_deferred  # the original alone first; the worker's renditions: below
def test_photo_round_trip_through_the_bucket(
    s3, client, media_dirs, django_capture_on_commit_callbacks
):
    organisation = make_organisation("Sở Văn hóa, Thể thao và Du lịch")
    user = contributor(organisation)
    assert client.login(username=user.username, password=PASSWORD)
    content = noisy_jpeg(320, 240)

    # Upload through the admin: the original goes to the bucket, under private/.
    response = upload(client, add_url(Photo), "cho-noi.jpg", content, **asset_fields())
    assert response.status_code == 302, response.context and response.context["form"].errors
    image = Photo.objects.get().image
    original_key = f"private/{image.file.name}"
    assert bucket_keys(s3) == [original_key]
    assert read_object(s3, original_key) == content
    assert image.file.name.startswith("original_images/")
    assert image.sha256  # the bytes were read before they were stored
    assert stored_files(*media_dirs) == []  # nothing went to local folders

    # The original is not readable without a signature; a presigned URL works.
    endpoint = storages["default"].endpoint_url
    status, _body = http_get(f"{endpoint}/{BUCKET}/{original_key}")
    assert status == 403
    signed = image.file.url
    assert "X-Amz-Signature=" in signed or "Signature=" in signed
    status, body = http_get(signed)
    assert (status, body) == (200, content)

    # A rendition is made from the original in the bucket and is private too: only
    # its presigned URL reads it.
    rendition = image.get_rendition("fill-100x100")
    rendition_key = f"private/{rendition.file.name}"
    assert rendition_key in bucket_keys(s3)
    status, _body = http_get(f"{endpoint}/{BUCKET}/{rendition_key}")
    assert status == 403
    assert "Signature=" in rendition.url
    status, body = http_get(rendition.url)
    assert status == 200
    assert body == read_object(s3, rendition_key)
    assert body[:2] == b"\xff\xd8"  # a JPEG
    assert stored_files(*media_dirs) == []

    # Deleting the file removes the object; deleting the image record removes the
    # rest (Wagtail deletes files after the transaction commits).
    image.file.delete(save=False)
    assert original_key not in bucket_keys(s3)
    with django_capture_on_commit_callbacks(execute=True):
        Photo.objects.all().delete()
        SenImage.objects.all().delete()
    assert bucket_keys(s3) == []


def test_deleting_an_image_record_removes_original_and_renditions(
    s3, media_dirs, django_capture_on_commit_callbacks
):
    image = SenImageFactory(
        title="Bến Ninh Kiều", file=ContentFile(noisy_jpeg(200, 150), name="ninh-kieu.jpg")
    )
    image.get_rendition("max-50x50")
    keys = bucket_keys(s3)
    # The original, the worker's renditions (made through S3 too) and the one above.
    from ingest.renditions import site_filter_specs

    assert len(keys) == 2 + len(site_filter_specs())
    assert all(key.startswith("private/") for key in keys)
    with django_capture_on_commit_callbacks(execute=True):
        image.delete()
    assert bucket_keys(s3) == []
