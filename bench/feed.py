"""Issue 8: a full OAI-PMH harvest at N public assets, against the limit, in one run.

    .venv/bin/python bench/feed.py [--count 100000] [--page-size 100] [--quick] [--keep]

A temporary Sen (SQLite in a temporary SEN_VAR_DIR, production settings) gets one
real published photo, serialised once by the one serialiser (`feed.records`), and
N `FeedRecord`s made from that template with their ids, titles, URLs and datestamps
varied (bulk-created: calling the serialiser N times would measure the setup, not
the harvest), each in three sets (type, topic, organisation). OAI-PMH reads only
`FeedRecord`, so these are, for a harvester, N public assets.

Then gunicorn (one sync worker: a harvest is one client walking pages in turn)
serves /oai/, and the bench harvests everything in `oai_dc` over HTTP, following
resumption tokens. Printed: records/s of the whole harvest; the latency of page 1
and page 1,000 (median of repeated requests of each, with the token of page 1,000
kept from the harvest: the keyset goal is the same cost at any depth); the worker's
resident memory sampled along the harvest and its peak (VmHWM, /proc).

The limit: the same rows read with sqlite3 and serialised in-process with lxml (the
same `oai_dc` writer and record envelope, `etree.xmlfile` into a null sink), without
the ORM, Django views, the middleware or HTTP.

Goals (issue 8): >= 3,000 records/s; page 1,000 within 20% of page 1; flat memory.
Results are appended to bench/results/feed.csv.
"""

import argparse
import http.client
import json
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import benchlib

ROOT = benchlib.ROOT
GOAL_RPS = 3000
GOAL_DEPTH_RATIO = 1.2
NS = {"oai": "http://www.openarchives.org/OAI/2.0/"}


def _django():
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def child_setup(count, manifest_path):
    """Migrate, publish one real photo, and make `count` feed records from its record."""
    _django()
    import datetime

    from django.core.files.base import ContentFile
    from django.core.management import call_command
    from django.utils import timezone
    from ingest.renditions import make_renditions, site_filter_specs

    from assets import operations
    from assets.models import Licence, Photo, Place, SenImage, Topic
    from cms.models import ProvinceSettings
    from feed.models import FeedRecord, FeedSetMembership
    from feed.operations import digest
    from feed.records import public_record

    call_command("migrate", "--noinput", verbosity=0)
    call_command("update_translation_fields", verbosity=0)
    province = ProvinceSettings.load()
    province.province_name = province.province_name_vi = "Cần Thơ"
    province.save()
    organisation = operations.create_organisation(
        names={"vi": "Sở Văn hoá, Thể thao và Du lịch", "en": "Department of Culture"},
        kind="department",
    )
    place = Place.objects.create(name="Ninh Kiều", name_vi="Ninh Kiều", name_en="Ninh Kieu", kind="ward", code="31117")  # fmt: skip
    topics = list(Topic.objects.all())
    picture = benchlib.photo_like(1200, 800, 1)
    path = Path(tempfile.gettempdir()) / f"sen-bench-feed-{os.getpid()}.jpg"
    benchlib.save_jpeg(picture, path, 85)
    image = SenImage(title="bench", collection=organisation.collection)
    image.file.save(path.name, ContentFile(path.read_bytes()), save=False)
    image.width, image.height = picture.size
    # bulk_create, as bench/site.py: no upload pipeline for a bench fixture.
    SenImage.objects.bulk_create([image])
    image = SenImage.objects.order_by("-pk").first()
    path.unlink()
    make_renditions(image, site_filter_specs())
    now = timezone.now()
    photo = Photo.objects.create(
        title="Chợ nổi Cái Răng",
        title_vi="Chợ nổi Cái Răng",
        title_en="Cai Rang floating market",
        description_vi="Ghe thuyền họp chợ trên sông Cần Thơ lúc bình minh. " * 4,
        description_en="Boats meet on the Can Tho river at dawn. " * 4,
        image=image,
        organisation=organisation,
        collection_id=organisation.collection_id,
        licence=Licence.objects.get(code="cc-by-4.0"),
        place=place,
        date=datetime.date(2024, 5, 1),
        author="Nguyễn Văn A",
        credit_line="Ảnh: Sở VHTTDL",
        live=True,
        first_published_at=now,
        last_published_at=now,
    )
    photo.topics.set(topics[:1])
    template = public_record(photo)
    if template is None:
        raise SystemExit("the template photo is not public")
    template_text = json.dumps(template, ensure_ascii=False)

    started = time.perf_counter()
    first = now - datetime.timedelta(seconds=count)
    chunk = 5000
    made = 0
    while made < count:
        size = min(chunk, count - made)
        records = []
        for i in range(made, made + size):
            data = json.loads(template_text)
            data["id"] = f"photo/{i + 1}"
            data["title"] = {"vi": f"Ảnh {i + 1}: chợ nổi Cái Răng", "en": f"Photo {i + 1}: Cai Rang floating market"}  # fmt: skip
            data["url"] = {code: url.replace(f"/{photo.pk}/", f"/{i + 1}/") for code, url in data["url"].items()}  # fmt: skip
            records.append(
                FeedRecord(
                    kind="photo",
                    asset_id=i + 1,
                    datestamp=first + datetime.timedelta(seconds=i),
                    first_published_at=first,
                    record=data,
                    digest=digest(data),
                )
            )
        FeedRecord.objects.bulk_create(records)
        ids = FeedRecord.objects.filter(asset_id__gt=made, asset_id__lte=made + size).values_list("pk", "asset_id")  # fmt: skip
        FeedSetMembership.objects.bulk_create(
            [
                FeedSetMembership(record_id=pk, spec=spec)
                for pk, asset_id in ids
                for spec in (
                    "type:photo",
                    f"topic:{topics[asset_id % len(topics)].slug}",
                    f"organisation:{organisation.pk}",
                )
            ]
        )
        made += size
        if made % 20000 == 0 or made == count:
            print(f"  {made:,} records ({time.perf_counter() - started:.0f} s)", flush=True)
    Path(manifest_path).write_text(json.dumps({"template_bytes": len(template_text)}))


