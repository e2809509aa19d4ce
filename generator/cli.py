"""The ``paperkb`` command line. The only place where errors become exit codes.

Exit codes: 0 success, 1 bad input / refused write / failed build, 2 usage error.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import difflib
import io
import os
import re
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import NoReturn

from generator import __version__
from generator.corpus import read_corpus
from generator.datafiles import REGISTRY_FILE
from generator.errors import InputError, PaperkbError, UsageError, plural
from generator.pipeline import Result, generate, make_plan, write_plan
from generator.render.reports import render_merge_report
from generator.runtime.background import BackgroundError, background
from generator.runtime.lock import run_lock
from generator.sitebuild.engine import Built, build_site, site_url
from generator.sitebuild.folders import check_docs_folder, check_site_folder
from generator.sitebuild.serve import check_address, serve
from generator.tools.diff import (
    Snapshot,
    compare,
    format_changes,
    read_base_data,
    renamed_files,
)
from generator.tools.fetch import MAX_LOOKUPS, limits_help, resolve_help
from generator.tools.fetch import run as run_fetch
from generator.tools.suggest import format_suggestions, suggest
from generator.tools.topics import format_eval, format_topics, format_why

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_USAGE = 2
#: New papers named one by one after a run; more are counted.
SHOWN_ADDED = 20
#: Rejected entries listed in the account at most (all of them are in papers.json).
SHOWN_REJECTED = 20


def _paths(args: argparse.Namespace) -> tuple[Path, Path, Path, Path]:
    """``--data``, ``--docs``, ``--site`` and ``--config`` as the command has them (a command
    without ``--config`` works in the current folder)."""
    config = Path(getattr(args, "config", "mkdocs.yml"))
    root = config.parent
    docs = Path(args.docs) if getattr(args, "docs", None) else root / "docs"
    site = Path(args.site) if getattr(args, "site", None) else root / "site"
    return Path(args.data), docs, site, config


def _checked_paths(args: argparse.Namespace, *, site: bool) -> tuple[Path, Path, Path, Path]:
    """The folders of a command that writes: docs (and, with ``site``, the site folder)
    refused before any work when writing there could cost a user their files."""
    data, docs, site_dir, config = _paths(args)
    root = config.parent
    named_docs, named_site = getattr(args, "docs", None), getattr(args, "site", None)
    site_first = site and not (named_docs and not named_site)  # the folder the user named
    if site_first:
        check_site_folder(site_dir, data=data, docs=docs, root=root)
    check_docs_folder(docs, data=data, root=root, site=site_dir)
    if site and not site_first:
        check_site_folder(site_dir, data=data, docs=docs, root=root)
    return data, docs, site_dir, config


def print_account(result: Result, then: str = "nothing to do") -> None:
    """The run's account; ``then`` says what the command does next when docs/ was up to date."""
    a = result.summary.account
    r = result.report
    print(
        f"paperkb: {a.listings} listings, {a.records} record files, {a.entries} entries read: "
        f"{a.papers} distinct papers + {a.merged} duplicates merged + {a.rejected} rejected"
    )
    if a.annotations:
        print(f"  annotations: {plural(a.annotations, 'record')} adding facts to a paper")
    learned = f" ({a.learned} more assigned by similarity)" if a.learned else ""
    print(f"  topics: {a.topics}, papers in no topic (Unsorted): {a.unsorted}{learned}")
    rate = a.shared_topic_rate
    with_related = result.summary.with_related
    similar = a.related_similar_shared / a.related_similar if a.related_similar else None
    print(
        f"  related papers: {a.related_links} links on {with_related} paper pages "
        f"({a.related_three} with at least 3; {a.related_similar} for a similar abstract, "
        f"{a.related_links - a.related_similar} weaker: same topics or shared terms), "
        + ("none" if rate is None else f"{rate:.1%}")
        + " of them between papers that share a topic"
        + ("" if similar is None else f" ({similar:.1%} of the similar-abstract links)")
    )
    print(f"  authors: {a.authors} (from structured records)")
    print(
        f"  generated files: {len(r.written)} written, {len(r.unchanged)} unchanged, "
        f"{len(r.deleted)} deleted"
    )
    if result.plan is None:
        print(f"  nothing changed since the last run (same data/ and paperkb): {then}")
    if result.registry_written and result.plan is not None:
        added = result.plan.new_rows
        print(f"  permalink registry: {plural(len(added), 'new id')} in data/{REGISTRY_FILE}")
        for row in added[:SHOWN_ADDED]:
            print(f"  added: {row.id}  ({row.title})")
        if len(added) > SHOWN_ADDED:
            print(f"  ... and {plural(len(added) - SHOWN_ADDED, 'more paper')}")
        for row in result.plan.dropped_rows:
            print(
                f"  permalink registry: dropped {row.id!r}, never committed and its paper is "
                "gone (it was never published)"
            )
    rejected = result.summary.rejected
    for problem in rejected[:SHOWN_REJECTED]:
        print(f"  rejected: {problem}")
    if len(rejected) > SHOWN_REJECTED:
        print(
            f"  rejected: ... and {len(rejected) - SHOWN_REJECTED:,} more "
            "(all of them in docs/papers.json: account.rejected_entries)"
        )
    for rel in r.kept:
        print(f"  left alone (not generated by paperkb): {rel}")


