"""Webhooks and offline bags against their limits.

    .venv/bin/python bench/feed_push.py [--deliveries 300] [--bag-files 40] [--file-mb 5]

Webhooks: Sen's whole path for one event to one endpoint (`feed.webhooks.queue_event`:
the delivery row, the task, the claim, signing, one POST on a fresh connection, the
outcome written back), tasks run inline, on a temporary SQLite database, against a
local receiver that answers 200 at once. The limit: the same bodies signed and POSTed
by a bare loop (http.client, a fresh connection each, as Sen opens one per attempt),
no database. Also printed: the queries of one event.

Bags: the file work of `feed.bags.export_bag` (each file streamed out of Django's
storage with its SHA-256 checked, the manifests written from those hashes, bagit's
fast validation) against the limit of one read and one write per file with its
SHA-256 computed on the way (`shutil.copyfileobj`). Files are in the page cache for
both (each is run twice, the best kept): this measures Sen's overhead, not the disk.
"""

import argparse
import hashlib
import hmac
import http.client
import os
import shutil
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import benchlib
from renditions import django_env


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self):
        self.rfile.read(int(self.headers["Content-Length"]))
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args):
        pass


def _django(var_dir):
    os.environ.update(django_env(var_dir))
    os.environ["SEN_TASKS_IMMEDIATE"] = "true"
    sys.path.insert(0, str(benchlib.ROOT))
    os.chdir(benchlib.ROOT)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)


def _record(i):
    """A public record of the size a real one has (about 3 KB of JSON)."""
    languages = ("vi", "en", "zh-hans", "ja", "ko", "fr")
    return {
        "id": f"photo/{i}",
        "type": "photo",
        "url": {
            code: f"https://anh.example.gov.vn/{code}/photos/{i}/cho-noi/" for code in languages
        },
        "title": {code: f"Chợ nổi Cái Răng lúc bình minh {i} ({code})" for code in languages},
        "description": dict.fromkeys(languages[:3], "Ghe thuyền tấp nập trên sông Hậu. " * 4),
        "keywords": ["chợ nổi", "sông Hậu", "du lịch"],
        "licence": {"code": "cc-by-4.0", "uri": "https://creativecommons.org/licenses/by/4.0/"},
        "files": [
            {
                "role": f"download-{size}",
                "url": f"https://anh.example.gov.vn/download/photo/{i}/{size}/",
                "bytes": 1_234_567,
                "sha256": "0" * 64,
                "mime_type": "image/jpeg",
            }
            for size in ("web", "press", "print")
        ],  # fmt: skip
    }


def bench_webhooks(count):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from feed import webhooks
    from feed.models import Consumer, FeedRecord, WebhookDelivery, WebhookEndpoint

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_port}/hook"
    consumer = Consumer.objects.create(name="bench")
    endpoint = WebhookEndpoint.objects.create(consumer=consumer, url=url)
    now = timezone.now()
    records = FeedRecord.objects.bulk_create(
        [
            FeedRecord(kind="photo", asset_id=i, datestamp=now, record=_record(i))
            for i in range(1, count + 2)
        ]
    )
    with CaptureQueriesContext(connection) as queries:
        webhooks.queue_event(records[-1], "updated")
    per_event = len(queries)

    start = time.perf_counter()
    for record in records[:count]:
        webhooks.queue_event(record, "updated")
    sen = time.perf_counter() - start
    delivered = WebhookDelivery.objects.filter(status=WebhookDelivery.Status.SUCCEEDED).count()
    if delivered != count + 1:
        raise SystemExit(f"only {delivered} of {count + 1} deliveries succeeded")

    bodies = [
        webhooks.body_of(webhooks.payload_of(record, "updated", "x", now))
        for record in records[:count]
    ]
    start = time.perf_counter()
    for body in bodies:
        timestamp = str(int(time.time()))
        signature = hmac.new(
            endpoint.secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256
        ).hexdigest()
        conn = http.client.HTTPConnection("127.0.0.1", server.server_port, timeout=5)
        conn.request(
            "POST", "/hook", body=body,
            headers={"Content-Type": "application/json", "X-Sen-Timestamp": timestamp,
                     "X-Sen-Signature": "sha256=" + signature},
        )  # fmt: skip
        response = conn.getresponse()
        response.read()
        if response.status != 200:
            raise SystemExit(f"the receiver answered {response.status}")
        conn.close()
    limit = time.perf_counter() - start
    server.shutdown()
    print(f"webhooks: {count} deliveries, mean body {sum(map(len, bodies)) // count} bytes")
    print(f"  queries per event (1 endpoint, delivered):   {per_event}")
    print(
        f"  Sen   queue_event → delivered:  {count / sen:8.1f} deliveries/s  ({sen * 1000 / count:.2f} ms each)"
    )
    print(
        f"  limit bare sign + POST:         {count / limit:8.1f} posts/s       ({limit * 1000 / count:.2f} ms each)"
    )
    print(f"  ratio Sen / limit (speed):      {limit / sen:8.2f}")


