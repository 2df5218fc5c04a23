"""The command line: parse arguments, run a command, print one line per problem.

Exit codes: 0 success, 1 content or build errors, 2 usage errors.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Callable, Sequence

from . import __version__, ingest
from .build import BuildOptions, build, describe
from .config import load_config
from .errors import BuildFailed, SitegenError

EXIT_OK, EXIT_ERRORS, EXIT_USAGE = 0, 1, 2


def print_error(message: str) -> None:
    """Print one problem to stderr."""
    print(f"error: {message}" if ":" not in message.split(" ")[0] else message, file=sys.stderr)


def report_failure(exc: SitegenError) -> int:
    """Print every error a failure carries; return the exit code."""
    if isinstance(exc, BuildFailed):
        for error in exc.errors:
            print_error(str(error))
        print_error(str(exc))
    else:
        print_error(str(exc))
    return EXIT_ERRORS


def cmd_build(args: argparse.Namespace) -> int:
    """Build the site."""
    say = (lambda message: None) if args.quiet else print
    options = BuildOptions(site_dir=Path(args.site), base_url=args.base_url, drafts=args.drafts,
                           output_dir=Path(args.output) if args.output else None)
    report = build(options, log=say)
    say(describe(report))
    return EXIT_OK


def cmd_import(args: argparse.Namespace) -> int:
    """Turn raw articles into entries."""
    site_dir = Path(args.site)
    config = load_config(site_dir)
    sources = ingest.find_raw_files([Path(p) for p in args.paths])
    missing = [p for p in args.paths if not Path(p).exists()]
    for path in missing:
        print_error(f"{path}: no such file or folder")
    result = ingest.import_articles(sources, site_dir, content_dir=config.content_dir,
                                    force=args.force)
    for path in result.written:
        print(f"wrote {path}")
    for message in result.skipped:
        print(f"skipped {message}")
    for error in result.errors:
        print_error(str(error))
    return EXIT_ERRORS if result.errors or missing else EXIT_OK


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
    p.add_argument("--quiet", "-q", action="store_true", help="print only errors")
    p.set_defaults(run=cmd_build)

    p = commands.add_parser("import", help="turn raw articles into content entries",
                            formatter_class=example,
                            description="Turn raw article files (or folders of them) into entries "
                                        "under content/YYYY/MM/.",
                            epilog="example:\n  sitegen import seeds/")
    add_site_option(p)
    p.add_argument("paths", nargs="+", metavar="PATH", help="raw article files or folders")
    p.add_argument("--force", action="store_true", help="overwrite entries that already exist")
    p.set_defaults(run=cmd_import)
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
    except KeyboardInterrupt:
        print_error("interrupted")
        return 130