def cmd_generate(args: argparse.Namespace) -> int:
    data, docs, _, _ = _checked_paths(args, site=False)
    with run_lock(data):
        print_account(generate(data, docs, strict=args.strict, parallel=not args.one_process))
    return EXIT_OK


def cmd_build(args: argparse.Namespace) -> int:
    url = args.site_url or os.environ.get("SITE_URL") or None
    url = site_url(url) if url else None
    data, docs, site, config = _checked_paths(args, site=True)
    with run_lock(data):
        _generate_apart(args, data, docs, then="docs/ is up to date, building the site from it")
        built = build_site(config, site, url=url, processes=1 if args.one_process else None)
    print_build(built)
    print(f"  site: {site.as_posix()}/ (open {site.as_posix()}/index.html)")
    return EXIT_OK


def _generate_apart(args: argparse.Namespace, data: Path, docs: Path, *, then: str) -> None:
    """``generate`` and its account, in a forked process unless ``--one-process``.

    The site build forks its workers from this process: with generate run apart, the memory it
    used (the corpus, the pages it made) is the system's again before the workers start,
    instead of staying in this process and counting in every worker's resident set.
    """

    def run() -> str:
        account = io.StringIO()
        result = generate(data, docs, strict=args.strict, parallel=not args.one_process)
        with contextlib.redirect_stdout(account):
            print_account(result, then=then)
        return account.getvalue()

    try:
        with background("generate", run, enabled=not args.one_process, daemon=False) as job:
            sys.stdout.write(job.result())
    except BackgroundError as exc:
        raise PaperkbError(str(exc)) from None


def print_build(built: Built) -> None:
    """How the site was built: pages, processes, time."""
    how = f"{built.processes} processes" if built.processes > 1 else "one process"
    if built.serial_reason:
        how += f" ({built.serial_reason})"
    print(f"  site build: {built.pages} pages in {how}, {built.seconds:.1f} s")


def cmd_check(args: argparse.Namespace) -> int:
    data, docs, _, config = _checked_paths(args, site=False)
    with run_lock(data):
        return _check(data, docs, config, one_process=args.one_process)


def _check(data: Path, docs: Path, config: Path, *, one_process: bool) -> int:
    plan = make_plan(data, strict=True, parallel=not one_process)
    if plan.new_rows:
        names = "\n".join(f"  {row.id}  ({row.title})" for row in plan.new_rows[:20])
        more = len(plan.new_rows) - 20
        raise PaperkbError(
            f"data/{REGISTRY_FILE} is out of date: {len(plan.new_rows)} papers have no "
            f"permanent id yet:\n{names}"
            + (f"\n  ... and {more} more" if more > 0 else "")
            + "\nrun `paperkb generate` and commit the registry with your change"
        )
    print_account(write_plan(plan, data, docs, parallel=not one_process))
    del plan
    with tempfile.TemporaryDirectory(prefix="paperkb-check-") as tmp:
        built = build_site(config, Path(tmp) / "site", processes=1 if one_process else None)
    print_build(built)
    print("  check: data valid, registry up to date, strict build clean")
    return EXIT_OK


