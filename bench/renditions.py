"""R1: Sen's renditions against the limit, bare Pillow, on the same files in one run.

    .venv/bin/python bench/renditions.py [--quick] [--count N] [--repeat R] [--keep]

A photo-like corpus (24 MP JPEG with EXIF, one of them rotated by its orientation tag;
12 MP PNG with alpha; 50 MP TIFF; 12 MP HEIC) is made in a temporary folder, then each
source gets the site's public renditions (max-480/960/1600 in JPEG and WebP) four ways,
each in a fresh process so that its peak RSS is its own:

  limit       bare Pillow: per output open, draft(), exif_transpose(), thumbnail()'s
              resize, encode with Sen's settings; written to disk. The reference.
  limit-once  the same, one decode per source for all six outputs (what a one-decode
              pipeline could reach; shown for context, the goals use `limit`).
  sen         ingest.renditions.make_renditions(image, specs): Sen's pipeline with its
              rows and files, on a temporary SQLite database and storage.
  wagtail     Wagtail's stock path, image.get_renditions(*specs) with SenImage's
              override removed (Willow: full decode + LANCZOS per output, up to 3
              threads; the same encoder settings as Sen).

The ways run in R interleaved rounds (default 3) and each way's fastest round is
reported, so that a neighbour's load on a shared machine does not pick the winner;
CPU seconds are printed beside wall seconds. Only the calls that make renditions are
timed. Setup (corpus, migrate, storing the
files the app's way: validate_upload + store_file) is not; the jobs that storing
queues wait in the database, since no worker runs.
"""

import argparse
import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import benchlib

WAYS = ("limit", "limit-once", "sen", "wagtail")
LIMIT_WAY = "limit"
GOAL_SPEED = 0.8  # Sen >= 0.8x the limit's renditions/s
GOAL_RSS = 1.3  # Sen's peak RSS <= 1.3x the limit's

# (kind, extension, full size, --quick size)
CORPUS = (
    ("jpeg", "jpg", (6000, 4000), (2400, 1600)),
    ("png", "png", (4240, 2832), (1600, 1068)),
    ("tiff", "tif", (8660, 5773), (3000, 2000)),
    ("heic", "heic", (4032, 3024), (1600, 1200)),
)


# --- The corpus ------------------------------------------------------------------------


def make_corpus(folder, count, quick):
    from pillow_heif import register_heif_opener

    register_heif_opener()
    sources = []
    seed = 0
    for kind, extension, full, small in CORPUS:
        width, height = small if quick else full
        for index in range(count):
            seed += 1
            path = Path(folder) / f"{kind}-{index + 1}.{extension}"
            picture = benchlib.photo_like(width, height, seed, alpha=kind == "png")
            if kind == "jpeg":
                # The first JPEG is stored sideways with orientation 6 (rotate 90° CW
                # to show), as a camera held upright writes it.
                benchlib.save_jpeg(
                    picture, path, 90, orientation=6 if index == 0 else None, seed=seed
                )
            elif kind == "png":
                picture.save(path, "PNG")
            elif kind == "tiff":
                picture.save(path, "TIFF", compression="tiff_lzw" if index % 2 else None)
            else:
                # x265's "ultrafast" preset: 6 s instead of 30 s to make; decoding
                # costs the same.
                picture.save(path, "HEIF", quality=80, enc_params={"preset": "ultrafast"})
            sources.append(
                {
                    "name": path.name,
                    "kind": kind,
                    "path": str(path),
                    "size": [width, height],
                    "bytes": path.stat().st_size,
                }
            )
    return sources


# --- Children: one way each ------------------------------------------------------------------


def _child_start():
    status = benchlib.vm_status()
    return status["VmRSS"], time.perf_counter(), os.times()


