"""The file drop transport: a folder per partner for EDI and CSV, both ways.

A company with ``transport = "file"`` has a drop folder with four
subfolders, created on first use:

- ``out/``: the gateway writes every message for the company here: a
  propagated document as a native file (its ERP kind's adapter, named
  ``<messageId><suffix>``, e.g. ``MSG-....x12``), an acknowledgement or
  notice, which has no native form, as its canonical InboxMessage XML
  (``<messageId>.inbox.xml``).  Each file is written under a temporary
  name starting with "." and renamed, so a reader never sees half a file.
- ``in/``: the company puts its native files here (a name starting with
  "." is taken as still being written and left alone);
- ``done/``: a file whose documents were all applied, next to ``<name>.result.xml``
  (a SubmitNativeResponse: what became of each document);
- ``rejected/``: a file refused as a whole (nothing of it submitted), next
  to ``<name>.error.txt`` saying what is wrong and where; also a file the
  gateway itself failed on ``MAX_FAILURES`` rounds running (an error that
  is not a refusal of the file's content, nor the database being away).

Inbound files are read with the company's adapter and every document
applied as the company in one transaction, as SubmitNative applies them: new
documents submitted, changes and cancellations cascaded, order responses
acknowledged.  The message id of a file is
derived from its name and the hash of its content: the same file dropped
twice is processed once (the second time finds the recorded replies), and a
crash between the commit and the move to done/ loses nothing.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import logging
import os
from dataclasses import dataclass
from pathlib import Path

from lxml import etree
from sqlalchemy import Engine, select
from sqlalchemy.exc import InterfaceError, OperationalError

from ..domain.errors import GatewayError
from ..hq.actor import Actor
from ..persistence.tables import company
from . import native

log = logging.getLogger(__name__)

SUBFOLDERS = ("in", "out", "done", "rejected")

# Errors of the connection, not of the file: such a file is never set aside.
DB_UNREACHABLE = (OperationalError, InterfaceError)
# Unexpected failures of one file before it goes to rejected/ (counted per
# process: a restarted gateway tries the file afresh).
MAX_FAILURES = 3
_failures: dict[tuple[str, str], int] = {}


def folders(drop: str | os.PathLike[str]) -> dict[str, Path]:
    root = Path(drop)
    out = {name: root / name for name in SUBFOLDERS}
    for path in out.values():
        path.mkdir(parents=True, exist_ok=True)
    return out


def _write_atomically(folder: Path, name: str, data: bytes) -> Path:
    target = folder / name
    temporary = folder / f".{name}.tmp"
    with open(temporary, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    os.replace(temporary, target)  # atomic on one file system
    return target


def write_outbound(fmt: native.Format, message_id: str, payload: str,
                   rendered: native.Rendered | None) -> Path:
    """One message into <drop>/out/: the native document if there is one, else the
    canonical InboxMessage."""
    if not fmt.drop_folder:
        raise RuntimeError(f"{fmt.company} has transport \"file\" but no drop_folder")
    out = folders(fmt.drop_folder)["out"]
    if rendered is not None:
        return _write_atomically(out, f"{message_id}{rendered.file_suffix}", rendered.data)
    return _write_atomically(out, f"{message_id}.inbox.xml", payload.encode("utf-8"))


@dataclass(frozen=True)
class PollReport:
    done: int = 0
    rejected: int = 0
    documents: int = 0

    @property
    def total(self) -> int:
        return self.done + self.rejected


def file_message_id(name: str, data: bytes) -> str:
    return "FILE-" + hashlib.sha256(name.encode("utf-8") + b"\0" + data).hexdigest()[:40]


def poll(engine: Engine, *, now: dt.datetime | None = None) -> PollReport:
    """Process every file waiting in the in/ folder of every file-drop company, once."""
    done = rejected = documents = 0
    with engine.connect() as conn:
        companies = conn.execute(select(company.c.code).where(company.c.transport == "file")
                                 .order_by(company.c.code)).scalars().all()
        formats = [native.format_of(conn, code) for code in companies]
    for fmt in formats:
        if not fmt.drop_folder:
            continue
        paths = folders(fmt.drop_folder)
        for path in sorted(p for p in paths["in"].iterdir()
                           if p.is_file() and not p.name.startswith(".")):
            try:
                outcome = _process(engine, fmt, path, paths, now)
            except FileNotFoundError:
                continue   # another gateway process took it first
            except DB_UNREACHABLE:
                # Not the file's fault: it waits, however long the database is away.
                log.exception("file drop %s: %s left for the next round", fmt.company, path)
                continue
            except Exception as exc:  # noqa: BLE001 - left in in/ for the next round ...
                # (a race with another process on the same file ends here: next
                # time its message ids are found already recorded) ... but a file
                # that fails the gateway round after round is set aside, not
                # retried and logged every few seconds for ever.
                log.exception("file drop %s: %s left for the next round", fmt.company, path)
                if _failed_again(fmt.company, path, exc, paths):
                    rejected += 1
                continue
            _failures.pop((fmt.company, path.name), None)
            if outcome is None:
                rejected += 1
            else:
                done += 1
                documents += outcome
    return PollReport(done, rejected, documents)


def _failed_again(company: str, path: Path, exc: Exception, paths: dict[str, Path]) -> bool:
    key = (company, path.name)
    _failures[key] = _failures.get(key, 0) + 1
    if _failures[key] < MAX_FAILURES:
        return False
    del _failures[key]
    try:
        _reject(path, paths, f"Server.Internal: the gateway failed on this file "
                f"{MAX_FAILURES} times ({type(exc).__name__}: {str(exc)[:300]}); it is set "
                f"aside so that it is not tried for ever. Tell the gateway's administrator: "
                f"the gateway's log has the details.", ())
    except FileNotFoundError:
        return False
    return True


def _process(engine: Engine, fmt: native.Format, path: Path, paths: dict[str, Path],
             now: dt.datetime | None) -> int | None:
    """Submit one file's documents in one transaction; the count, or None if rejected."""
    data = path.read_bytes()
    message_id = file_message_id(path.name, data)
    actor = Actor(f"file-drop:{fmt.company}", fmt.company)
    at = now or dt.datetime.now(dt.timezone.utc)
    try:
        with engine.begin() as conn:
            results = native.submit_all(conn, actor, fmt.erp_kind, data, message_id, at)
    except GatewayError as exc:
        _reject(path, paths, f"{exc.code.value}: {exc}", exc.problems)
        return None
    # What became of each document (submitted, changed, cancelled, acknowledged), as
    # SubmitNative answers it: written before the move, so a file in done/ has its result.
    _write_atomically(paths["done"], f"{path.name}.result.xml",
                      etree.tostring(native.report(results), encoding="utf-8",
                                     xml_declaration=True, pretty_print=True))
    os.replace(path, paths["done"] / path.name)
    log.info("file drop %s: %s -> %d document(s)", fmt.company, path.name, len(results))
    return len(results)


def _reject(path: Path, paths: dict[str, Path], reason: str, problems: tuple[str, ...]) -> None:
    lines = [f"{path.name} was refused; nothing in it was submitted.", "", reason]
    lines += [f"  {p}" for p in problems[:20]]
    lines += ["", "Fix the file and drop it again into in/."]
    _write_atomically(paths["rejected"], f"{path.name}.error.txt",
                      ("\n".join(lines) + "\n").encode("utf-8"))
    os.replace(path, paths["rejected"] / path.name)
    log.warning("file drop: %s rejected: %s", path, reason)
