"""U1: bulk upload end to end, real processes, against the limit (bare Pillow +
imagehash + tesseract on the same photos).

    .venv/bin/python bench/ingest.py [--photos 500] [--quick] [--limit-photos M] [--keep]

On a temporary SQLite database and SEN_VAR_DIR: `manage.py runserver` (gunicorn is
not installed) and `manage.py db_worker` run as they do under `make run`. A client
speaking plain HTTP (http.client; multipart from urllib3) logs in to the admin,
creates a batch and uploads every photo, four at a time like the upload page. The run
ends when the last ingest.Job row is done or failed.

The limit is one process doing for each photo what the worker's two jobs do, the
plainest way: the site's 11 renditions (bench/benchlib.py bare_spec, one decode
each), the perceptual hash as ingest/operations.py set_perceptual_hash computes it,
and ingest/markings.py's tesseract runs (language, page segmentation, one run per
binarisation pass, read from that module at run time) on the photo's green channel at
MAX_OCR_SIDE. Sen's stamp-frame eraser and line rebuilding are not in the limit: they
are Sen's own overhead.

Then the worker is stopped and a second set of photos is uploaded: if the upload
request does no derivative work, its latency must not depend on the worker.
"""

import argparse
import concurrent.futures
import contextlib
import datetime
import http.client
import json
import multiprocessing
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import benchlib
from renditions import django_env

GOAL_SPEED = 0.7  # end-to-end photos/s >= 0.7x the limit's
CONCURRENCY = 4  # ingest/static/ingest/upload.js CONCURRENCY
USERNAME = "bench"


# --- Photos ---------------------------------------------------------------------------


def _make_photo(job):
    path, width, height, seed = job
    picture = benchlib.photo_like(width, height, seed)
    benchlib.save_jpeg(picture, path, 88, seed=seed)
    return path


def make_photos(folder, count, size, first_seed, prefix):
    folder.mkdir(parents=True, exist_ok=True)
    jobs = [
        (str(folder / f"{prefix}-{i + 1:04d}.jpg"), size[0], size[1], first_seed + i)
        for i in range(count)
    ]
    with multiprocessing.Pool(max(1, len(os.sched_getaffinity(0)))) as pool:
        return pool.map(_make_photo, jobs, chunksize=4)


# --- Children: Sen's settings, the limit, the site's setup -----------------------------------


def _django():
    sys.path.insert(0, str(benchlib.ROOT))
    os.chdir(benchlib.ROOT)
    import django

    django.setup()


def child_info():
    """What the limit must do as Sen does: its specs, encoder and OCR call."""
    _django()
    from ingest.renditions import site_filter_specs

    from ingest import markings

    return {
        "specs": site_filter_specs(),
        "encoder": benchlib.sen_encoder_options(),
        "ocr": {
            "language": markings.OCR_LANGUAGE,
            "psm": markings.OCR_PSM,
            # One tesseract run per pass; on a clean photo every pass runs.
            "passes": [
                list(config)
                for config in getattr(markings, "OCR_PASSES", None)
                or [getattr(markings, "OCR_CONFIG", [])]
            ],
            "max_side": markings.MAX_OCR_SIDE,
        },
    }