def _child_end(result, start):
    rss_start, wall_start, cpu_start = start
    cpu_end = os.times()
    status = benchlib.vm_status()
    result.update(
        {
            "seconds": time.perf_counter() - wall_start,
            "cpu_seconds": (cpu_end.user - cpu_start.user) + (cpu_end.system - cpu_start.system),
            "rss_start_mb": rss_start,
            "peak_rss_mb": status["VmHWM"],
            "maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        }
    )
    return result


def run_limit(manifest, once=False):
    from PIL import Image
    from pillow_heif import register_heif_opener

    register_heif_opener()
    Image.MAX_IMAGE_PIXELS = None  # Sen's own limit (120 MP) was checked on upload
    # Sen's encoder settings, as the setup child read them from ingest/renditions.py.
    benchlib.use_encoder_options(manifest["encoder"])
    out_dir = Path(manifest["work"]) / ("out-limit-once" if once else "out-limit")
    out_dir.mkdir(exist_ok=True)
    pairs = [(w, fmt) for w in benchlib.PUBLIC_WIDTHS for fmt in benchlib.PUBLIC_FORMATS]
    per_source = []
    start = _child_start()
    for source in manifest["sources"]:
        began = time.perf_counter()
        if once:
            made = benchlib.bare_outputs_once(source["path"], pairs, out_dir, source["name"])
        else:
            made = {}
            for width, fmt in pairs:
                path = out_dir / f"{source['name']}.{width}.{fmt}"
                made[f"max-{width}x{width}|format-{fmt}"] = benchlib.bare_output(
                    source["path"], width, fmt, path
                )
        per_source.append(
            {
                "name": source["name"],
                "seconds": time.perf_counter() - began,
                "dims": {spec: [w, h] for spec, (w, h, _b) in made.items()},
                "bytes": sum(b for _w, _h, b in made.values()),
            }
        )
    return _child_end(
        {"renditions": sum(len(s["dims"]) for s in per_source), "per_source": per_source}, start
    )


def _django():
    sys.path.insert(0, str(benchlib.ROOT))
    os.chdir(benchlib.ROOT)
    import django

    django.setup()


def run_setup(manifest):
    """Store every source twice the app's way (one copy for `sen`, one for `wagtail`,
    so neither finds the other's renditions), and read Sen's specs and encoder
    settings for the limit."""
    _django()
    from django.conf import settings
    from django.core.files import File
    from ingest.models import Job
    from wagtail.models import Collection

    from assets.models import SenImage
    from assets.operations import store_file
    from assets.validators import validate_upload
    from ingest import renditions

    public = [
        s for s in renditions.site_filter_specs() if s not in settings.SEN_ADMIN_RENDITION_SPECS
    ]
    root = Collection.get_first_root_node()
    ids = {"sen": {}, "wagtail": {}}
    for way in ids:
        for source in manifest["sources"]:
            with open(source["path"], "rb") as handle:
                upload = File(handle, name=source["name"])
                info = validate_upload(upload, "photo")
                record = store_file(
                    "photo", upload, info=info, title=source["name"], collection=root
                )
            ids[way][source["name"]] = record.pk
    images = SenImage.objects.filter(pk__in=[pk for way in ids.values() for pk in way.values()])
    return {
        "public_specs": public,
        "encoder": benchlib.sen_encoder_options(),
        "ids": ids,
        "stored": [image.file.path for image in images],
        "sizes": {str(image.pk): [image.width, image.height] for image in images},
        "jobs_waiting": Job.objects.filter(status=Job.Status.QUEUED).count(),
        "jobs_run": Job.objects.exclude(status=Job.Status.QUEUED).count(),
    }


def _time_django_way(manifest, way, make):
    """Time `make(image, specs)` per source. A source that fails is recorded with its
    error and the run goes on, so one bug does not hide the other numbers."""
    from assets.models import SenImage

    specs = benchlib.public_specs()
    ids = manifest["setup"]["ids"][way]
    images = {name: SenImage.objects.get(pk=pk) for name, pk in ids.items()}
    # A previous round's renditions (rows and files) go first: every round makes all.
    for image in images.values():
        for rendition in image.renditions.all():
            rendition.file.delete(save=False)
        image.renditions.all().delete()
    per_source = []
    start = _child_start()
    for source in manifest["sources"]:
        began = time.perf_counter()
        try:
            made, error = make(images[source["name"]], specs), None
        except Exception as exc:  # noqa: BLE001 - reported per source
            made, error = {}, f"{type(exc).__name__}: {exc}"
        per_source.append(
            {
                "name": source["name"],
                "seconds": time.perf_counter() - began,
                "made": made,
                "error": error,
            }
        )
    result = _child_end({"renditions": sum(len(s["made"]) for s in per_source)}, start)
    for entry in per_source:
        made = entry.pop("made")
        entry["dims"] = {spec: [r.width, r.height] for spec, r in made.items()}
        entry["bytes"] = sum(r.file.size for r in made.values())
    result["per_source"] = per_source
    return result


def run_sen(manifest):
    _django()
    from ingest.renditions import make_renditions

    return _time_django_way(manifest, "sen", make_renditions)


def run_wagtail(manifest):
    _django()
    from wagtail.images.models import AbstractImage

    from assets.models import SenImage

    # Wagtail's stock rendition path: SenImage's shrink-on-load override removed in
    # this process only.
    SenImage.generate_rendition_file = AbstractImage.generate_rendition_file

    def make(image, specs):
        made = image.get_renditions(*specs)
        return {getattr(key, "spec", key): rendition for key, rendition in made.items()}

    return _time_django_way(manifest, "wagtail", make)


def child_main(way, manifest_path):
    manifest = json.loads(Path(manifest_path).read_text())
    if way == "setup":
        result = run_setup(manifest)
    elif way == "limit":
        result = run_limit(manifest)
    elif way == "limit-once":
        result = run_limit(manifest, once=True)
    elif way == "sen":
        result = run_sen(manifest)
    else:
        result = run_wagtail(manifest)
    sys.stdout.write("\nRESULT " + json.dumps(result) + "\n")


# --- The parent ---------------------------------------------------------------------------


def django_env(var_dir):
    env = dict(os.environ)
    env.update(
        {
            "SEN_ENV": "dev",
            "DJANGO_SETTINGS_MODULE": "cms.settings",
            "DJANGO_DEBUG": "false",
            "SEN_VAR_DIR": str(var_dir),
            "DATABASE_URL": f"sqlite:///{var_dir}/sen.sqlite3",
            "SEN_TASKS_IMMEDIATE": "false",  # jobs wait in the database: no worker runs
            "SEN_RENDITIONS_AVIF": "false",
            "SEN_S3_BUCKET": "",
            "ELASTICSEARCH_URL": "",
            "SEN_LOG_LEVEL": "ERROR",
            # A 50 MP RGB TIFF is 150 MB: above Sen's default upload limit (100 MB).
            "SEN_MAX_PHOTO_BYTES": str(512 * 1024 * 1024),
        }
    )
    return env


def run_child(way, manifest_path, env):
    completed = subprocess.run(
        [benchlib.python(), __file__, "--child", way, "--manifest", str(manifest_path)],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    lines = [line for line in completed.stdout.splitlines() if line.startswith("RESULT ")]
    if completed.returncode != 0 or not lines:
        sys.stderr.write(completed.stdout[-3000:] + completed.stderr[-5000:])
        raise SystemExit(f"The {way} child failed (exit {completed.returncode}).")
    return json.loads(lines[-1].removeprefix("RESULT "))


def compare(reference, other):
    """Per source and spec, outputs whose (width, height) differ."""
    mismatches = []
    theirs = {entry["name"]: entry["dims"] for entry in other["per_source"]}
    for entry in reference["per_source"]:
        for spec, dims in entry["dims"].items():
            got = theirs.get(entry["name"], {}).get(spec)
            if got != dims:
                mismatches.append((entry["name"], spec, dims, got))
    return mismatches


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one small file of each type")
    parser.add_argument("--count", type=int, default=2, help="files of each type (default 2)")
    parser.add_argument(
        "--repeat", type=int, help="rounds of all ways, fastest kept (default 3; --quick 1)"
    )
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    parser.add_argument("--child", choices=(*WAYS, "setup"), help=argparse.SUPPRESS)
    parser.add_argument("--manifest", help=argparse.SUPPRESS)
    args = parser.parse_args()
    # `timeout` and Ctrl-C alike: unwind, so that `finally` ends our processes.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    if args.child:
        child_main(args.child, args.manifest)
        return 0

    count = 1 if args.quick else args.count
    repeat = args.repeat or (1 if args.quick else 3)
    began = time.perf_counter()
    facts = benchlib.machine_facts()
    code = benchlib.file_digest("ingest/renditions.py", "assets/models/files.py")
    print("R1 renditions: Sen against bare Pillow (the limit) and Wagtail's stock path")
    benchlib.print_facts(facts, f"ingest/renditions.py+assets/models/files.py {code}")
    work = Path(tempfile.mkdtemp(prefix="sen-bench-renditions-"))
    try:
        var_dir = work / "var"
        var_dir.mkdir()
        env = django_env(var_dir)
        t0 = time.perf_counter()
        sources = make_corpus(work, count, args.quick)
        print(f"Corpus ({time.perf_counter() - t0:.1f} s to make, not timed):")
        for source in sources:
            w, h = source["size"]
            print(
                f"  {source['name']:<12} {w}x{h} ({w * h / 1e6:.1f} MP), "
                f"{source['bytes'] / 1e6:.1f} MB"
            )
        t0 = time.perf_counter()
        subprocess.run(
            [benchlib.python(), "manage.py", "migrate", "--noinput", "-v", "0"],
            cwd=benchlib.ROOT,
            env=env,
            check=True,
            capture_output=True,
        )
        manifest = {"work": str(work), "sources": sources}
        manifest_path = work / "manifest.json"
        manifest_path.write_text(json.dumps(manifest))
        setup = run_child("setup", manifest_path, env)
        print(
            f"Setup ({time.perf_counter() - t0:.1f} s, not timed): temporary SQLite database "
            f"migrated, {2 * len(sources)} files stored with validate_upload + store_file; "
            f"{setup['jobs_waiting']} jobs queued and waiting, {setup['jobs_run']} run "
            "(must be 0). SEN_MAX_PHOTO_BYTES raised to 512 MB for the 50 MP TIFF."
        )
        if setup["jobs_run"]:
            raise SystemExit("Jobs ran during setup: the timed part would not be alone.")
        if sorted(setup["public_specs"]) != sorted(benchlib.public_specs()):
            raise SystemExit(
                f"Sen's public specs {setup['public_specs']} are not the bench's "
                f"{benchlib.public_specs()}: update bench/benchlib.py."
            )
        manifest["setup"] = setup
        manifest["encoder"] = setup["encoder"]
        manifest_path.write_text(json.dumps(manifest))
        print(
            f"Outputs: {', '.join(benchlib.public_specs())} per source; Sen's encoder: "
            f"JPEG {setup['encoder']['jpeg']}, WebP {setup['encoder']['webp']}"
        )
        # The same bytes in the page cache for every way.
        for path in [s["path"] for s in sources] + setup["stored"]:
            with open(path, "rb") as handle:
                while handle.read(8 * 1024 * 1024):
                    pass
        # Rounds interleave the ways, so that a neighbour's load on a shared machine
        # falls on all of them; each way's fastest round is reported.
        load_before = os.getloadavg()
        rounds = {way: [] for way in WAYS}
        for number in range(repeat):
            for way in WAYS:
                rounds[way].append(run_child(way, manifest_path, env))
            print(
                f"  round {number + 1}/{repeat}: "
                + ", ".join(f"{way} {rounds[way][-1]['seconds']:.2f} s" for way in WAYS)
            )
        load_after = os.getloadavg()
        results = {way: min(runs, key=lambda r: r["seconds"]) for way, runs in rounds.items()}
        for way, runs in rounds.items():
            results[way]["peak_rss_mb"] = max(r["peak_rss_mb"] for r in runs)
        print(
            f"Load average (1 min) {load_before[0]:.2f} before, {load_after[0]:.2f} after, "
            f"on {facts['cores']} cores"
            + ("  <- the machine was busy: compare CPU seconds" if load_before[0] > 1 else "")
        )
        report(results, sources, facts, code, args.quick, repeat, load_before[0])
        mismatches = compare(results[LIMIT_WAY], results["sen"])
        wagtail_mismatches = compare(results[LIMIT_WAY], results["wagtail"])
        print(f"Dimension mismatches, limit vs Sen: {len(mismatches)}")
        for name, spec, want, got in mismatches[:20]:
            print(f"  {name} {spec}: limit {want}, Sen {got}")
        print(f"Dimension mismatches, limit vs Wagtail's stock path: {len(wagtail_mismatches)}")
        for name, spec, want, got in wagtail_mismatches[:20]:
            print(f"  {name} {spec}: limit {want}, Wagtail {got}")
        print(f"Total run time {time.perf_counter() - began:.0f} s")
        failed = any(e.get("error") for r in results.values() for e in r["per_source"])
        return 1 if mismatches or failed else 0
    finally:
        if args.keep:
            print(f"Kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


def report(results, sources, facts, code, quick, repeat, load):
    limit = results[LIMIT_WAY]
    limit_rate = limit["renditions"] / limit["seconds"]
    rows = []
    print()
    header = (
        f"{'way':<11} {'rends':>5} {'wall s':>7} {'rend/s':>7} {'× limit':>7} {'CPU s':>7} "
        f"{'rend/CPU s':>10} {'peak MB':>8} {'× limit':>7} {'start MB':>8} {'MB out':>7}"
    )
    print(header)
    print("-" * len(header))
    for way in WAYS:
        r = results[way]
        rate = r["renditions"] / r["seconds"]
        cpu_rate = r["renditions"] / r["cpu_seconds"] if r["cpu_seconds"] else float("nan")
        bytes_out = sum(s["bytes"] for s in r["per_source"])
        print(
            f"{way:<11} {r['renditions']:>5} {r['seconds']:>7.2f} {rate:>7.2f} "
            f"{rate / limit_rate:>7.2f} {r['cpu_seconds']:>7.2f} {cpu_rate:>10.2f} "
            f"{r['peak_rss_mb']:>8.0f} {r['peak_rss_mb'] / limit['peak_rss_mb']:>7.2f} "
            f"{r['rss_start_mb']:>8.0f} {bytes_out / 1e6:>7.1f}"
        )
        rows.append(
            {
                "timestamp": benchlib.now_iso(),
                "bench": "renditions",
                "quick": int(quick),
                "way": way,
                "sources": len(sources),
                "renditions": r["renditions"],
                "seconds": round(r["seconds"], 3),
                "renditions_per_s": round(rate, 3),
                "ratio_to_limit": round(rate / limit_rate, 3),
                "cpu_seconds": round(r["cpu_seconds"], 3),
                "peak_rss_mb": round(r["peak_rss_mb"], 1),
                "rss_ratio_to_limit": round(r["peak_rss_mb"] / limit["peak_rss_mb"], 3),
                "rss_start_mb": round(r["rss_start_mb"], 1),
                "bytes_out": bytes_out,
                "rounds": repeat,
                "load_before": round(load, 2),
                "failed_sources": sum(1 for e in r["per_source"] if e.get("error")),
                "cpu": facts["cpu"],
                "cores": facts["cores"],
                "python": facts["python"],
                "pillow": facts["pillow"],
                "git": facts["git"],
                "code": code,
            }
        )
    print()
    print("Per source, seconds (limit / limit-once / sen / wagtail):")
    for index, source in enumerate(sources):
        cells = " / ".join(
            f"{results[way]['per_source'][index]['seconds']:.2f}"
            + ("!" if results[way]["per_source"][index].get("error") else "")
            for way in WAYS
        )
        print(f"  {source['name']:<12} {cells}")
    failures = [
        (way, entry["name"], entry["error"])
        for way in WAYS
        for entry in results[way]["per_source"]
        if entry.get("error")
    ]
    if failures:
        print("Failed sources (! above; their renditions are missing from the counts):")
        for way, name, error in failures:
            print(f"  {way} {name}: {error}")
        done = {e["name"] for e in results["sen"]["per_source"] if not e.get("error")}
        if done:
            limit_s = sum(e["seconds"] for e in limit["per_source"] if e["name"] in done)
            sen_s = sum(e["seconds"] for e in results["sen"]["per_source"] if e["name"] in done)
            print(
                f"On the {len(done)} sources Sen completed: limit {limit_s:.2f} s, "
                f"Sen {sen_s:.2f} s ({limit_s / sen_s:.2f}× the limit's speed)"
            )
    sen = results["sen"]
    sen_ratio = (sen["renditions"] / sen["seconds"]) / limit_rate
    rss_ratio = sen["peak_rss_mb"] / limit["peak_rss_mb"]
    # Django + Wagtail loaded cost Sen's process memory before the first rendition;
    # the growth above that start is what the pipeline itself holds.
    growth_ratio = (sen["peak_rss_mb"] - sen["rss_start_mb"]) / max(
        1.0, limit["peak_rss_mb"] - limit["rss_start_mb"]
    )
    print()
    sen_failed = sum(1 for e in sen["per_source"] if e.get("error"))
    failed_note = f", {sen_failed} source(s) failed" if sen_failed else ""
    cpu_ratio = (sen["renditions"] / sen["cpu_seconds"]) / (
        limit["renditions"] / limit["cpu_seconds"]
    )
    print(
        f"Sen ≥ {GOAL_SPEED}× limit: "
        f"{'yes' if sen_ratio >= GOAL_SPEED and not sen_failed else 'no'} "
        f"({sen_ratio:.2f}× by wall time, {cpu_ratio:.2f}× by CPU time{failed_note})"
    )
    print(
        f"Sen RSS ≤ {GOAL_RSS}× limit RSS: {'yes' if rss_ratio <= GOAL_RSS else 'no'} "
        f"({rss_ratio:.2f}×; growth above the process's start: {growth_ratio:.2f}×)"
    )
    print(
        "Notes: wall and CPU seconds are the child's own (os.times); `wagtail` uses up to "
        "3 threads, the others one. Peak MB is VmHWM of the child process, Django's import "
        "included for sen and wagtail (`start MB`)."
    )
    path = benchlib.append_csv("renditions.csv", rows)
    print(f"Appended {len(rows)} rows to {path.relative_to(benchlib.ROOT)}")


if __name__ == "__main__":
    sys.exit(main())
