"""The one HTTP client of ``paperkb fetch``: GET a JSON answer from the Hub, bounded in every way.

* **Only the requests paperkb means.** ``httpx`` directly, one client per attempt: no library
  makes requests of its own (``huggingface_hub`` 2.x asked ``/api/agent-harnesses`` outside
  paperkb's time limits and cached what it got under ``HF_HOME``); nothing is read from or
  written to ``HF_HOME``. ``HF_ENDPOINT`` (or ``--endpoint``) is the address, ``HF_TOKEN`` is
  sent as ``Authorization: Bearer`` (no token file is read), ``HF_HUB_OFFLINE`` refuses to ask;
  proxies (``HTTPS_PROXY``, ``NO_PROXY``) and ``SSL_CERT_FILE`` are honoured, certificates are
  checked against the system's store. Redirects are not followed.
* **Time.** Each attempt runs in a worker thread that the caller waits for at most
  :attr:`Budget.per_request` seconds (less when the day's :attr:`Budget.per_day` ends first),
  whatever the server does: a drip of one byte a second, in the headers or the body, or a name
  that never resolves, cannot stretch it (``httpx``'s timeouts bound each read, not the whole).
  The body is streamed and the worker stops at the deadline too. A worker left behind is a
  daemon thread that stops at its next read.
* **Bytes.** The body is read in pieces and decoded here (``gzip``, ``deflate`` or none), at most
  :attr:`Budget.max_bytes` decoded bytes (and as many raw ones): a gzip bomb is stopped at the
  cap, never expanded whole.
* **Retries.** Connection errors, timeouts, 408, 429 and 5xx are retried with exponential backoff
  (:class:`Budget`); ``Retry-After`` is waited exactly when it is at most
  :data:`MAX_RETRY_AFTER` (longer: the run gives up rather than ask again early). An answer that
  is too large, not UTF-8, not JSON or nested deeper than
  :data:`generator.inputs.jsondoc.MAX_DEPTH` is an error at once (not transient).
"""

from __future__ import annotations

import datetime
import email.utils
import json
import os
import re
import ssl
import sys
import threading
import time
import zlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import httpx

from generator import __version__
from generator.errors import PaperkbError
from generator.inputs.jsondoc import MAX_DEPTH, too_deep

__all__ = [
    "BUDGET",
    "DEFAULT_ENDPOINT",
    "MAX_RETRY_AFTER",
    "Budget",
    "FetchError",
    "Hub",
    "limits_help",
    "parse_retry_after",
    "retryable",
]

#: The Hub's address when neither ``--endpoint`` nor ``HF_ENDPOINT`` says otherwise.
DEFAULT_ENDPOINT = "https://huggingface.co"
#: A ``Retry-After`` longer than this is not waited: the run stops and says so.
MAX_RETRY_AFTER = 120.0
_SHOWN = 60
#: Bytes of an error answer read for its message.
_ERROR_BODY = 65_536
#: Decoded bytes asked of a decompressor at a time (so at most this much more than the body).
_PIECE = 1 << 20


class FetchError(PaperkbError):
    """The Hub could not be asked, or answered something unusable; names the day or paper."""


def shown(value: str) -> str:
    """``value`` quoted for a message, cut to 60 characters, unprintable ones escaped."""
    if len(value) > _SHOWN:
        value = value[: _SHOWN - 3] + "..."
    return repr(value)


def kind(value: object) -> str:
    """What a decoded JSON value is, in words."""
    if value is None:
        return "null"
    for type_, name in ((bool, "a boolean"), (int, "an integer"), (float, "a number")):
        if isinstance(value, type_):
            return name
    if isinstance(value, str):
        return "a string"
    return "a list" if isinstance(value, list) else "an object"


@dataclass(frozen=True, slots=True)
class Budget:
    """How long and how much one day (or one search) may take, and how often a request is tried.

    Waits between attempts double from ``first_wait`` up to ``max_wait``; ``Retry-After`` replaces
    that wait when given (up to :data:`MAX_RETRY_AFTER`). Each attempt gets ``timeout`` seconds to
    connect and for each read, ``per_request`` seconds in all, and no more than what is left of
    ``per_day``; a retry whose wait would end after ``per_day`` is not made. An answer holds at
    most ``max_bytes`` bytes, decoded.
    """

    timeout: float = 30.0
    attempts: int = 6
    first_wait: float = 1.0
    max_wait: float = 30.0
    per_day: float = 300.0
    max_retry_after: float = MAX_RETRY_AFTER
    per_request: float = 60.0
    max_bytes: int = 32 * 1024 * 1024

    def backoff(self, attempt: int) -> float:
        """The wait after failed attempt number ``attempt`` (1-based) without ``Retry-After``."""
        return float(min(self.max_wait, self.first_wait * 2 ** (attempt - 1)))