def child_limit(manifest):
    import imagehash
    from PIL import Image, ImageOps

    benchlib.use_encoder_options(manifest["info"]["encoder"])
    specs = manifest["info"]["specs"]
    ocr = manifest["info"]["ocr"]
    argv_tails = [
        ["stdout", "-l", ocr["language"], "--psm", ocr["psm"], *config, "tsv"]
        for config in ocr["passes"]
    ]
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}  # as ingest/markings.py runs it
    out = Path(tempfile.mkdtemp(prefix="sen-bench-limit-"))
    phases = {"renditions": 0.0, "phash": 0.0, "ocr_prepare": 0.0, "tesseract": 0.0}
    status = benchlib.vm_status()
    rss_start = status["VmRSS"]
    started = time.perf_counter()
    cpu = os.times()
    tesseract_children = 0.0
    try:
        for index, path in enumerate(manifest["photos"]):
            t = time.perf_counter()
            for number, spec in enumerate(specs):
                benchlib.bare_spec(path, spec, out / f"{index}-{number}")
            phases["renditions"] += time.perf_counter() - t
            t = time.perf_counter()
            with Image.open(path) as picture:
                picture.draft("RGB", (256, 256))
                picture = ImageOps.exif_transpose(picture)
                picture.thumbnail((256, 256))
                str(imagehash.phash(picture))
            phases["phash"] += time.perf_counter() - t
            t = time.perf_counter()
            side = ocr["max_side"]
            with Image.open(path) as picture:
                picture.draft("RGB", (side, side))
                picture = ImageOps.exif_transpose(picture).convert("RGB")
            picture.thumbnail((side, side))
            png = out / "ocr.png"
            # Sen reads the green channel (ingest/markings.py _prepare_for_ocr).
            picture.getchannel("G").save(png)
            phases["ocr_prepare"] += time.perf_counter() - t
            t = time.perf_counter()
            for tail in argv_tails:
                subprocess.run(
                    ["tesseract", str(png), *tail], env=env, capture_output=True, check=True
                )
            phases["tesseract"] += time.perf_counter() - t
    finally:
        shutil.rmtree(out, ignore_errors=True)
    seconds = time.perf_counter() - started
    end_cpu = os.times()
    tesseract_children = (end_cpu.children_user - cpu.children_user) + (
        end_cpu.children_system - cpu.children_system
    )
    return {
        "photos": len(manifest["photos"]),
        "seconds": seconds,
        "cpu_seconds": (end_cpu.user - cpu.user)
        + (end_cpu.system - cpu.system)
        + tesseract_children,
        "phases": phases,
        "rss_start_mb": rss_start,
        "peak_rss_mb": benchlib.vm_status()["VmHWM"],
        "argv": [" ".join(["tesseract", "<png>", *tail]) for tail in argv_tails],
    }


def child_setup(password):
    _django()
    from django.contrib.auth import get_user_model

    from assets.models import Organisation
    from assets.operations import create_organisation

    get_user_model().objects.create_superuser(USERNAME, "bench@example.org", password)
    organisation = create_organisation(
        names={"vi": "Sở Bench"}, kind=Organisation.Kind.DEPARTMENT, parent=None, user=None
    )
    return {"organisation": organisation.pk}


def child_main(args):
    if args.child == "info":
        result = child_info()
    elif args.child == "limit":
        result = child_limit(json.loads(Path(args.manifest).read_text()))
    else:
        result = child_setup(os.environ["SEN_BENCH_PASSWORD"])
    sys.stdout.write("\nRESULT " + json.dumps(result) + "\n")


def run_child(name, env, manifest=None):
    argv = [benchlib.python(), __file__, "--child", name]
    if manifest:
        argv += ["--manifest", str(manifest)]
    completed = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)
    lines = [line for line in completed.stdout.splitlines() if line.startswith("RESULT ")]
    if completed.returncode != 0 or not lines:
        sys.stderr.write(completed.stdout[-3000:] + completed.stderr[-5000:])
        raise SystemExit(f"The {name} child failed (exit {completed.returncode}).")
    return json.loads(lines[-1].removeprefix("RESULT "))


# --- Processes ------------------------------------------------------------------------------


