"""``paperkb serve``: MkDocs' live-reloading server, watching the knowledge base too.

MkDocs' own ``serve`` watches the docs folder and the configuration, so a page written by
hand shows at once, but a listing edited in ``data/`` would not: the generated pages come from
it. This runs MkDocs' development server (``mkdocs.livereload.LiveReloadServer``, the one
``mkdocs serve`` uses, with MkDocs' ``build`` in its serve mode) with ``data/`` watched as well;
a change there regenerates ``docs/`` (the ``regenerate`` callback: ``paperkb generate`` under
the run lock) before the site is rebuilt. A rebuild that finds nothing changed in ``data/``,
the docs folder or the configuration since the last build (what ``generate``'s own writes,
and its lock file, set off) builds nothing.

The address is tried before anything is generated (:func:`check_address`): a port in use is
one line, ``cannot serve on HOST:PORT: ...``, and exit code 1. MkDocs' log is shown as plain
lines (no terminal colour codes), and Material's end-of-life banner is not printed
(:mod:`generator.sitebuild.engine` sets ``NO_MKDOCS_2_WARNING``). A rebuild that fails, bad
data included, prints its error and keeps serving the last good site.
"""

from __future__ import annotations

import contextlib
import logging
import shutil
import socket
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from generator.datafiles import LOCK_FILE
from generator.errors import PaperkbError, UsageError
from generator.sitebuild import engine  # noqa: F401 - sets NO_MKDOCS_2_WARNING before MkDocs

if TYPE_CHECKING:
    from mkdocs.config.defaults import MkDocsConfig

Stamp = tuple[tuple[str, int, int], ...]


class Address(NamedTuple):
    host: str
    port: int

    def __str__(self) -> str:
        return f"[{self.host}]:{self.port}" if ":" in self.host else f"{self.host}:{self.port}"


def check_address(dev_addr: str) -> Address:
    """``dev_addr`` parsed as MkDocs parses it, and free to listen on; else one clear error."""
    from mkdocs.config import config_options
    from mkdocs.config.base import ValidationError

    try:
        option: Any = config_options.IpAddress()
        value = option.validate(dev_addr)
    except ValidationError as exc:
        raise UsageError(f"--dev-addr {dev_addr}: {exc}") from None
    address = Address(value.host, value.port)
    if not 0 < address.port < 65536:
        raise UsageError(f"--dev-addr {dev_addr}: the port must be between 1 and 65535")
    family = socket.AF_INET6 if ":" in address.host else socket.AF_INET
    try:
        with socket.socket(family, socket.SOCK_STREAM) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the server does
            probe.bind((address.host, address.port))
    except OSError as exc:
        raise _cannot_serve(address, exc) from None
    return address


def _cannot_serve(address: Address, exc: OSError) -> PaperkbError:
    return PaperkbError(
        f"cannot serve on {address}: {exc.strerror or exc}; stop what uses it or choose "
        "another address with --dev-addr HOST:PORT"
    )


def stamp(folder: Path) -> Stamp:
    """Every file under ``folder`` (or ``folder`` itself, a file) with its size and modification
    time; the run lock aside."""
    if not folder.exists():
        return ()
    found = []
    for path in [folder] if folder.is_file() else folder.rglob("*"):
        if path.name != LOCK_FILE and path.is_file():
            status = path.stat()
            found.append((path.as_posix(), status.st_size, status.st_mtime_ns))
    return tuple(sorted(found))


@contextlib.contextmanager
def _plain_log() -> Iterator[None]:
    """MkDocs' log lines on stderr, plain, while serving (informational lines included)."""
    logger = logging.getLogger("mkdocs")
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("  mkdocs: %(levelname)s: %(message)s"))
    level, propagate = logger.level, logger.propagate
    logger.setLevel(logging.INFO)
    logger.propagate = False
    logger.addHandler(handler)
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
        logger.propagate = propagate


class _Builder:
    """The server's builder: regenerate when data/ changed, then build if anything did."""

    def __init__(
        self,
        config_file: Path,
        site_dir: str,
        address: Address,
        data: Path,
        regenerate: Callable[[], None],
    ) -> None:
        self.config_file, self.site_dir, self.address = config_file, site_dir, address
        self.data, self.regenerate = data, regenerate
        self.data_seen = stamp(data)
        self.built: tuple[Stamp, ...] | None = None
        self.url = ""

    def config(self) -> MkDocsConfig:
        from mkdocs.config import load_config

        config = load_config(
            str(self.config_file), site_dir=self.site_dir, dev_addr=str(self.address)
        )
        config.site_url = self.url or config.site_url
        return config

    def __call__(self, config: MkDocsConfig | None = None) -> None:
        from mkdocs.commands.build import build

        try:
            if stamp(self.data) != self.data_seen:
                print("paperkb: data/ changed, regenerating the pages", file=sys.stderr)
                self.regenerate()
                self.data_seen = stamp(self.data)
            config = config or self.config()
            watched = [config.docs_dir, self.config_file, *config.watch]
            inputs = tuple(stamp(Path(str(path))) for path in watched)
            if inputs == self.built:
                return
            build(config, serve_url=self.url)
            self.built = inputs
        except (Exception, SystemExit) as exc:  # MkDocs' Abort is a SystemExit
            print(f"paperkb: error: {exc}\n  (still serving the last site)", file=sys.stderr)


def serve(
    config_file: Path, address: Address, *, data: Path, regenerate: Callable[[], None]
) -> None:
    """Serve the site of ``config_file`` on ``address`` until interrupted (Ctrl-C)."""
    from mkdocs.livereload import LiveReloadServer

    site_dir = tempfile.mkdtemp(prefix="paperkb-serve-")
    builder = _Builder(config_file, site_dir, address, data, regenerate)
    with _plain_log():
        config = builder.config()
        config.plugins.on_startup(command="serve", dirty=False)
        try:
            server = LiveReloadServer(
                builder=builder, host=address.host, port=address.port, root=site_dir
            )
            builder.url = server.url
            config.site_url = server.url
            server.error_handler = _error_page(site_dir)
            builder(config)
            server.watch(config.docs_dir)
            server.watch(str(config_file))
            server.watch(str(data))
            server = config.plugins.on_serve(server, config=config, builder=builder)
            for item in config.watch:
                server.watch(item)
            _run(server, address)
        finally:
            config.plugins.on_shutdown()
            shutil.rmtree(site_dir, ignore_errors=True)


def _error_page(site_dir: str) -> Callable[[int], bytes | None]:
    """The site's own 404 page for a missing page, as ``mkdocs serve`` does."""

    def page(code: int) -> bytes | None:
        path = Path(site_dir) / f"{code}.html"
        return path.read_bytes() if code in (404, 500) and path.is_file() else None

    return page


def _run(server: Any, address: Address) -> None:
    """MkDocs' server until Ctrl-C (its ``serve`` has no type hints)."""
    try:
        server.serve()
    except OSError as exc:
        raise _cannot_serve(address, exc) from None
    except KeyboardInterrupt:
        print("paperkb: stopped serving", file=sys.stderr)
    finally:
        server.shutdown()
