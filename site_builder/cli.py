"""The command line: parse arguments, run a command, print one line per problem.

Exit codes: 0 success, 1 content or build errors (or a folder that is no site), 2 usage errors.
Problems and warnings go to stderr, paths relative to the site folder; in GitHub Actions each
is also a workflow command on stdout.
"""

from __future__ import annotations

import argparse
import datetime
import os
import re
import sys
from pathlib import Path
from typing import Callable, Sequence

# Each command imports what only it needs, so that `sitegen build` starts without the rest.
from . import __version__, parallel
from .build import IMPORT_CHUNK, BuildOptions, build, describe
from .core.annotations import build_summary, failure_summary, is_github_actions, workflow_command
from .core.config import CONFIG_FILE, load_config
from .core.errors import BuildFailed, SitegenError

EXIT_OK, EXIT_ERRORS, EXIT_USAGE = 0, 1, 2
PROGRESS_FROM = 1000   # steps with fewer items finish too fast to need a progress line


def is_located(message: str) -> bool:
    """Return whether a message starts with the file it is about ('path:line: ...')."""
    return ":" in message.split(" ")[0]


def print_error(problem: str | SitegenError) -> None:
    """Print one problem to stderr (and, in GitHub Actions, as an error annotation)."""
    message = str(problem)
    print(message if is_located(message) else f"error: {message}", file=sys.stderr)
    annotate("error", problem)


def print_warning(problem: str | SitegenError) -> None:
    """Print one warning to stderr (and, in GitHub Actions, as a warning annotation)."""
    message = str(problem)
    print(message if is_located(message) else f"warning: {message}", file=sys.stderr)
    annotate("warning", problem)


def annotate(kind: str, problem: str | SitegenError) -> None:
    """Print a problem as a GitHub Actions workflow command when running in a workflow."""
    if is_github_actions(os.environ):
        print(workflow_command(kind, problem), flush=True)


def write_step_summary(text: str) -> None:
    """Append Markdown to the job's step summary, when there is one."""
    path = os.environ.get("GITHUB_STEP_SUMMARY")
    if not path:
        return
    try:
        with open(path, "a", encoding="utf-8") as summary:
            summary.write(text)
    except OSError as exc:
        print_warning(f"{path}: cannot write the step summary: {exc.strerror or exc}")


def report_failure(exc: SitegenError) -> int:
    """Print every error a failure carries; return the exit code."""
    if isinstance(exc, BuildFailed):
        for error in exc.errors:
            print_error(error)
    print_error(exc)
    return EXIT_ERRORS


def positive_int(text: str) -> int:
    """Return text as a whole number of at least 1, for argparse."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def show_progress(step: str, done: int, total: int) -> None:
    """Show a long step's progress on the terminal, on one line that updates itself."""
    if total < PROGRESS_FROM:
        return
    end = "\n" if done == total else ""
    print(f"\r{step}: {done}/{total}", end=end, file=sys.stderr, flush=True)


def cmd_build(args: argparse.Namespace) -> int:
    """Build the site."""
    refused = refuse_non_site(args.site)
    if refused is not None:
        return refused
    say = (lambda message: None) if args.quiet else print
    options = BuildOptions(site_dir=Path(args.site), base_url=args.base_url, drafts=args.drafts,
                           output_dir=Path(args.output) if args.output else None,
                           jobs=args.jobs, clean=args.clean, strict=args.strict)
    watch = show_progress if sys.stderr.isatty() and not args.quiet else None
    try:
        report = build(options, log=say, progress=watch, warn=print_warning)
    except SitegenError as exc:
        write_step_summary(failure_summary(exc))
        raise
    for error in report.skipped_raw:
        print_warning(error)
    say(describe(report))
    write_step_summary(build_summary(len(report.imported), report.skipped_raw, report.entries,
                                     report.pages, report.write.written, report.up_to_date))
    return EXIT_OK


def cmd_import(args: argparse.Namespace) -> int:
    """Turn raw articles into entries."""
    from .sources import ingest

    site_dir = Path(args.site)
    config = load_config(site_dir)
    sources = ingest.find_raw_files([Path(p) for p in args.paths], site_dir)
    missing = [p for p in args.paths if not Path(p).exists()]
    for path in missing:
        print_error(f"{path}: no such file or folder")
    jobs = parallel.default_jobs()
    result = ingest.import_articles(
        sources, site_dir, content_dir=config.content_dir, force=args.force,
        max_tags=config.max_tags, source_names=config.sources,
        map_chunks=lambda task, items: parallel.fork_map(task, items, jobs, IMPORT_CHUNK))
    for path in result.written:
        print(f"wrote {path}")
    for message in result.skipped:
        print(f"skipped {message}")
    for message in result.notes:
        print(f"note: {message}")
    for error in result.errors:
        print_error(str(error))
    return EXIT_ERRORS if result.errors or missing else EXIT_OK


