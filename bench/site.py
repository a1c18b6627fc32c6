"""P2/P3: the public site at N published assets, against the limits, in one run.

    .venv/bin/python bench/site.py [--count 100000] [--quick] [--seconds 5]
                                   [--clients 2] [--threads 4] [--workers 2] [--keep]

A temporary Sen (SQLite in a temporary SEN_VAR_DIR, production settings) gets N
published photos with topics, places and renditions (rows, plus the files of a few
dozen shared images), indexed for search. Then gunicorn serves it with `--workers`
sync workers, twice: once with the page cache off (uncached) and once with it on
(cached, the embedded default's file cache; production would use CACHE_URL). In each
run, with the same server and load, the bench measures:

  hello       a Django view returning a constant, through Sen's middleware (limit)
  static      a static file (Sen's stylesheet) served by Django (limit)
  home        /vi/
  topic       a topic page
  search      /vi/search/?q=can tho (diacritics folded)
  photo       a photo's detail page

Load: `--clients` processes × `--threads` threads, each a loop of GET requests on a
new connection (gunicorn's sync workers close every connection), for `--seconds`
per target after a warm-up. Printed per target: requests/s, p50 and p95 latency, the
ratio to hello world's requests/s; and the number of SQL queries of each page at
1,000 assets and at N assets (Django's test client, cache off): the same number is
the goal. Goals (issue 6): uncached photo p95 <= 80 ms; cached pages >= 0.7x hello.

Results are appended to bench/results/site.csv.
"""

import argparse
import http.client
import json
import multiprocessing
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import benchlib

ROOT = benchlib.ROOT
BENCH = Path(__file__).resolve().parent
GOAL_P95_MS = 80
GOAL_CACHED_RATIO = 0.7
SHARED_IMAGES = 40


# --- The data (runs in a child process with Django set up) ------------------------------