#: The budget of a run; tests replace it with a tiny one.
BUDGET = Budget()


def limits_help(budget: Budget = BUDGET) -> str:
    """The bounds, for ``paperkb fetch --help``."""
    return (
        f"Each request takes at most {budget.per_request:g} s however the server answers (a "
        f"connection or a read waits at most {budget.timeout:g} s) and at most "
        f"{budget.max_bytes // 2**20} MiB, decoded; connection errors, timeouts, 408, "
        f"429 and 5xx answers are tried up to {budget.attempts} times with waits doubling from "
        f"{budget.first_wait:g} s to {budget.max_wait:g} s (a Retry-After of up to "
        f"{budget.max_retry_after:g} s is waited instead; a longer one stops the run), and one "
        f"day (or one search) takes at most {budget.per_day:g} s in all. When that is spent the "
        "run stops with exit code 1 naming the day; days saved before stay saved. "
        "HF_ENDPOINT sets the Hub's address, HF_TOKEN is sent as a Bearer token when set; "
        "no other request is made and nothing is cached."
    )


def parse_retry_after(value: str | None, now: datetime.datetime | None = None) -> float | None:
    """Seconds a ``Retry-After`` asks to wait (delay-seconds or an HTTP date), or ``None``."""
    if value is None or not value.strip():
        return None
    text = value.strip()
    try:
        seconds = float(text)
    except ValueError:
        try:
            moment = email.utils.parsedate_to_datetime(text)
        except (TypeError, ValueError):
            return None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=datetime.UTC)
        seconds = (moment - (now or datetime.datetime.now(datetime.UTC))).total_seconds()
    if seconds != seconds:  # NaN
        return None
    return max(0.0, seconds)


def retryable(status: int) -> bool:
    """Statuses worth asking again: request timeout, rate limit, server errors."""
    return status in (408, 429) or 500 <= status <= 599


# --- one attempt ----------------------------------------------------------------------------


class _Transient(Exception):
    """An attempt that failed in a way worth trying again (the message says how)."""


class _TooLarge(Exception):
    """An answer beyond :attr:`Budget.max_bytes`."""


@dataclass(frozen=True, slots=True)
class _Answer:
    status: int
    headers: Mapping[str, str]
    body: bytes


class _Body:
    """An answer's body as it streams in: decoded (``gzip``, ``deflate`` or none) and counted.

    At most ``cap`` bytes arrive and at most ``cap`` decoded bytes are kept (then
    :class:`_TooLarge`): a decoder is asked for no more than the room left, a piece at a time,
    so a gzip bomb is never expanded past the cap.
    """

    def __init__(self, encoding: str, cap: int) -> None:
        self.encoding = encoding
        self.cap = cap
        self.data = bytearray()
        self.raw = 0
        if encoding in ("", "identity"):
            self.engine = None
        elif encoding in ("gzip", "x-gzip", "deflate"):
            self.engine = zlib.decompressobj(zlib.MAX_WBITS | (16 if encoding != "deflate" else 0))
        else:
            raise _Transient(
                f"the Hub answered in a Content-Encoding paperkb cannot read: {encoding}"
            )

    def feed(self, chunk: bytes) -> None:
        self.raw += len(chunk)
        if self.raw > self.cap:
            raise _TooLarge(f"more than {self.cap:,} bytes arrived")
        if self.engine is None:
            self.data += chunk
        while self.engine is not None and len(self.data) <= self.cap:
            self.data += self.engine.decompress(chunk, min(self.cap + 1 - len(self.data), _PIECE))
            chunk = self.engine.unconsumed_tail  # the input a full piece left undecoded
            if not chunk:
                break
        if len(self.data) > self.cap:
            raise _TooLarge(f"it decodes to more than {self.cap:,} bytes")

    def finish(self) -> bytes:
        if self.engine is not None and (not self.engine.eof or self.engine.unused_data):
            raise _Transient(f"the answer's {self.encoding} stream is cut short or has extra data")
        return bytes(self.data)


def _read_body(response: httpx.Response, cap: int, in_time: Callable[[], None]) -> bytes:
    """The decoded body, at most ``cap`` bytes (then :class:`_TooLarge`); ``in_time()`` is
    called before each piece is taken, and stops the read (it raises) at the deadline."""
    length = response.headers.get("content-length", "").strip()
    if length.isdigit() and int(length) > cap:
        raise _TooLarge(f"it announces {int(length):,} bytes")
    body = _Body(response.headers.get("content-encoding", "").strip().lower(), cap)
    for chunk in response.iter_raw():
        in_time()
        body.feed(chunk)
    return body.finish()