def limit(database, page_size):
    """Records/s of reading the rows with sqlite3 and writing them with lxml."""
    _django()
    import datetime

    from lxml import etree

    from feed.oai.formats import oai_dc
    from feed.oai.protocol import NS_OAI, stamp

    class Null:
        written = 0

        def write(self, data):
            self.written += len(data)

    def q(tag):
        return f"{{{NS_OAI}}}{tag}"

    connection = sqlite3.connect(database)
    started = time.perf_counter()
    sink = Null()
    total = 0
    last = ("", 0)
    while True:
        rows = connection.execute(
            "SELECT r.id, r.kind, r.asset_id, r.datestamp, r.record,"
            " (SELECT GROUP_CONCAT(spec, ' ') FROM feed_feedsetmembership m WHERE m.record_id = r.id)"
            " FROM feed_feedrecord r WHERE r.datestamp >= ? AND NOT (r.datestamp = ? AND r.id <= ?)"
            " ORDER BY r.datestamp, r.id LIMIT ?",
            (last[0], last[0], last[1], page_size),
        ).fetchall()
        if not rows:
            break
        with (
            etree.xmlfile(sink, encoding="utf-8") as xf,
            xf.element(q("OAI-PMH"), nsmap={None: NS_OAI}),
            xf.element(q("ListRecords")),
        ):
            for _pk, kind, asset_id, datestamp, record, specs in rows:
                element = etree.Element(q("record"))
                header = etree.SubElement(element, q("header"))
                etree.SubElement(header, q("identifier")).text = f"oai:bench:{kind}/{asset_id}"
                moment = datetime.datetime.fromisoformat(datestamp)
                etree.SubElement(header, q("datestamp")).text = stamp(moment.replace(tzinfo=datetime.UTC))  # fmt: skip
                for spec in sorted(specs.split()):
                    etree.SubElement(header, q("setSpec")).text = spec
                etree.SubElement(element, q("metadata")).append(oai_dc(json.loads(record)))
                xf.write(element)
        total += len(rows)
        last = (rows[-1][3], rows[-1][0])
    seconds = time.perf_counter() - started
    return {"records": total, "seconds": seconds, "rps": total / seconds, "bytes": sink.written}


def _get(port, query):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    started = time.perf_counter()
    connection.request("GET", "/oai/?" + query)
    response = connection.getresponse()
    body = response.read()
    elapsed = time.perf_counter() - started
    connection.close()
    if response.status != 200:
        raise SystemExit(f"/oai/?{query[:80]} answered {response.status}")
    return body, elapsed


