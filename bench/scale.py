"""Scaling: ``pixelproof qa`` and ``pixelproof prelabel`` (yolo11n) on 1,000 images, serial vs
``--workers 2``: speed-up, overhead against the ideal (serial time / workers), per-image cost, peak memory
of the parent and of one worker, and whether the outputs are byte-identical. Backs README "Scaling out"
and docs/scaling.md (the scaling model is computed from these figures).

    python -m bench scale [--images N] [--model PATH] [--workers W] [--skip-prelabel] [--skip-qa]

Each run is a fresh ``python -m pixelproof`` process (its own start-up excluded from the timing: the
job's time is measured inside it), so peak memory is per run: ``ru_maxrss`` of the process itself and of
its worker processes (the largest one).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

RUNNER = """
import json, resource, sys, time
from pixelproof.cli import main
if __name__ == "__main__":
    from pixelproof.core.batch.executors import release_pools
    start, cpu = time.perf_counter(), time.process_time()
    code = main(sys.argv[1:])
    took, cpu = time.perf_counter() - start, time.process_time() - cpu
    release_pools()  # the warm workers end here, so their figures count among the children
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    figures = {"code": code, "seconds": took, "cpu": cpu, "rss_kb": me.ru_maxrss}
    figures.update(worker_rss_kb=kids.ru_maxrss, worker_cpu=kids.ru_utime + kids.ru_stime)
    print("BENCH " + json.dumps(figures))
"""


def run_cli(folder: Path, argv: list[str]) -> dict:
    """One CLI run in a fresh process: exit code, the job's seconds, peak memory (kB) of it and its
    largest worker."""
    script = folder / "bench_runner.py"
    script.write_text(RUNNER)
    env = {**os.environ, "SOURCE_DATE_EPOCH": "1700000000"}  # one fixed job timestamp: outputs compare
    proc = subprocess.run(
        [sys.executable, str(script), *argv], capture_output=True, text=True, env=env, cwd=folder
    )
    lines = [line for line in proc.stdout.splitlines() if line.startswith("BENCH ")]
    if proc.returncode != 0 or not lines:
        raise RuntimeError(f"pixelproof {' '.join(argv)} failed:\n{proc.stdout}\n{proc.stderr}")
    return json.loads(lines[-1][6:])


def make_prelabel_project(folder: Path, n: int) -> Path:
    from bench.prelabel import make_images
    from pixelproof.core.coco import save_project
    from pixelproof.core.image_folder import project_from_folder

    images = folder / "images"
    images.mkdir()
    make_images(images, n)
    project_file = folder / "project.json"
    save_project(project_from_folder(images, project_file, []), project_file)
    return project_file


def make_qa_projects(folder: Path, n: int) -> tuple[Path, Path]:
    from bench.qa import make_pairs
    from pixelproof.core.coco import save_project

    ref, cand, _ = make_pairs(n, size=512, objects=8, keep_raw=False)
    return save_project(ref, folder / "reference.json"), save_project(cand, folder / "candidate.json")


def compare(name: str, n: int, workers: int, serial: dict, parallel: dict, same: bool) -> dict:
    """Print one job's figures and return the per-image costs for the scaling model."""
    t1, tn = serial["seconds"], parallel["seconds"]
    ideal = t1 / workers
    print(f"{name} on {n} images")
    print(f"  serial (--workers 1)      : {t1:7.1f} s  {n / t1:7.1f} images/s  {t1 / n * 1e3:7.1f} ms/image")
    print(f"  --workers {workers}               : {tn:7.1f} s  {n / tn:7.1f} images/s")
    overhead = (tn / ideal - 1) * 100
    print(f"  speed-up {t1 / tn:.2f}x (ideal {workers}x); overhead against the ideal {overhead:+.0f}%")
    print(
        f"  peak memory: serial {serial['rss_kb'] / 1024:.0f} MB; with workers: parent "
        f"{parallel['rss_kb'] / 1024:.0f} MB, largest worker {parallel['worker_rss_kb'] / 1024:.0f} MB"
    )
    # CPU seconds barely change with the machine's load, wall seconds do: the model uses CPU time
    parent, work = parallel["cpu"], parallel["worker_cpu"]
    print(
        f"  CPU per image: serial {serial['cpu'] / n * 1e3:.1f} ms; with workers: parent "
        f"{parent / n * 1e3:.1f} ms (reading, handing out ids in image order, writing the one output), "
        f"workers {work / n * 1e3:.1f} ms (decode, model/metrics, incl. their start-up)"
    )
    print(f"  outputs byte-identical: {'yes' if same else 'NO'}")
    return {"serial_part_per_image": parent / n, "parallel_per_image": work / n}


def scaling_model(name: str, fit: dict) -> None:
    """Wall time for 1M images from the measured per-image CPU costs: the workers' share divided among
    them, plus the parent's share that does not divide (its merge and single-file output)."""
    n = 1_000_000
    for label, workers in (("one core", 1), ("32-core workstation", 32), ("10 nodes x 32 cores", 320)):
        t = n * (fit["serial_part_per_image"] + fit["parallel_per_image"] / workers)
        print(f"  model, 1M images, {label:<20}: {t / 3600:7.2f} h")
    floor = n * fit["serial_part_per_image"]
    print(f"  model floor (the parent's share alone, any number of workers): {floor / 3600:.2f} h")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench scale")
    parser.add_argument("--images", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=2)
    default_model = Path(__file__).resolve().parents[2] / "shared" / "models" / "yolo11n.onnx"
    parser.add_argument("--model", type=Path, default=default_model)
    parser.add_argument("--skip-prelabel", action="store_true")
    parser.add_argument("--skip-qa", action="store_true")
    args = parser.parse_args(argv)
    n, w = args.images, args.workers
    print(f"load average before: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        if not args.skip_qa:
            ref, cand = make_qa_projects(folder, n)
            runs = {}
            for workers in (1, w):
                out = folder / f"qa{workers}.csv"
                qa = ["qa", str(ref), str(cand), "--csv", str(out), "--workers", str(workers)]
                runs[workers] = run_cli(folder, qa)
            same = (folder / "qa1.csv").read_bytes() == (folder / f"qa{w}.csv").read_bytes()
            fit = compare("qa (all metrics, 8 masks per 512x512 image)", n, w, runs[1], runs[w], same)
            scaling_model("qa", fit)
        if not args.skip_prelabel:
            if not args.model.is_file():
                print(f"model not found: {args.model}; prelabel skipped")
                return 1
            project = make_prelabel_project(folder, n)
            runs = {}
            for workers in (1, w):
                out = folder / f"prelabel{workers}.json"
                pre = ["prelabel", str(project), "--backend", "yolo-onnx", "--model", str(args.model),
                       "--workers", str(workers), "-o", str(out)]  # fmt: skip
                runs[workers] = run_cli(folder, pre)
            same = (folder / "prelabel1.json").read_bytes() == (folder / f"prelabel{w}.json").read_bytes()
            fit = compare("prelabel (yolo11n)", n, w, runs[1], runs[w], same)
            scaling_model("prelabel", fit)
    print(f"load average after: {os.getloadavg()[0]:.2f}")
    return 0