def _ssl_context() -> ssl.SSLContext:
    """The system's certificate store (``SSL_CERT_FILE`` / ``SSL_CERT_DIR`` honoured by OpenSSL)."""
    return ssl.create_default_context()


def _exchange(
    url: str,
    params: Mapping[str, str | int],
    headers: Mapping[str, str],
    timeout: float,
    cap: int,
    in_time: Callable[[], None],
) -> _Answer:
    """One GET, its body read as it streams in. Runs in a worker thread (:meth:`Hub.attempt`)."""
    limits = httpx.Timeout(timeout)
    with (
        httpx.Client(verify=_ssl_context(), timeout=limits, follow_redirects=False) as client,
        client.stream("GET", url, params=dict(params), headers=dict(headers)) as response,
    ):
        if response.status_code >= 400:  # read for its message only
            try:
                body = _read_body(response, _ERROR_BODY, in_time)
            except (_TooLarge, _Transient, httpx.HTTPError, zlib.error):
                body = b""
            return _Answer(response.status_code, dict(response.headers), body)
        try:
            body = _read_body(response, cap, in_time)
        except zlib.error as exc:
            raise _Transient(f"the answer's compressed stream is corrupt: {exc}") from exc
        return _Answer(response.status_code, dict(response.headers), body)


def _transport_problem(exc: BaseException, endpoint: str, timeout: float) -> str:
    detail = str(exc) or type(exc).__name__
    if isinstance(exc, httpx.TimeoutException):
        return f"no answer from {endpoint} within {timeout:g} s ({type(exc).__name__})"
    if isinstance(exc, httpx.ConnectError):
        return f"cannot connect to {endpoint}: {detail}"
    if isinstance(exc, _Transient):
        return detail
    return f"the connection to {endpoint} failed: {detail}"