class Processes:
    """The site and the worker, each in its own process group, always ended."""

    def __init__(self, env, logs):
        self.env, self.logs, self.running = env, logs, {}

    def start(self, name, argv):
        log = open(self.logs / f"{name}.log", "w")  # noqa: SIM115 - closed in stop()
        process = subprocess.Popen(
            argv,
            cwd=benchlib.ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.running[name] = (process, log)
        return process

    def stop(self, name, timeout=30):
        process, log = self.running.pop(name)
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        log.close()

    def stop_all(self):
        for name in list(self.running):
            with contextlib.suppress(ProcessLookupError):
                self.stop(name)


class MemorySampler(threading.Thread):
    """Samples a process and its descendants (tesseract) every 50 ms: the process's
    own VmHWM, each child program's largest VmHWM and the largest total RSS of the
    tree. A child still called like its parent is a fork not yet exec'd (it shows
    the parent's memory), so it is left out."""

    def __init__(self, pid):
        super().__init__(daemon=True)
        self.pid, self.stopped = pid, threading.Event()
        self.own_peak = self.tree_peak = 0.0
        self.child_peaks = {}

    def run(self):
        own_name = benchlib.process_name(self.pid)
        while not self.stopped.is_set():
            own = benchlib.vm_status(self.pid)
            if own is None:
                return
            self.own_peak = max(self.own_peak, own["VmHWM"])
            total = own["VmRSS"]
            for child in benchlib.descendants(self.pid):
                name = benchlib.process_name(child)
                status = benchlib.vm_status(child)
                if not status or not name or name == own_name:
                    continue
                self.child_peaks[name] = max(self.child_peaks.get(name, 0.0), status["VmHWM"])
                total += status["VmRSS"]
            self.tree_peak = max(self.tree_peak, total)
            self.stopped.wait(0.05)

    def stop(self):
        self.stopped.set()
        self.join(2)

    def children_text(self):
        return (
            ", ".join(f"{name} {peak:.0f} MB" for name, peak in sorted(self.child_peaks.items()))
            or "none seen"
        )


# --- The HTTP client --------------------------------------------------------------------------


class Client:
    """Cookies and CSRF by hand over http.client: a real browser's requests, not
    Django's test client. One connection per thread, kept alive when the server
    allows it."""

    def __init__(self, port):
        self.port, self.cookies, self.local = port, {}, threading.local()

    def _connection(self, fresh=False):
        if fresh or getattr(self.local, "connection", None) is None:
            self.local.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=600)
        return self.local.connection

    def request(self, method, path, body=None, headers=None):
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if method == "POST" and "csrftoken" in self.cookies:
            headers.setdefault("X-CSRFToken", self.cookies["csrftoken"])
        for attempt in (0, 1):
            connection = self._connection(fresh=attempt == 1)
            try:
                connection.request(method, path, body=body, headers=headers)
                response = connection.getresponse()
                data = response.read()
                break
            except (http.client.RemoteDisconnected, ConnectionError, BrokenPipeError):
                connection.close()
                if attempt:
                    raise
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _sep, rest = value.partition("=")
                self.cookies[name.strip()] = rest.split(";", 1)[0]
        if response.getheader("Connection", "").lower() == "close":
            connection.close()
            self.local.connection = None
        return response.status, response.getheader("Location"), data

    def login(self, password):
        status, _location, page = self.request("GET", "/admin/login/")
        match = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        if status != 200 or not match:
            raise SystemExit(f"GET /admin/login/ answered {status} without a CSRF token")
        form = urllib.parse.urlencode(
            {
                "csrfmiddlewaretoken": match.group(1).decode(),
                "username": USERNAME,
                "password": password,
                "next": "/admin/",
            }
        )
        status, location, _data = self.request(
            "POST",
            "/admin/login/",
            form,
            {"Content-Type": "application/x-www-form-urlencoded"},
        )
        if status != 302 or "sessionid" not in self.cookies:
            raise SystemExit(f"Login failed: {status} {location}")

    def create_batch(self, organisation):
        form = urllib.parse.urlencode(
            {
                "organisation": organisation,
                "information_class": "promotion",
                "edition_language": "vi",
            }
        )
        status, _location, data = self.request(
            "POST",
            "/admin/upload/batches/",
            form,
            {"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"},
        )
        if status != 200:
            raise SystemExit(f"Creating a batch answered {status}: {data[:500]!r}")
        return json.loads(data)["upload_url"]

    def upload(self, upload_url, path):
        from urllib3 import encode_multipart_formdata

        name = os.path.basename(path)
        body, content_type = encode_multipart_formdata(
            {"file": (name, Path(path).read_bytes(), "image/jpeg")}
        )
        began = time.perf_counter()
        status, _location, data = self.request(
            "POST", upload_url, body, {"Content-Type": content_type, "Accept": "application/json"}
        )
        elapsed = time.perf_counter() - began
        try:
            result = json.loads(data).get("status", "?")
        except ValueError:
            result = "not json"
        return {"name": name, "status": status, "result": result, "seconds": elapsed}


def upload_all(client, upload_url, photos):
    with concurrent.futures.ThreadPoolExecutor(CONCURRENCY) as pool:
        return list(pool.map(lambda path: client.upload(upload_url, path), photos))


def wait_for_site(port, process, timeout=120):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit("runserver exited; see its log")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", "/admin/login/")
            if connection.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("runserver did not answer in time")


# --- The database, read-only ------------------------------------------------------------------


def read_db(db_path, sql, params=()):
    connection = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, timeout=30)
    try:
        return connection.execute(sql, params).fetchall()
    finally:
        connection.close()