def cmd_diff(args: argparse.Namespace) -> int:
    data = Path(args.data)
    head = read_corpus(data)
    head_snapshot = Snapshot.of(head.papers, head.redirects)
    with tempfile.TemporaryDirectory(prefix="paperkb-diff-") as tmp:
        base_dir = read_base_data(data, args.base, Path(tmp))
        if base_dir.is_dir():
            try:
                base = read_corpus(base_dir)
            except InputError as exc:
                raise PaperkbError(f"the data at {args.base} is not valid:\n{exc}") from exc
            base_snapshot = Snapshot.of(base.papers, base.redirects)
            renamed = renamed_files(base_dir, data)
        else:
            base_snapshot, renamed = Snapshot({}, {}), {}
    changes = compare(base_snapshot, head_snapshot, renamed)
    print(format_changes(changes, head_snapshot, args.base))
    return EXIT_OK


def cmd_dedupe(args: argparse.Namespace) -> int:
    corpus = read_corpus(Path(args.data), strict=args.strict)
    print(
        f"{corpus.entries} entries read: {len(corpus.papers)} distinct papers, "
        f"{corpus.merged} duplicates merged"
    )
    if args.report:
        print()
        ids = {p.key: p.id for p in corpus.papers}
        print(render_merge_report(corpus.dedupe, ids, "", escape=str))
    return EXIT_OK


def cmd_topics(args: argparse.Namespace) -> int:
    corpus = read_corpus(Path(args.data), strict=args.strict)
    if args.suggest:
        sys.stdout.write(format_suggestions(suggest(corpus.papers, corpus.topics)))
    elif args.why is not None:
        why = format_why(corpus.papers, corpus.topics, args.why)
        if why is None:
            print(f"paperkb: error: no paper has the id {args.why!r}", file=sys.stderr)
            return EXIT_ERROR
        sys.stdout.write(why)
    elif args.eval:
        sys.stdout.write(format_eval(corpus.papers, corpus.topics))
    else:
        sys.stdout.write(format_topics(corpus.papers, corpus.topics))
    return EXIT_OK


def cmd_serve(args: argparse.Namespace) -> int:
    data, docs, _, config = _checked_paths(args, site=False)
    address = check_address(args.dev_addr)  # a port in use is said before any work

    def regenerate() -> None:
        with run_lock(data):
            result = generate(data, docs, strict=args.strict, parallel=not args.one_process)
            print_account(result, then="docs/ is up to date, serving it")

    regenerate()
    serve(config, address, data=data, regenerate=regenerate)
    return EXIT_OK


def cmd_fetch(args: argparse.Namespace) -> int:
    data = Path(args.data)
    with run_lock(data):
        wrote = run_fetch(
            data,
            date=args.date,
            since=args.since,
            until=args.until,
            refresh=args.refresh,
            resolve_ids=args.resolve,
            max_lookups=args.max_lookups,
            endpoint=args.endpoint,
            strict=args.strict,
        )
    if wrote:
        print(
            "next: `paperkb generate` gives new papers their permanent ids; `paperkb diff main` "
            f"shows what this adds, for review; commit data/ with data/{REGISTRY_FILE}"
        )
    else:
        print("nothing new: no file under data/ changed")
    return EXIT_OK


def iso_date(text: str) -> datetime.date:
    """An ``argparse`` type: a ``YYYY-MM-DD`` date."""
    try:
        if re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", text) is None:
            raise ValueError(text)
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date YYYY-MM-DD: {text!r}") from None


def positive_int(text: str) -> int:
    """An ``argparse`` type: a whole number of at least 1."""
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"not a whole number of at least 1: {text!r}")
    return int(text)


def _topics_options(topics: argparse.ArgumentParser) -> None:
    """The options of ``paperkb topics``: one report at a time."""
    what = topics.add_mutually_exclusive_group()
    what.add_argument(
        "--suggest",
        action="store_true",
        help="for papers the rules leave unsorted, propose candidate topics and new match "
        "rules to paste into data/topics.yaml",
    )
    what.add_argument(
        "--why",
        metavar="ID",
        help="why one paper has its topics: the rules', the pins' and the closest topics' scores",
    )
    what.add_argument(
        "--eval",
        action="store_true",
        help="measure the assignment by similarity against the rules: cross-validation by "
        "paper and by source file, per topic, and each source file held out",
    )
    topics.set_defaults(run=cmd_topics)


