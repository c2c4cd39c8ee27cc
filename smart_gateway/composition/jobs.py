"""Compositions kept in gw_composition_job, and large ones solved outside the request path.

A submitted composition is checked in the request (a bad or plainly
infeasible one is refused there, writing nothing), stored as Queued and, once
committed, handed to a small pool of background threads in the gateway
process.  The solve runs with the GIL released; at each new best solution
(and at most every ``PROGRESS_EVERY`` seconds otherwise) the job row gets the
incumbent, the bound and the gap in a short transaction of its own, so that
GetComposition reports progress while the solve runs and no request ever
waits for it.  One solve at a time per process (``WORKERS``): the gateway's
requests keep the other core.
"""
from __future__ import annotations

import datetime as dt
import json
import logging
import threading
import uuid
from concurrent.futures import Executor, ThreadPoolExecutor

from lxml import etree
from sqlalchemy import Connection, Engine, insert, select, update

from ..domain.errors import GatewayError, NotFound, Unauthorized
from ..hq.actor import Actor
from ..persistence.tables_composition import composition_job
from . import compose
from .instance import Instance
from .messages import request_from_xml, result_to_xml
from .solution import Solution

log = logging.getLogger(__name__)

WORKERS = 1
PROGRESS_EVERY = 1.0
# A Running job whose row has not moved for this long has lost its solver: the
# process that ran it stopped (progress is written as SCIP solves nodes, at most
# every PROGRESS_EVERY s; a single node or a presolve rarely takes minutes).
STALE_RUNNING = dt.timedelta(minutes=10)
# A Queued job waits behind at most a few solves of at most an hour each.
STALE_QUEUED = dt.timedelta(hours=3)
_pool: Executor | None = None
_pool_lock = threading.Lock()


def new_id() -> str:
    return f"CMP-{uuid.uuid4().hex}"


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def create(conn: Connection, actor: Actor, *, job_id: str, request: etree._Element,
           time_limit: float, state: str, now: dt.datetime, parent_id: str | None = None) -> None:
    conn.execute(insert(composition_job).values(
        id=job_id, company=actor.company, actor=actor.username, state=state,
        request_xml=etree.tostring(request, encoding="unicode"), time_limit=time_limit,
        parent_id=parent_id, created_at=now, updated_at=now))


def record_result(conn: Connection, job_id: str, inst: Instance, solution: Solution,
                  now: dt.datetime) -> None:
    conn.execute(update(composition_job).where(composition_job.c.id == job_id).values(
        state="Solved", result_xml=etree.tostring(result_to_xml(inst, solution), encoding="unicode"),
        incumbent=solution.objective, bound=solution.bound, gap=solution.gap, updated_at=now))


def record_failure(conn: Connection, job_id: str, error: GatewayError, now: dt.datetime) -> None:
    conn.execute(update(composition_job).where(composition_job.c.id == job_id).values(
        state="Failed", failure_code=error.code.value, failure_message=error.message[:2000],
        updated_at=now))


def record_orders(conn: Connection, job_id: str, orders: list[dict], now: dt.datetime) -> None:
    conn.execute(update(composition_job).where(composition_job.c.id == job_id).values(
        orders=json.dumps(orders), updated_at=now))


def superseded_by(conn: Connection, job_id: str) -> str | None:
    """The recomposition of ``job_id`` that changed its placed orders, if any:
    after it, the orders stand as that one records them, not as this one does."""
    return conn.execute(select(composition_job.c.id).where(
        composition_job.c.parent_id == job_id, composition_job.c.orders.is_not(None))
        .order_by(composition_job.c.created_at).limit(1)).scalar_one_or_none()


def load(conn: Connection, actor: Actor, job_id: str, *, lock: bool = False) -> dict:
    """The job, if the caller may see it: its own company's, or any for the administrator."""
    query = select(composition_job).where(composition_job.c.id == job_id)
    if lock:
        query = query.with_for_update()
    row = conn.execute(query).mappings().first()
    if row is None:
        raise NotFound(f"composition {job_id} does not exist")
    if not actor.is_admin and row["company"] != actor.company:
        # Another company's composition is not shown, nor is its existence.
        raise NotFound(f"composition {job_id} does not exist")
    return dict(row)


def require_company(actor: Actor, what: str) -> str:
    if actor.is_admin or actor.company is None:
        raise Unauthorized(f"{what} is done by the orchestrating company, not the administrator")
    return actor.company


# ---------------------------------------------------------------- background


def _executor() -> Executor:
    global _pool
    with _pool_lock:
        if _pool is None:
            _pool = ThreadPoolExecutor(max_workers=WORKERS, thread_name_prefix="composition")
        return _pool


def resume_if_orphaned(engine: Engine, row: dict, now: dt.datetime) -> bool:
    """Solve again, here, a job the process that took it left Running or Queued
    (it stopped or was killed): called when the job is asked for, so that a
    client polling GetComposition gets its answer after a gateway restart.  The
    conditional update makes one process take it when several see it stale."""
    stale = {"Running": STALE_RUNNING, "Queued": STALE_QUEUED}.get(row["state"])
    if stale is None or now - row["updated_at"] < stale:
        return False
    with engine.begin() as conn:
        taken = conn.execute(update(composition_job).where(
            composition_job.c.id == row["id"], composition_job.c.state == row["state"],
            composition_job.c.updated_at == row["updated_at"]).values(
                state="Queued", incumbent=None, bound=None, gap=None, updated_at=now)).rowcount
    if taken != 1:
        return False
    log.warning("composition %s was left %s since %s; solving it again", row["id"],
                row["state"], row["updated_at"])
    request = request_from_xml(etree.fromstring(row["request_xml"]))
    start(engine, row["id"], request.instance, row["time_limit"])
    return True


def start(engine: Engine, job_id: str, inst: Instance, time_limit: float) -> None:
    """Solve in the background; call after the Queued row is committed."""
    _executor().submit(run, engine, job_id, inst, time_limit)


def run(engine: Engine, job_id: str, inst: Instance, time_limit: float) -> None:
    with engine.begin() as conn:
        conn.execute(update(composition_job).where(composition_job.c.id == job_id)
                     .values(state="Running", updated_at=utc_now()))

    def progress(incumbent, bound, gap) -> None:
        try:
            with engine.begin() as conn:
                conn.execute(update(composition_job).where(composition_job.c.id == job_id)
                             .values(incumbent=incumbent, bound=bound, gap=gap,
                                     updated_at=utc_now()))
        except Exception:  # noqa: BLE001 - progress is best effort; the solve goes on
            log.exception("composition %s: progress not recorded", job_id)

    try:
        solution = compose.compose(inst, time_limit=time_limit, progress=progress,
                                   progress_every=PROGRESS_EVERY)
    except GatewayError as error:
        with engine.begin() as conn:
            record_failure(conn, job_id, error, utc_now())
        return
    except Exception as exc:  # noqa: BLE001 - a failed job must say so, not stay Running
        log.exception("composition %s failed", job_id)
        with engine.begin() as conn:
            conn.execute(update(composition_job).where(composition_job.c.id == job_id).values(
                state="Failed", failure_code="Internal", failure_message=str(exc)[:2000],
                updated_at=utc_now()))
        return
    with engine.begin() as conn:
        if solution.has_solution:
            record_result(conn, job_id, inst, solution, utc_now())
        else:
            conn.execute(update(composition_job).where(composition_job.c.id == job_id).values(
                state="Failed", failure_code="NoSolution",
                failure_message=f"no feasible network found within {time_limit:g} s; "
                                f"submit again with a longer timeLimit", updated_at=utc_now()))