def bench_bag(var_dir, files, file_mb):
    import bagit
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    from feed.bags import _write_tag_files, copy_checked

    names, digests_in = [], []
    for i in range(files):
        data = os.urandom(file_mb * 1024 * 1024)
        names.append(default_storage.save(f"bench-bag/file-{i}.bin", ContentFile(data)))
        digests_in.append(hashlib.sha256(data).hexdigest())
    total = files * file_mb

    def sen_once():
        work = Path(tempfile.mkdtemp(dir=var_dir))
        start = time.perf_counter()
        payload = work / "data"
        (payload / "files").mkdir(parents=True)
        digests = {}
        for name, digest in zip(names, digests_in, strict=True):
            target = payload / "files" / Path(name).name
            digests[f"files/{target.name}"] = copy_checked(_Stored(name), target, digest)
        octets = sum(path.stat().st_size for path in payload.rglob("*") if path.is_file())
        _write_tag_files(work, digests, {"Payload-Oxum": f"{octets}.{len(digests)}"})
        bagit.Bag(str(work)).validate(fast=True)
        elapsed = time.perf_counter() - start
        shutil.rmtree(work)
        return elapsed

    def limit_once():
        work = Path(tempfile.mkdtemp(dir=var_dir))
        start = time.perf_counter()
        for name in names:
            digest = hashlib.sha256()
            with (
                default_storage.open(name, "rb") as source,
                open(work / Path(name).name, "wb") as out,
            ):
                for chunk in iter(lambda src=source: src.read(1024 * 1024), b""):
                    digest.update(chunk)
                    out.write(chunk)
        elapsed = time.perf_counter() - start
        shutil.rmtree(work)
        return elapsed

    limit = min(limit_once() for _ in range(2))
    sen = min(sen_once() for _ in range(2))
    print(f"bags: {files} files of {file_mb} MB ({total} MB)")
    print(f"  Sen   copy + check + manifests:{total / sen:8.1f} MB/s")
    print(f"  limit copy + sha256 once:       {total / limit:8.1f} MB/s")
    print(f"  ratio Sen / limit (speed):      {limit / sen:8.2f}")


class _Stored:
    """What `copy_checked` takes: a file in Django's storage, as a FieldFile is."""

    def __init__(self, name):
        from django.core.files.storage import default_storage

        self.name = name
        self.storage = default_storage

    def open(self, mode="rb"):
        return self.storage.open(self.name, mode)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--deliveries", type=int, default=300)
    parser.add_argument("--bag-files", type=int, default=40)
    parser.add_argument("--file-mb", type=int, default=5)
    args = parser.parse_args()
    var_dir = Path(tempfile.mkdtemp(prefix="sen-bench-push-"))
    try:
        _django(var_dir)
        benchlib.print_facts(benchlib.machine_facts())
        bench_webhooks(args.deliveries)
        bench_bag(var_dir, args.bag_files, args.file_mb)
    finally:
        shutil.rmtree(var_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