def wait_for_jobs(db_path, expected, max_wait):
    """Until `expected` jobs exist and none is queued or running."""
    deadline = time.monotonic() + max_wait
    last_report = time.monotonic()
    while True:
        counts = dict(read_db(db_path, "SELECT status, COUNT(*) FROM ingest_job GROUP BY status"))
        total = sum(counts.values())
        open_jobs = counts.get("queued", 0) + counts.get("running", 0)
        if total >= expected and open_jobs == 0:
            return counts
        if time.monotonic() > deadline:
            print(f"  gave up waiting after {max_wait} s: {counts}")
            return counts
        if time.monotonic() - last_report > 60:
            done = counts.get("done", 0) + counts.get("failed", 0)
            print(f"  … {done}/{expected} jobs finished")
            last_report = time.monotonic()
        time.sleep(0.5)


def db_time(value):
    """A DateTimeField as SQLite holds it (UTC, naive) to a Unix time."""
    parsed = datetime.datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=datetime.UTC)
    return parsed.timestamp()


# --- The run ------------------------------------------------------------------------------------


def latency_summary(uploads):
    times = [u["seconds"] * 1000 for u in uploads]
    return {
        "p50": benchlib.percentile(times, 0.5),
        "p95": benchlib.percentile(times, 0.95),
        "max": max(times) if times else float("nan"),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--photos", type=int, default=500)
    parser.add_argument("--quick", action="store_true", help="20 photos of 1200x800")
    parser.add_argument(
        "--limit-photos",
        type=int,
        help="photos the limit is measured on (default all; they are all alike)",
    )
    parser.add_argument(
        "--stopped-photos",
        type=int,
        help="photos uploaded with the worker stopped (default min(photos, 100))",
    )
    parser.add_argument("--max-wait", type=int, default=3600, help="seconds to wait for jobs")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    parser.add_argument("--child", choices=("info", "limit", "setup"), help=argparse.SUPPRESS)
    parser.add_argument("--manifest", help=argparse.SUPPRESS)
    args = parser.parse_args()
    # `timeout` and Ctrl-C alike: unwind, so that `finally` ends our processes.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    if args.child:
        child_main(args)
        return 0

    count = 20 if args.quick else args.photos
    size = (1200, 800) if args.quick else (3000, 2000)
    stopped_count = args.stopped_photos or min(count, 100)
    limit_count = min(args.limit_photos or count, count)
    began = time.perf_counter()
    facts = benchlib.machine_facts()
    code = benchlib.file_digest(
        "ingest/renditions.py",
        "ingest/operations.py",
        "ingest/markings.py",
        "ingest/batches.py",
        "ingest/views.py",
        "assets/validators.py",
    )
    print("U1 ingest: bulk upload end to end against the limit (bare Pillow + phash + OCR)")
    benchlib.print_facts(facts, f"ingest/* + assets/validators.py {code}")
    work = Path(tempfile.mkdtemp(prefix="sen-bench-ingest-"))
    processes = None
    try:
        var_dir = work / "var"
        var_dir.mkdir()
        db_path = var_dir / "sen.sqlite3"
        env = django_env(var_dir)
        env.update(
            {
                # A failed attempt is retried after 5 s instead of 60 (then 10, 20):
                # the run waits for retries, not for the clock.
                "SEN_JOB_RETRY_DELAY": "5",
                "SEN_LOG_LEVEL": "WARNING",
                "SEN_BENCH_PASSWORD": os.urandom(12).hex(),
            }
        )
        t0 = time.perf_counter()
        photos = make_photos(work / "photos", count, size, 1000, "anh")
        stopped_photos = make_photos(work / "photos-stopped", stopped_count, size, 50000, "tat")
        print(
            f"Photos: {count} + {stopped_count} of {size[0]}x{size[1]} JPEG q88 with EXIF, "
            f"{sum(os.path.getsize(p) for p in photos) / count / 1e6:.2f} MB each "
            f"({time.perf_counter() - t0:.0f} s to make, not timed)"
        )
        info = run_child("info", env)
        manifest = work / "manifest.json"
        manifest.write_text(json.dumps({"info": info, "photos": photos[:limit_count]}))
        print(f"Site specs ({len(info['specs'])}): {', '.join(info['specs'])}")

        # The limit, on a quiet machine (nothing of ours running yet).
        limit = run_child("limit", env, manifest)
        limit_rate = limit["photos"] / limit["seconds"]
        phases = ", ".join(
            f"{k} {v / limit['photos'] * 1000:.0f}" for k, v in limit["phases"].items()
        )
        print(
            f"Limit: {limit['photos']} photos in {limit['seconds']:.1f} s = {limit_rate:.2f} photos/s "
            f"(ms per photo: {phases}); peak RSS {limit['peak_rss_mb']:.0f} MB"
        )
        print(f"  OCR calls per photo: {' ; '.join(limit['argv'])} (OMP_THREAD_LIMIT=1)")

        t0 = time.perf_counter()
        for argv in (
            ["manage.py", "migrate", "--noinput", "-v", "0"],
            ["manage.py", "update_translation_fields", "-v", "0"],
        ):
            subprocess.run(
                [benchlib.python(), *argv],
                cwd=benchlib.ROOT,
                env=env,
                check=True,
                capture_output=True,
            )
        setup = run_child("setup", env)
        print(f"Setup: migrate, superuser, organisation ({time.perf_counter() - t0:.0f} s)")

        processes = Processes(env, work)
        worker = processes.start(
            "worker",
            [benchlib.python(), "manage.py", "db_worker", "--no-startup-delay", "--no-reload"],
        )
        port = benchlib.free_port()
        server = processes.start(
            "server",
            [benchlib.python(), "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
        )
        wait_for_site(port, server)
        worker_memory = MemorySampler(worker.pid)
        worker_memory.start()
        server_memory = MemorySampler(server.pid)
        server_memory.start()
        print(
            f"Site: manage.py runserver 127.0.0.1:{port} --noreload (gunicorn is not installed); "
            "worker: manage.py db_worker --no-startup-delay --no-reload; DEBUG off"
        )

        client = Client(port)
        client.login(env["SEN_BENCH_PASSWORD"])
        upload_url = client.create_batch(setup["organisation"])

        # Phase 1: uploads with the worker running; the clock stops at the last job.
        start = time.time()
        uploads = upload_all(client, upload_url, photos)
        uploads_done = time.time()
        accepted = sum(1 for u in uploads if u["result"] == "accepted")
        print(
            f"Uploaded {len(uploads)} photos in {uploads_done - start:.1f} s "
            f"({accepted} accepted); waiting for the jobs…"
        )
        counts = wait_for_jobs(db_path, 2 * accepted, args.max_wait)
        finished = read_db(db_path, "SELECT MAX(finished_at) FROM ingest_job")[0][0]
        end = db_time(finished) if finished else time.time()
        worker_memory.stop()
        rows = read_db(
            db_path,
            "SELECT kind, status, attempts, started_at, finished_at, last_error FROM ingest_job",
        )
        retried = sum(1 for row in rows if row[2] > 1)
        failed = [row for row in rows if row[1] == "failed"]
        job_seconds = {}
        for kind, status, _attempts, started_at, finished_at, _error in rows:
            if status == "done" and started_at and finished_at:
                job_seconds.setdefault(kind, []).append(db_time(finished_at) - db_time(started_at))
        renditions = read_db(db_path, "SELECT COUNT(*) FROM assets_senrendition")[0][0]
        phase1 = latency_summary(uploads)

        # Phase 2: the worker stopped; the same kind of photos, uploaded the same way.
        processes.stop("worker")
        before = read_db(db_path, "SELECT COALESCE(MAX(id), 0) FROM assets_senimage")[0][0]
        upload_url = client.create_batch(setup["organisation"])
        stopped = upload_all(client, upload_url, stopped_photos)
        phase2 = latency_summary(stopped)
        made_meanwhile = read_db(
            db_path,
            "SELECT COUNT(*) FROM assets_senrendition WHERE image_id > ?",
            (before,),
        )[0][0]
        server_memory.stop()

        elapsed = end - start
        rate = accepted / elapsed if elapsed > 0 else float("nan")
        ratio = rate / limit_rate
        http_errors = sum(1 for u in uploads + stopped if u["status"] != 200)
        refused = sum(1 for u in uploads + stopped if u["result"] != "accepted")
        print()
        print(f"End to end: {accepted} photos in {elapsed:.1f} s = {rate:.2f} photos/s")
        print(f"  limit {limit_rate:.2f} photos/s -> Sen at {ratio:.2f}× the limit")
        print(f"Sen ≥ {GOAL_SPEED}× limit: {'yes' if ratio >= GOAL_SPEED and not failed else 'no'}")
        print(
            f"Jobs: {counts} (of {2 * accepted} expected); failed {len(failed)}, "
            f"retried {retried}; renditions made {renditions} "
            f"({renditions / max(1, accepted):.1f} per photo)"
        )
        for kind, values in sorted(job_seconds.items()):
            print(
                f"  {kind} job: mean {sum(values) / len(values) * 1000:.0f} ms, "
                f"p95 {benchlib.percentile(values, 0.95) * 1000:.0f} ms"
            )
        for row in failed[:5]:
            print(f"  failed {row[0]}: {(row[5] or '').strip().splitlines()[-1:]}")
        print(
            f"Upload requests, worker running ({len(uploads)}): p50 {phase1['p50']:.0f} ms, "
            f"p95 {phase1['p95']:.0f} ms, max {phase1['max']:.0f} ms"
        )
        print(
            f"Upload requests, worker stopped ({len(stopped)}): p50 {phase2['p50']:.0f} ms, "
            f"p95 {phase2['p95']:.0f} ms, max {phase2['max']:.0f} ms"
        )
        print(
            f"  p95 running/stopped: {phase1['p95'] / phase2['p95']:.2f}×; renditions made "
            f"while the worker was stopped: {made_meanwhile} (0 = no derivative work in the "
            "request; a higher p95 with the worker running is CPU shared on "
            f"{facts['cores']} cores, not work done by the request)"
        )
        print(
            f"HTTP errors {http_errors}, refused files {refused}; uploads took "
            f"{uploads_done - start:.1f} s of the {elapsed:.1f} s"
        )
        print(
            f"Peak RSS: worker {worker_memory.own_peak:.0f} MB (VmHWM), its children "
            f"({worker_memory.children_text()}), worker tree "
            f"{worker_memory.tree_peak:.0f} MB; runserver {server_memory.own_peak:.0f} MB; "
            f"limit process {limit['peak_rss_mb']:.0f} MB"
        )
        print(f"Total run time {time.perf_counter() - began:.0f} s")
        common = {
            "timestamp": benchlib.now_iso(),
            "bench": "ingest",
            "quick": int(args.quick),
            "cpu": facts["cpu"],
            "cores": facts["cores"],
            "python": facts["python"],
            "pillow": facts["pillow"],
            "git": facts["git"],
            "code": code,
            "load_before": round(os.getloadavg()[0], 2),
        }
        path = benchlib.append_csv(
            "ingest.csv",
            [
                {
                    **common,
                    "way": "limit",
                    "photos": limit["photos"],
                    "seconds": round(limit["seconds"], 2),
                    "photos_per_s": round(limit_rate, 3),
                    "ratio_to_limit": 1.0,
                    "upload_p50_ms": "",
                    "upload_p95_ms": "",
                    "upload_max_ms": "",
                    "peak_rss_mb": round(limit["peak_rss_mb"], 1),
                    "jobs_failed": "",
                    "jobs_retried": "",
                },
                {
                    **common,
                    "way": "sen",
                    "photos": accepted,
                    "seconds": round(elapsed, 2),
                    "photos_per_s": round(rate, 3),
                    "ratio_to_limit": round(ratio, 3),
                    "upload_p50_ms": round(phase1["p50"]),
                    "upload_p95_ms": round(phase1["p95"]),
                    "upload_max_ms": round(phase1["max"]),
                    "peak_rss_mb": round(worker_memory.own_peak, 1),
                    "jobs_failed": len(failed),
                    "jobs_retried": retried,
                },
                {
                    **common,
                    "way": "sen-worker-stopped",
                    "photos": len(stopped),
                    "seconds": "",
                    "photos_per_s": "",
                    "ratio_to_limit": "",
                    "upload_p50_ms": round(phase2["p50"]),
                    "upload_p95_ms": round(phase2["p95"]),
                    "upload_max_ms": round(phase2["max"]),
                    "peak_rss_mb": round(server_memory.own_peak, 1),
                    "jobs_failed": "",
                    "jobs_retried": "",
                },
            ],
        )
        print(f"Appended 3 rows to {path.relative_to(benchlib.ROOT)}")
        return 1 if failed or http_errors or refused else 0
    finally:
        if processes is not None:
            processes.stop_all()
        if args.keep:
            print(f"Kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