def cmd_serve(args: argparse.Namespace) -> int:
    """Build the site, serve it locally and rebuild it on every change until Ctrl-C."""
    from .serve import ServeOptions, serve  # tornado and livereload load only for this command

    refused = refuse_non_site(args.site)
    if refused is not None:
        return refused

    def say(message: str) -> None:
        print(message, flush=True)

    options = ServeOptions(site_dir=Path(args.site), host=args.host, port=args.port,
                           open_browser=args.open, drafts=args.drafts)
    return serve(options, log=say, log_error=print_error, log_warning=print_warning)


def cmd_init(args: argparse.Namespace) -> int:
    """Scaffold a new site."""
    from .scaffold import init_site

    target = Path(args.dir)
    for path in init_site(target, args.language):
        print(f"wrote {(target / path).as_posix()}")
    enter = "" if target.resolve() == Path.cwd().resolve() else f"cd {target.as_posix()} && "
    print(f"created a new site in {target.as_posix()}; next: {enter}sitegen build && sitegen serve")
    return EXIT_OK


def no_site_folder(site: str) -> int:
    """Say that the --site folder does not exist; return the usage exit code."""
    print_error(f"{site}: no such folder (give the site folder with --site)")
    return EXIT_USAGE


def refuse_non_site(site: str) -> int | None:
    """Return the exit code for a --site folder that is missing or holds no site (having said
    so and how to start one), or None when it looks like a site."""
    folder = Path(site)
    if not folder.is_dir():
        return no_site_folder(site)
    if any((folder / name).exists() for name in (CONFIG_FILE, "content", "seeds")):
        return None
    shown = "this folder" if folder.resolve() == Path.cwd().resolve() else folder.as_posix()
    print_error(f"{shown} does not look like a sitegen site: it has no {CONFIG_FILE}, content/ "
                f"or seeds/ (start one with: sitegen init; or give the site folder with --site)")
    return EXIT_ERRORS


def cmd_new(args: argparse.Namespace) -> int:
    """Write a new hand-written entry and print its path."""
    from .core.slugs import make_slug
    from .scaffold import new_entry, parse_tags, slug_owner
    from .sources.ingest import site_relpath

    site = Path(args.site)
    if not site.is_dir():
        return no_site_folder(args.site)
    path = new_entry(site, args.title, args.date, parse_tags(args.tags))
    shown = site_relpath(path, site)   # as import names the entries it writes
    print(shown)
    wanted = make_slug(" ".join(args.title.split()))
    if path.stem != wanted:
        owner = slug_owner(site, wanted)
        taken = f"{owner} exists with the slug '{wanted}'" if owner \
            else f"the slug '{wanted}' is taken"
        print(f"note: wrote {shown}, not {wanted}.md, because {taken}", file=sys.stderr)
    return EXIT_OK


def cmd_check(args: argparse.Namespace) -> int:
    """Validate the site and its built output; print every problem."""
    from .check import check_site

    refused = refuse_non_site(args.site)
    if refused is not None:
        return refused
    site = Path(args.site)
    problems = check_site(site, Path(args.output) if args.output else None, args.base_url,
                          log=print, warn=print_warning)
    for problem in problems:
        print_error(problem)
    count = len(problems)
    print(f"{count} problem{'s' if count != 1 else ''} found" if count else "no problems found")
    return EXIT_ERRORS if problems else EXIT_OK


def iso_date(text: str) -> datetime.date:
    """Return the calendar date written YYYY-MM-DD in text."""
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        raise argparse.ArgumentTypeError(f"{text!r} is not a date written YYYY-MM-DD")
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a calendar date") from None


def port_number(text: str) -> int:
    """Return a TCP port number parsed from text (0 picks a free one)."""
    try:
        port = int(text)
    except ValueError:
        port = -1
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number (0-65535)")
    return port


def add_site_option(parser: argparse.ArgumentParser) -> None:
    """Add --site, the site folder every command works in."""
    parser.add_argument("--site", "-s", default=".", metavar="DIR",
                        help="the site folder (default: the current folder)")