def _parse(body):
    from lxml import etree

    root = etree.fromstring(body)
    error = root.find("oai:error", NS)
    if error is not None:
        raise SystemExit(f"OAI error {error.get('code')}: {error.text}")
    token = root.find(".//oai:resumptionToken", NS)
    records = len(root.findall(".//oai:record", NS))
    return records, (token.text if token is not None else None)


def _worker_pid(master):
    children = benchlib.descendants(master)
    return children[0] if children else None


def harvest(port, master, depth):
    """Walk the whole list; return counts, per-page latencies, the token of page
    `depth`, and RSS samples of the worker."""
    query = "verb=ListRecords&metadataPrefix=oai_dc"
    started = time.perf_counter()
    pages, records, latencies, samples = 0, 0, [], []
    deep_token = None
    worker = _worker_pid(master)
    while query:
        body, elapsed = _get(port, query)
        count, token = _parse(body)
        pages += 1
        records += count
        latencies.append(elapsed)
        if pages + 1 == depth:
            deep_token = token
        if pages in (1, 10, 100) or pages % 250 == 0:
            status = benchlib.vm_status(worker) or {}
            samples.append((pages, status.get("VmRSS", 0)))
        query = "verb=ListRecords&resumptionToken=" + urllib.parse.quote(token) if token else None
    seconds = time.perf_counter() - started
    status = benchlib.vm_status(worker) or {}
    samples.append((pages, status.get("VmRSS", 0)))
    return {
        "pages": pages,
        "records": records,
        "seconds": seconds,
        "rps": records / seconds,
        "latencies": latencies,
        "deep_token": deep_token,
        "rss": samples,
        "peak_mb": status.get("VmHWM", 0),
    }


def repeat(port, query, times):
    _get(port, query)
    return statistics.median(_get(port, query)[1] for _ in range(times))