class _Parser(argparse.ArgumentParser):
    """``argparse`` that says "did you mean" for a mistyped command."""

    def error(self, message: str) -> NoReturn:
        match = re.search(r"invalid choice: '([^']*)'", message)
        if match and self._subparsers is not None:
            names = [
                name
                for action in self._subparsers._group_actions
                if isinstance(action, argparse._SubParsersAction)
                for name in action.choices
            ]
            close = difflib.get_close_matches(match.group(1), names, n=1)
            if close:
                message += f"; did you mean {close[0]!r}?"
        super().error(message)


def _unrecognized(sub: argparse.ArgumentParser, extra: Sequence[str]) -> str:
    """``unrecognized arguments: ...``, with the closest option of ``sub`` for each."""
    options = [o for action in sub._actions for o in action.option_strings]
    hints = []
    for word in extra:
        close = difflib.get_close_matches(word.split("=", 1)[0], options, n=1)
        if word.startswith("-") and close:
            hints.append(f"{word!r}: did you mean {close[0]!r}?")
    return f"unrecognized arguments: {' '.join(extra)}" + (
        f" ({'; '.join(hints)})" if hints else ""
    )


def _data(sub: argparse.ArgumentParser) -> None:
    sub.add_argument("--data", default="data", help="knowledge base sources (default: data)")


def _strict(sub: argparse.ArgumentParser) -> None:
    sub.add_argument(
        "--strict",
        action="store_true",
        help="treat warnings (rejected entries) as errors",
    )


def _one_process(sub: argparse.ArgumentParser) -> None:
    sub.add_argument(
        "--one-process",
        action="store_true",
        help="use one process only (by default large knowledge bases use every core); "
        "the output is the same",
    )


def _docs(sub: argparse.ArgumentParser) -> None:
    sub.add_argument(
        "--config", default="mkdocs.yml", help="MkDocs configuration (default: mkdocs.yml)"
    )
    sub.add_argument("--docs", help="docs folder (default: docs/ beside the config)")


def _site_commands(commands: Commands) -> None:
    generate = commands.add("generate", "Write the generated pages into docs/ (no site build).")
    _data(generate)
    _docs(generate)
    _strict(generate)
    _one_process(generate)
    generate.set_defaults(run=cmd_generate)
    build = commands.add("build", "Generate, then build the site strictly with MkDocs into site/.")
    _data(build)
    _docs(build)
    build.add_argument("--site", help="site output folder (default: site/ beside the config)")
    build.add_argument(
        "--site-url",
        metavar="URL",
        help="the URL the site is published at (default: $SITE_URL; none: a site for file:// "
        "and any server root). Gives the 404 page, canonical links and the sitemap their "
        "addresses, e.g. https://user.github.io/repo/ for GitHub project Pages",
    )
    _strict(build)
    _one_process(build)
    build.set_defaults(run=cmd_build)
    check = commands.add(
        "check",
        "For CI: validate data/ strictly, require an up-to-date permalink registry, build "
        "strictly into a temporary folder.",
    )
    _data(check)
    _docs(check)
    _one_process(check)
    check.set_defaults(run=cmd_check, strict=True)
    serve = commands.add("serve", "Generate, then preview the site with `mkdocs serve`.")
    _data(serve)
    _docs(serve)
    serve.add_argument("--dev-addr", default="127.0.0.1:8000", help="address to serve on")
    _strict(serve)
    _one_process(serve)
    serve.set_defaults(run=cmd_serve)