def make_parser() -> argparse.ArgumentParser:
    """Return the argument parser of every command."""
    parser = argparse.ArgumentParser(
        prog="sitegen",
        description="Turn raw news articles into a static, chronological timeline website.",
        epilog="Exit codes: 0 success, 1 content or build errors, 2 usage errors.",
    )
    parser.add_argument("--version", action="version", version=f"sitegen {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    example = argparse.RawDescriptionHelpFormatter

    p = commands.add_parser("build", help="build the site into the output folder",
                            formatter_class=example,
                            description="Import new raw articles from seeds/, then build the site.",
                            epilog="example:\n  sitegen build --base-url https://user.github.io/repo/")
    add_site_option(p)
    p.add_argument("--base-url", help="the URL the site is published at (overrides sitegen.yaml)")
    p.add_argument("--output", "-o", metavar="DIR", help="output folder (default: public/)")
    p.add_argument("--drafts", action="store_true", help="include entries marked draft: true")
    p.add_argument("--jobs", "-j", type=positive_int, metavar="N",
                   help="worker processes (default: one per core)")
    p.add_argument("--clean", action="store_true",
                   help="ignore the build cache: read and render everything")
    p.add_argument("--quiet", "-q", action="store_true", help="print only errors and warnings")
    p.add_argument("--strict", action="store_true",
                   help="fail when a raw article in seeds/ cannot be imported (default: skip "
                        "it and say so; also strict: true in sitegen.yaml)")
    p.set_defaults(run=cmd_build)

    p = commands.add_parser("import", help="turn raw articles into content entries",
                            formatter_class=example,
                            description="Turn raw article files (*.txt, JSON Lines *.jsonl, RSS "
                                        "or Atom feeds saved as *.rss, *.atom, *.xml), or "
                                        "folders of them, into entries under content/YYYY/MM/.",
                            epilog="example:\n  sitegen import seeds/")
    add_site_option(p)
    p.add_argument("paths", nargs="+", metavar="PATH", help="raw article files or folders")
    p.add_argument("--force", action="store_true", help="overwrite entries that already exist")
    p.set_defaults(run=cmd_import)

    p = commands.add_parser("serve", help="serve the site locally, rebuilding on every change",
                            formatter_class=example,
                            description="Build the site into a private folder, serve it, and "
                                        "rebuild it and reload the browser\nwhenever content/, "
                                        "seeds/, templates/ or sitegen.yaml change.",
                            epilog="example:\n  sitegen serve --open")
    add_site_option(p)
    p.add_argument("--host", default="127.0.0.1",
                   help="address to listen on (default: 127.0.0.1, this computer only)")
    p.add_argument("--port", "-p", type=port_number, default=8000,
                   help="port to listen on (default: 8000)")
    p.add_argument("--open", action="store_true", help="open the site in a web browser")
    p.add_argument("--drafts", action="store_true", help="include entries marked draft: true")
    p.set_defaults(run=cmd_serve)

    p = commands.add_parser("init", help="create a new site in a folder",
                            formatter_class=example,
                            description="Create a new timeline site: sitegen.yaml (every setting explained),\n"
                                        "content/, seeds/ with an example raw article, templates/,\n"
                                        ".gitignore and a GitHub Pages workflow. Refuses to\n"
                                        "overwrite an existing site.",
                            epilog="example:\n  sitegen init my-timeline\n"
                                   "  cd my-timeline && sitegen build")
    p.add_argument("dir", nargs="?", default=".", metavar="DIR",
                   help="the folder to create the site in (default: the current folder)")
    p.add_argument("--language", default="en", metavar="CODE",
                   help="the language of the pages, e.g. ru, zh, ar, fr, es (default: en)")
    p.set_defaults(run=cmd_init)

    p = commands.add_parser("new", help="write a new hand-written entry",
                            formatter_class=example,
                            description="Write a new entry at content/YYYY/MM/<slug>.md and print its path.\n"
                                        "An existing file is never overwritten: a taken slug "
                                        "gets -2, -3...",
                            epilog='example:\n  sitegen new "Xi meets Putin in Moscow" '
                                   "--date 2023-03-20 --tags russia,china")
    add_site_option(p)
    p.add_argument("title", help="the entry's title")
    p.add_argument("--date", "-d", type=iso_date, metavar="YYYY-MM-DD",
                   help="the entry's date (default: today in the site's time zone)")
    p.add_argument("--tags", "-t", default="", metavar="A,B",
                   help="comma-separated tags")
    p.set_defaults(run=cmd_new)

    p = commands.add_parser("check", help="find problems without building",
                            formatter_class=example,
                            description="Check the config, every raw article in seeds/, every entry, the\n"
                                        "output pages for clashes and the templates (one page of\n"
                                        "each rendered in memory), writing nothing; then, if the\n"
                                        "site has been built, every internal link and anchor of\n"
                                        "the built site, and its size against GitHub Pages' 1 GB.\n"
                                        "Prints each problem on stderr as path:line: message,\n"
                                        "paths relative to the site folder.",
                            epilog="example:\n  sitegen check\n"
                                   "  sitegen check --output public --base-url "
                                   "https://user.github.io/repo/")
    add_site_option(p)
    p.add_argument("--output", "-o", metavar="DIR",
                   help="the built site to check the links of (default: the output_dir of "
                        "sitegen.yaml, if it has been built)")
    p.add_argument("--base-url", help="the URL the site was built for (default: read from the "
                                      "built home page, else sitegen.yaml)")
    p.set_defaults(run=cmd_check)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run sitegen with argv; return the exit code."""
    parser = make_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return EXIT_USAGE if exc.code not in (0, None) else EXIT_OK
    if args.command is None:
        parser.print_help()
        return EXIT_USAGE
    run: Callable[[argparse.Namespace], int] = args.run
    try:
        return run(args)
    except SitegenError as exc:
        return report_failure(exc)
    except OSError as exc:   # the disk said no: a full disk, a folder without permission
        print_error(f"{exc.filename or 'a file'}: {exc.strerror or exc}")
        return EXIT_ERRORS
    except KeyboardInterrupt:
        print_error("interrupted")
        return 130