def wait_for(port, process, timeout=60):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if process.poll() is not None:
            raise SystemExit("gunicorn exited; see its log")
        try:
            _get(port, "verb=Identify")
            return
        except OSError:
            time.sleep(0.3)
    raise SystemExit("gunicorn did not answer in time")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--page-size", type=int, default=100, help="100: page 1,000 exists at 100k")
    parser.add_argument("--repeat", type=int, default=15, help="requests of page 1 and page 1,000")
    parser.add_argument(
        "--quick", action="store_true", help="5,000 records, pages of 20 (250 pages)"
    )
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    parser.add_argument("--child-setup", nargs=2, help=argparse.SUPPRESS)
    parser.add_argument("--child-limit", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child_setup:
        child_setup(int(args.child_setup[0]), args.child_setup[1])
        return
    if args.child_limit:
        print(json.dumps(limit(args.child_limit[0], int(args.child_limit[1]))))
        return
    if args.quick:
        args.count, args.page_size = 5000, 20
    depth = min(1000, -(-args.count // args.page_size))

    facts = benchlib.machine_facts()
    benchlib.print_facts(facts, code=benchlib.file_digest("feed/oai/harvest.py", "feed/oai/responses.py", "feed/oai/formats.py"))  # fmt: skip
    var = Path(tempfile.mkdtemp(prefix="sen-bench-feed-"))
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "DJANGO_SETTINGS_MODULE": "cms.settings",
        "SEN_ENV": "production",
        "DJANGO_SECRET_KEY": "bench-only-secret-key-0123456789abcdefghijklmnop",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        "SEN_SECURE_COOKIES": "0",
        "SEN_VAR_DIR": str(var),
        "SEN_STATIC_ROOT": str(var / "static"),
        "SEN_TASKS_IMMEDIATE": "1",
        "SEN_OAI_PAGE_SIZE": str(args.page_size),
        "SEN_BASE_URL": "https://anh.cantho.gov.vn",
    }
    env.pop("DATABASE_URL", None)
    env.pop("CACHE_URL", None)
    log = open(var / "server.log", "w")  # noqa: SIM115 - closed in finally
    server = None
    try:
        print(f"Setting up {args.count:,} public records in {var}", flush=True)
        started = time.perf_counter()
        subprocess.run([sys.executable, __file__, "--child-setup", str(args.count), str(var / "manifest.json")], env=env, check=True)  # fmt: skip
        print(f"  setup took {time.perf_counter() - started:.0f} s", flush=True)

        port = benchlib.free_port()
        server = subprocess.Popen(
            [
                str(Path(sys.executable).parent / "gunicorn"), "--bind", f"127.0.0.1:{port}",
                "--workers", "1", "--worker-class", "sync", "--timeout", "120",
                "--access-logfile", "/dev/null", "--chdir", str(ROOT), "cms.wsgi:application",
            ],
            env=env, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        wait_for(port, server)
        print("Harvesting over HTTP ...", flush=True)
        result = harvest(port, server.pid, depth)
        first = repeat(port, "verb=ListRecords&metadataPrefix=oai_dc", args.repeat)
        deep = repeat(port, "verb=ListRecords&resumptionToken=" + urllib.parse.quote(result["deep_token"]), args.repeat)  # fmt: skip
        server.terminate()
        server.wait(30)
        server = None

        print("Limit: sqlite3 + lxml in-process ...", flush=True)
        out = subprocess.run(
            [sys.executable, __file__, "--child-limit", str(var / "sen.sqlite3"), str(args.page_size)],  # fmt: skip
            env=env, check=True, capture_output=True, text=True,
        )  # fmt: skip
        bare = json.loads(out.stdout.strip().splitlines()[-1])
    finally:
        if server is not None:
            server.terminate()
            server.wait(30)
        log.close()
        if not args.keep:
            shutil.rmtree(var, ignore_errors=True)

    report(args, facts, depth, result, first, deep, bare)


def report(args, facts, depth, result, first, deep, bare):
    latencies = result["latencies"]
    ratio = deep / first if first else 0
    to_limit = result["rps"] / bare["rps"] if bare["rps"] else 0
    print()
    print(f"OAI-PMH ListRecords oai_dc at {args.count:,} records, pages of {args.page_size}, gunicorn 1 sync worker")  # fmt: skip
    print(f"  harvest     {result['records']:,} records in {result['pages']:,} pages, {result['seconds']:.1f} s: {result['rps']:,.0f} records/s")  # fmt: skip
    print(f"  limit       {bare['records']:,} records, sqlite3 + lxml in-process: {bare['rps']:,.0f} records/s; harvest/limit {to_limit:.2f}")  # fmt: skip
    print(f"  page 1      median {first * 1000:.1f} ms ({args.repeat} requests); in the harvest {latencies[0] * 1000:.1f} ms")  # fmt: skip
    print(f"  page {depth:,}  median {deep * 1000:.1f} ms ({args.repeat} requests); in the harvest {latencies[depth - 1] * 1000:.1f} ms; ratio {ratio:.2f}")  # fmt: skip
    print(f"  pages       p50 {benchlib.percentile(latencies, 0.5) * 1000:.1f} ms, p95 {benchlib.percentile(latencies, 0.95) * 1000:.1f} ms")  # fmt: skip
    samples = ", ".join(f"p{page}: {mb:.0f}" for page, mb in result["rss"])
    print(f"  worker RSS  MB after page {samples}; peak (VmHWM) {result['peak_mb']:.0f} MB")
    print()
    print(f"Goal: >= {GOAL_RPS:,} records/s: {result['rps']:,.0f}, {'met' if result['rps'] >= GOAL_RPS else 'NOT met'}")  # fmt: skip
    print(f"Goal: page {depth:,} within 20% of page 1: {ratio:.2f}x, {'met' if ratio <= GOAL_DEPTH_RATIO else 'NOT met'}")  # fmt: skip
    rss = [mb for _page, mb in result["rss"]]
    growth = rss[-1] - rss[1] if len(rss) > 1 else 0
    print(f"Memory from page 10 to the end: {growth:+.0f} MB ({'flat' if abs(growth) < 10 else 'grows'})")  # fmt: skip
    benchlib.append_csv(
        "feed.csv",
        [
            {
                "when": benchlib.now_iso(),
                "git": facts.get("git"),
                "records": args.count,
                "page_size": args.page_size,
                "rps": round(result["rps"]),
                "limit_rps": round(bare["rps"]),
                "x_limit": round(to_limit, 3),
                "page1_ms": round(first * 1000, 1),
                f"page{depth}_ms": round(deep * 1000, 1),
                "depth_ratio": round(ratio, 3),
                "peak_rss_mb": round(result["peak_mb"]),
                "rss_growth_mb": round(growth),
            }
        ],
    )


if __name__ == "__main__":
    main()