def _django():
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def child_setup(count, manifest_path):
    """Migrate, then make `count` published photos; write the targets and the query
    counts at 1,000 and at `count` photos to `manifest_path`."""
    _django()
    import datetime
    import random

    from django.core.files.base import ContentFile
    from django.core.management import call_command
    from django.utils import timezone
    from ingest.renditions import make_renditions, site_filter_specs
    from modeltranslation.utils import build_localized_fieldname

    from assets import operations
    from assets.models import Licence, Photo, Place, SenImage, Topic
    from cms import published
    from cms.models import ProvinceSettings
    from search import index as search_index

    call_command("migrate", "--noinput", verbosity=0)
    call_command("update_translation_fields", verbosity=0)
    call_command("collectstatic", "--noinput", verbosity=0)
    province = ProvinceSettings.load()
    province.province_name = province.province_name_vi = "Cần Thơ"
    province.province_name_en = "Can Tho"
    province.save()

    organisation = operations.create_organisation(
        names={"vi": "Sở Văn hoá, Thể thao và Du lịch", "en": "Department of Culture"},
        kind="department",
    )
    licence = Licence.objects.get(code="cc-by-4.0")
    topics = list(Topic.objects.all())
    places = Place.objects.bulk_create(
        [Place(name=f"Phường {i}", name_vi=f"Phường {i}", kind="ward") for i in range(100)]
    )
    # A few dozen real images with real renditions, shared by every photo: the page
    # work is the same as with one image per photo, the setup minutes are not.
    images = []
    for seed in range(SHARED_IMAGES):
        picture = benchlib.photo_like(1800, 1200, seed)
        path = Path(tempfile.gettempdir()) / f"sen-bench-{os.getpid()}-{seed}.jpg"
        benchlib.save_jpeg(picture, path, 85, seed=seed)
        image = SenImage(title=f"bench {seed}", collection=organisation.collection)
        image.file.save(path.name, ContentFile(path.read_bytes()), save=False)
        image.width, image.height = picture.size
        SenImage.objects.bulk_create([image])
        image = SenImage.objects.order_by("-pk").first()
        make_renditions(image, site_filter_specs())
        path.unlink()
        images.append(image)

    rng = random.Random(1)
    now = timezone.now()
    lookups = search_index.Lookups()
    counts = {}
    targets = None

    def photo(i):
        title = "Cần Thơ về đêm" if i % 997 == 0 else f"Ảnh {i}: phong cảnh sông nước miền Tây"
        fields = {
            build_localized_fieldname("title", "vi"): title,
            build_localized_fieldname("title", "en"): f"Photo {i}: Mekong river landscape",
            build_localized_fieldname("description", "vi"): "Mô tả ảnh " * 20,
        }
        published_at = now - datetime.timedelta(minutes=i)
        return Photo(
            title=title,
            **fields,
            image=images[i % len(images)],
            organisation=organisation,
            collection_id=organisation.collection_id,
            licence=licence,
            place=places[i % len(places)],
            date=datetime.date(2000 + i % 25, 1 + i % 12, 1),
            author="Nguyễn Văn A",
            credit_line="Ảnh: Sở VHTTDL",
            live=True,
            first_published_at=published_at,
            last_published_at=published_at,
        )

    made = 0
    chunk = 5000
    started = time.perf_counter()
    while made < count:
        size = min(chunk, count - made, 1000 - made if made < 1000 else chunk)
        batch = Photo.objects.bulk_create([photo(made + i) for i in range(size)])
        batch = list(Photo.objects.order_by("-pk")[:size])
        Photo.topics.through.objects.bulk_create(
            [Photo.topics.through(photo_id=p.pk, topic_id=rng.choice(topics).pk) for p in batch]
        )
        # bulk_create sends no signal: Sen's index is written here, as its task would.
        search_index.write(
            search_index.indexed(photo, lookups)
            for photo in search_index.assets_of("photos").filter(pk__in=[p.pk for p in batch])
        )
        made += size
        if made == 1000 or (made == count and count < 1000):
            targets = _targets(topics)
            counts[str(made)] = _query_counts(targets)
        print(f"  {made:,} photos ({time.perf_counter() - started:.0f} s)", flush=True)
    counts[str(count)] = _query_counts(targets)
    middle = Photo.objects.order_by("pk")[count // 2]
    targets["photo"] = published.public_url(middle, "vi")
    counts[str(count)]["photo"] = _query_counts({"photo": targets["photo"]})["photo"]
    Path(manifest_path).write_text(json.dumps({"targets": targets, "queries": counts}))


def _targets(topics):
    from assets.models import Photo
    from cms import published

    first = Photo.objects.order_by("pk").first()
    # Search last: a slow search keeps gunicorn's sync workers busy after the client
    # gives up, and would be counted against the next target.
    return {
        "home": "/vi/",
        "topic": f"/vi/topics/{topics[0].slug}/",
        "photo": published.public_url(first, "vi"),
        "search": "/vi/search/?q=can+tho",
    }


def _query_counts(targets):
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    settings.SEN_PAGE_CACHE_SECONDS = 0
    client = Client()
    result = {}
    for name, url in targets.items():
        client.get(url)  # per-process caches (site, settings) warm, as in a server
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        if response.status_code != 200:
            raise SystemExit(f"{url} answered {response.status_code}")
        result[name] = len(queries)
    return result


# --- Load ---------------------------------------------------------------------------------


def _worker(port, path, seconds, threads, queue):
    import threading

    latencies, errors = [], []
    deadline = time.perf_counter() + seconds

    def loop():
        while time.perf_counter() < deadline:
            start = time.perf_counter()
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            try:
                connection.request("GET", path, headers={"Host": "127.0.0.1"})
                response = connection.getresponse()
                response.read()
                if response.status != 200:
                    errors.append(response.status)
                else:
                    latencies.append(time.perf_counter() - start)
            except OSError as error:
                errors.append(str(error))
            finally:
                connection.close()

    pool = [threading.Thread(target=loop) for _ in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    queue.put((latencies, errors))


def load(port, path, seconds, clients, threads):
    queue = multiprocessing.Queue()
    processes = [
        multiprocessing.Process(target=_worker, args=(port, path, seconds, threads, queue))
        for _ in range(clients)
    ]
    started = time.perf_counter()
    for process in processes:
        process.start()
    latencies, errors = [], []
    for _ in processes:
        lat, err = queue.get()
        latencies += lat
        errors += err
    for process in processes:
        process.join()
    elapsed = time.perf_counter() - started
    latencies.sort()
    return {
        "rps": len(latencies) / elapsed,
        "p50_ms": 1000 * benchlib.percentile(latencies, 0.50) if latencies else None,
        "p95_ms": 1000 * benchlib.percentile(latencies, 0.95) if latencies else None,
        "requests": len(latencies),
        "errors": len(errors),
        "first_error": errors[0] if errors else None,
    }


def wait_for(port, process, timeout=60):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if process.poll() is not None:
            raise SystemExit("gunicorn exited; see its log")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", "/bench/hello/")
            if connection.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.3)
    raise SystemExit("gunicorn did not answer in time")


def serve_and_measure(env, label, targets, args, log):
    port = benchlib.free_port()
    server = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(args.workers),
            "--worker-class",
            "sync",
            "--access-logfile",
            "-" if args.keep else "/dev/null",
            "--chdir",
            str(ROOT),
            "cms.wsgi:application",
        ],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        wait_for(port, server)
        results = {}
        for name, path in targets.items():
            # Warm-up: every worker imports, connects and (cached run) fills the cache.
            load(port, path, 1, args.clients, args.threads)
            results[name] = load(port, path, args.seconds, args.clients, args.threads)
            r = results[name]
            print(
                f"  {label:9} {name:7} {r['rps']:8.1f} req/s  p50 {r['p50_ms'] or 0:6.1f} ms"
                f"  p95 {r['p95_ms'] or 0:6.1f} ms  errors {r['errors']}",
                flush=True,
            )
        return results
    finally:
        server.terminate()
        server.wait(30)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--quick", action="store_true", help="2,000 assets, 3 s a target")
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--clients", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    parser.add_argument("--child-setup", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child_setup:
        child_setup(int(args.child_setup[0]), args.child_setup[1])
        return
    if args.quick:
        args.count, args.seconds = 2000, 3

    facts = benchlib.machine_facts()
    benchlib.print_facts(facts)
    var = Path(tempfile.mkdtemp(prefix="sen-bench-site-"))
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT), str(BENCH)]),
        "DJANGO_SETTINGS_MODULE": "site_settings",
        "SEN_ENV": "production",
        "DJANGO_SECRET_KEY": "bench-only-secret-key-0123456789abcdefghijklmnop",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        "SEN_SECURE_COOKIES": "0",
        "SEN_VAR_DIR": str(var),
        "SEN_STATIC_ROOT": str(var / "static"),
        "SEN_TASKS_IMMEDIATE": "0",
    }
    env.pop("DATABASE_URL", None)
    env.pop("CACHE_URL", None)
    manifest = var / "manifest.json"
    log = open(var / "server.log", "w")  # noqa: SIM115 - kept open for both servers
    try:
        print(f"Setting up {args.count:,} published photos in {var}", flush=True)
        started = time.perf_counter()
        subprocess.run(
            [
                sys.executable,
                __file__,
                "--child-setup",
                str(args.count),
                str(manifest),
            ],
            env=env,
            check=True,
        )
        print(f"  setup took {time.perf_counter() - started:.0f} s", flush=True)
        data = json.loads(manifest.read_text())
        stylesheet = "/bench/static/" + _static_name(var / "static", "cms/site.css")
        targets = {"hello": "/bench/hello/", "static": stylesheet, **data["targets"]}

        runs = {}
        for label, cache_seconds in (("uncached", "0"), ("cached", "300")):
            shutil.rmtree(var / "cache", ignore_errors=True)
            run_env = {**env, "SEN_PAGE_CACHE_SECONDS": cache_seconds}
            runs[label] = serve_and_measure(run_env, label, targets, args, log)
    finally:
        log.close()
        if not args.keep:
            shutil.rmtree(var, ignore_errors=True)

    report(args, facts, data, runs)