def _tool_commands(commands: Commands) -> None:
    dedupe = commands.add("dedupe", "Show how entries were merged into papers (writes nothing).")
    _data(dedupe)
    _strict(dedupe)
    dedupe.add_argument(
        "--report",
        action="store_true",
        help="list every merged group with spellings, sources and scores, and the closest "
        "pairs kept apart (the site's merge report page shows the same)",
    )
    dedupe.set_defaults(run=cmd_dedupe)
    diff = commands.add("diff", "Summarize what data/ changes against a git revision (e.g. main).")
    diff.add_argument("base", metavar="BASE", help="git revision to compare with")
    _data(diff)
    diff.set_defaults(run=cmd_diff, strict=False)
    topics = commands.add(
        "topics",
        "List topics with their paper counts, and the papers assigned by similarity with "
        "their scores (writes nothing).",
    )
    _data(topics)
    _strict(topics)
    _topics_options(topics)
    _fetch_command(commands)


def _fetch_command(commands: Commands) -> None:
    fetch = commands.add(
        "fetch",
        "Save the Hub's daily papers into data/records/hub/YYYY-MM-DD.json (or, with "
        "--resolve, find arXiv ids for papers that have none). Without a date: the newest "
        "saved day (asked again) through today, UTC; today alone when nothing is saved yet.",
    )
    fetch.epilog = limits_help() + " " + resolve_help()
    _data(fetch)
    _strict(fetch)
    when = fetch.add_mutually_exclusive_group()
    when.add_argument("--date", type=iso_date, metavar="YYYY-MM-DD", help="fetch this day")
    when.add_argument("--since", type=iso_date, metavar="YYYY-MM-DD", help="first day to fetch")
    when.add_argument(
        "--resolve",
        action="store_true",
        help="look up every paper without an arXiv id in the Hub's paper search; save matches "
        "(equal normalized title, agreeing abstract, one id) in data/records/hub/resolved.json",
    )
    fetch.add_argument(
        "--until", type=iso_date, metavar="YYYY-MM-DD", help="with --since: last day (today)"
    )
    fetch.add_argument(
        "--refresh",
        action="store_true",
        help="ask again for days already saved; a day file is rewritten only if it changed",
    )
    fetch.add_argument(
        "--max-lookups",
        type=positive_int,
        default=MAX_LOOKUPS,
        metavar="N",
        help=f"with --resolve: at most N searches this run (default {MAX_LOOKUPS:,})",
    )
    fetch.add_argument(
        "--endpoint", help="the Hub's address (default: $HF_ENDPOINT, else https://huggingface.co)"
    )
    fetch.set_defaults(run=cmd_fetch)


@dataclass
class Commands:
    """The subcommands: each takes only the options it uses."""

    action: argparse._SubParsersAction[argparse.ArgumentParser]
    parsers: dict[str, argparse.ArgumentParser] = field(default_factory=dict)

    def add(self, name: str, help_text: str) -> argparse.ArgumentParser:
        sub = self.action.add_parser(name, help=help_text, description=help_text)
        self.parsers[name] = sub
        return sub


def parser() -> tuple[argparse.ArgumentParser, Commands]:
    top = _Parser(
        prog="paperkb",
        description="Build a paper knowledge base site from saved Daily Papers listings.",
    )
    top.add_argument("--version", action="version", version=f"paperkb {__version__}")
    commands = Commands(
        top.add_subparsers(
            dest="command",
            required=True,
            metavar="COMMAND",
            parser_class=argparse.ArgumentParser,
        )
    )
    _site_commands(commands)
    _tool_commands(commands)
    return top, commands


def parse(argv: Sequence[str] | None) -> argparse.Namespace:
    """The arguments; an option the command does not take is an error of that command."""
    top, commands = parser()
    args, extra = top.parse_known_args(argv)
    if extra:
        sub = commands.parsers[args.command]
        sub.error(_unrecognized(sub, extra))
    return args


def main(argv: Sequence[str] | None = None) -> int:
    for stream in (sys.stdout, sys.stderr):  # text that the terminal cannot show is escaped
        if isinstance(stream, io.TextIOWrapper):
            stream.reconfigure(errors="backslashreplace")
    args = parse(argv)
    try:
        code: int = args.run(args)
    except UsageError as exc:
        print(f"paperkb: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except PaperkbError as exc:
        print(f"paperkb: error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except OSError as exc:  # the disk, not the data: full, read-only, a folder gone
        where = f"{exc.filename}: " if exc.filename else ""
        print(f"paperkb: error: {where}{exc.strerror or exc}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        return 130
    return code


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
