"""``make bench``: run every benchmark in bench/, then write one table (markdown and JSON).

Each script measures its own baseline in the same run and prints ratios; scripts that take
``--json FILE`` also give their figures as JSON, which goes into the table as is.
Output: artifacts/bench/bench.md and artifacts/bench/bench.json.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE.parent / "artifacts" / "bench"
SKIP = {"common.py", "mqtt_load.py", "run_all.py"}  # helpers, not benchmarks


def machine() -> dict:
    cpu = "unknown"
    try:
        cpu = next(line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return {"date": datetime.now(timezone.utc).isoformat(timespec="seconds"), "cpu": cpu, "cores": os.cpu_count(),
            "memory_gib": round(memory, 1), "python": platform.python_version(), "system": platform.platform()}


def run(script: Path) -> dict:
    takes_json = "--json" in script.read_text(encoding="utf-8")
    with tempfile.TemporaryDirectory() as folder:
        target = Path(folder) / "out.json"
        argv = [sys.executable, str(script)] + (["--json", str(target)] if takes_json else [])
        start = time.monotonic()
        done = subprocess.run(argv, cwd=HERE, capture_output=True, text=True, timeout=1800)
        figures = json.loads(target.read_text()) if takes_json and target.exists() else None
    return {"script": script.name, "exit": done.returncode, "seconds": round(time.monotonic() - start, 1),
            "figures": figures, "output": done.stdout.strip(), "errors": done.stderr.strip()[-2000:]}


def markdown(info: dict, results: list[dict]) -> str:
    lines = ["# motcua benchmarks", "",
             f"{info['date']} — {info['cpu']}, {info['cores']} cores, {info['memory_gib']} GiB, "
             f"Python {info['python']}", ""]
    for result in results:
        status = "ok" if result["exit"] == 0 else f"FAILED (exit {result['exit']})"
        lines += [f"## {result['script']} — {status}, {result['seconds']} s", ""]
        if result["figures"]:
            lines += ["| figure | value |", "|---|---|"]
            lines += [f"| {k} | {v:.3g} |" if isinstance(v, float) else f"| {k} | {v} |"
                      for k, v in result["figures"].items()]
            lines.append("")
        lines += ["```", result["output"] or result["errors"], "```", ""]
    return "\n".join(lines)


def main() -> int:
    only = set(sys.argv[1:])
    scripts = sorted(p for p in HERE.glob("*.py") if p.name not in SKIP and (not only or p.stem in only))
    info = machine()
    results = []
    for script in scripts:
        print(f"== {script.name}", flush=True)
        result = run(script)
        print(result["output"] or result["errors"], flush=True)
        results.append(result)
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "bench.json").write_text(json.dumps({"machine": info, "results": results}, indent=2, ensure_ascii=False))
    (OUT / "bench.md").write_text(markdown(info, results), encoding="utf-8")
    print(f"\nwritten: {OUT / 'bench.md'} and bench.json")
    return 0 if all(r["exit"] == 0 for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