def _static_name(static_root, name):
    """The hashed name ManifestStaticFilesStorage gave the file."""
    manifest = json.loads((static_root / "staticfiles.json").read_text())
    return manifest["paths"].get(name, name)


def report(args, facts, data, runs):
    pages = ("home", "topic", "photo", "search")
    queries = data["queries"]
    sizes = sorted(queries, key=int)
    print()
    print(
        f"Public site at {args.count:,} assets: gunicorn {args.workers} sync workers, "
        f"{args.clients}x{args.threads} clients, {args.seconds:g} s a target"
    )
    header = f"{'target':8} {'run':9} {'req/s':>9} {'p50 ms':>8} {'p95 ms':>8} {'x hello':>8}"
    header += "".join(f" {'queries@' + s:>14}" for s in sizes)
    print(header)
    rows = []
    for label, results in runs.items():
        hello = results["hello"]["rps"]
        for name, r in results.items():
            ratio = r["rps"] / hello if hello else 0
            counts = "".join(
                f" {queries[s].get(name, '-') if name in pages else '-':>14}" for s in sizes
            )
            print(
                f"{name:8} {label:9} {r['rps']:9.1f} {r['p50_ms'] or 0:8.1f}"
                f" {r['p95_ms'] or 0:8.1f} {ratio:8.2f}{counts}"
            )
            rows.append(
                {
                    "when": benchlib.now_iso(),
                    "git": facts.get("git"),
                    "assets": args.count,
                    "run": label,
                    "target": name,
                    "rps": round(r["rps"], 1),
                    "p50_ms": round(r["p50_ms"] or 0, 1),
                    "p95_ms": round(r["p95_ms"] or 0, 1),
                    "x_hello": round(ratio, 3),
                    "errors": r["errors"],
                    "queries": queries[sizes[-1]].get(name, "") if name in pages else "",
                }
            )
    print()
    photo_p95 = runs["uncached"]["photo"]["p95_ms"] or 0
    verdict = "met" if photo_p95 <= GOAL_P95_MS else "NOT met"
    print(f"Goal: uncached photo page p95 <= {GOAL_P95_MS} ms: {photo_p95:.1f} ms, {verdict}")
    hello = runs["cached"]["hello"]["rps"]
    for name in pages:
        ratio = runs["cached"][name]["rps"] / hello if hello else 0
        verdict = "met" if ratio >= GOAL_CACHED_RATIO else "NOT met"
        print(f"Goal: cached {name} >= {GOAL_CACHED_RATIO}x hello world: {ratio:.2f}x, {verdict}")
    constant = all(queries[s] == queries[sizes[0]] for s in sizes)
    print(f"Queries per page the same at {' and '.join(sizes)} assets: {constant}")
    benchlib.append_csv("site.csv", rows)


if __name__ == "__main__":
    main()