def _clean(text: str, limit: int = 300) -> str:
    """Text from the Hub for a message: one line, no control characters, never unprintable."""
    text = text.encode("utf-8", "backslashreplace").decode("utf-8")
    text = " ".join("".join(c if c.isprintable() else " " for c in text).split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _http_problem(answer: _Answer) -> str:
    """An error answer on one line: the status and the Hub's own message, when it gives one."""
    reason = f"HTTP {answer.status}"
    try:
        found = json.loads(answer.body) if answer.body else None
    except (ValueError, RecursionError):
        found = None
    message = found.get("error") if isinstance(found, dict) else None
    message = message or answer.headers.get("x-error-message")
    return f"{reason}: {_clean(message)}" if isinstance(message, str) and message else reason


def _decode(body: bytes, what: str) -> object:
    """The JSON value of an answer; a located error when it is not UTF-8 JSON of sane depth."""
    try:
        text = body.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as exc:
        raise FetchError(
            f"{what}: the Hub's answer is not UTF-8 (byte offset {exc.start}): {exc.reason}"
        ) from exc
    try:
        return json.loads(text)
    except RecursionError:
        where = too_deep(text)
        at = f" (line {where})" if where is not None else ""
        raise FetchError(
            f"{what}: the Hub's answer nests more than {MAX_DEPTH} levels deep{at} (refused)"
        ) from None
    except ValueError as exc:
        raise FetchError(
            f"{what}: the Hub's answer is not JSON ({exc}); it starts with {shown(text[:_SHOWN])}"
        ) from exc


# --- the Hub --------------------------------------------------------------------------------

_OFF = ("1", "on", "true", "yes")


@dataclass(frozen=True, slots=True)
class Hub:
    """Where and how to ask the Hub. ``sleep`` and ``clock`` are replaceable for tests."""

    endpoint: str = DEFAULT_ENDPOINT
    token: str | None = None
    budget: Budget = field(default_factory=lambda: BUDGET)
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.monotonic
    offline: bool = False
    say: Callable[[str], None] = field(default=lambda line: print(line, file=sys.stderr))
    """Where a failed attempt is told before the wait for the next one (a run never waits
    in silence: six attempts against an unreachable Hub take half a minute)."""

    @classmethod
    def from_env(cls, endpoint: str | None = None, environ: Mapping[str, str] | None = None) -> Hub:
        """``endpoint``, else ``HF_ENDPOINT``, else :data:`DEFAULT_ENDPOINT`; ``HF_TOKEN``;
        ``HF_HUB_OFFLINE``."""
        env = os.environ if environ is None else environ
        address = (endpoint or env.get("HF_ENDPOINT") or DEFAULT_ENDPOINT).strip().rstrip("/")
        if not re.match(r"https?://[^/\s]+", address):
            raise FetchError(f"the Hub endpoint must be an http(s) URL, got {shown(address)}")
        token = (env.get("HF_TOKEN") or "").strip() or None
        offline = env.get("HF_HUB_OFFLINE", "").strip().lower() in _OFF
        return cls(address, token, BUDGET, offline=offline)

    def headers(self) -> dict[str, str]:
        found = {
            "User-Agent": f"paperkb/{__version__}",
            "Accept": "application/json",
            "Accept-Encoding": "gzip, deflate",
        }
        if self.token:
            found["Authorization"] = f"Bearer {self.token}"
        return found

    def attempt(self, url: str, params: Mapping[str, str | int], limit: float) -> _Answer:
        """One GET that returns or fails within ``limit`` seconds, whatever the server does."""
        ends = self.clock() + limit
        outcome: list[_Answer | BaseException] = []
        late = f"no complete answer from {self.endpoint} within {limit:.3g} s"

        def in_time() -> None:
            if self.clock() >= ends:
                raise _Transient(late)

        def work() -> None:
            try:
                found = _exchange(
                    url, params, self.headers(), self.budget.timeout, self.budget.max_bytes, in_time
                )
            except BaseException as exc:  # handed to the caller
                outcome.append(exc)
            else:
                outcome.append(found)

        worker = threading.Thread(target=work, name="paperkb-hub-request", daemon=True)
        worker.start()
        worker.join(max(limit, 0.0))
        if not outcome:
            raise _Transient(late)
        if isinstance(outcome[0], BaseException):
            raise outcome[0]
        return outcome[0]

    def get_json(
        self, path: str, params: Mapping[str, str | int], *, what: str, deadline: float
    ) -> object:
        """The decoded JSON answer to ``GET endpoint+path?params``, retried per :class:`Budget`.

        Raises :class:`FetchError` naming ``what`` (the day, or the searched title).
        """
        if self.offline:
            raise FetchError(f"{what}: HF_HUB_OFFLINE is set: paperkb fetch asks nothing")
        url = self.endpoint + path
        budget = self.budget
        started = self.clock()
        attempt = 0
        while True:
            attempt += 1
            limit = min(budget.per_request, deadline - self.clock())
            if limit <= 0:
                raise FetchError(f"{what}: the {budget.per_day:g} s budget is spent")
            retry_after: float | None = None
            try:
                answer = self.attempt(url, params, limit)
            except (httpx.TransportError, _Transient, OSError) as exc:
                problem = _transport_problem(exc, self.endpoint, min(budget.timeout, limit))
            except _TooLarge as exc:
                raise FetchError(
                    f"{what}: the Hub's answer is larger than {budget.max_bytes:,} bytes "
                    f"({exc}); refused"
                ) from None
            except (httpx.HTTPError, httpx.InvalidURL, ValueError) as exc:  # not transient
                raise FetchError(f"{what}: cannot ask {url}: {exc}") from exc
            else:
                if answer.status < 300:
                    return _decode(answer.body, what)
                problem = _http_problem(answer)
                if answer.status < 400:
                    where = answer.headers.get("location", "")
                    raise FetchError(f"{what}: {problem} to {shown(where)}, not followed")
                if not retryable(answer.status):
                    raise FetchError(f"{what}: {problem}")
                retry_after = parse_retry_after(answer.headers.get("retry-after"))
            elapsed = self.clock() - started
            tries = f"{attempt} attempt{'' if attempt == 1 else 's'} in {elapsed:.1f} s"
            if attempt >= budget.attempts:
                raise FetchError(f"{what}: gave up after {tries}: {problem}")
            if retry_after is not None and retry_after > budget.max_retry_after:
                raise FetchError(
                    f"{what}: the Hub asks to wait {retry_after:g} s before asking again, longer "
                    f"than paperkb waits ({budget.max_retry_after:g} s); try later: {problem}"
                )
            wait = budget.backoff(attempt) if retry_after is None else retry_after
            if self.clock() + wait > deadline:
                raise FetchError(
                    f"{what}: gave up after {tries} (the next one "
                    f"would end after the {budget.per_day:g} s budget): {problem}"
                )
            self.say(
                f"  {what}: {problem}; asking again in {wait:g} s "
                f"(attempt {attempt + 1} of {budget.attempts})"
            )
            self.sleep(wait)

    def get_list(
        self, path: str, params: Mapping[str, str | int], *, what: str, deadline: float
    ) -> list[object]:
        found = self.get_json(path, params, what=what, deadline=deadline)
        if not isinstance(found, list):
            raise FetchError(f"{what}: the Hub answered {kind(found)} where a list was expected")
        return found
