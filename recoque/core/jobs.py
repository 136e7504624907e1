"""Background jobs: long work a page starts (a screening, a heat score, a twin run) runs as a
``recoque`` command in its own process, recorded in the store with its state, so that the page
shows it running, and shows why when it failed.

``start`` records the job and launches a small supervisor (``python -m recoque.core.jobs ID``)
in a new session; the supervisor runs the command with the server's settings, its output to
``var/jobs/<id>.log``, and records the exit status and, on failure, the end of that output. A
supervisor that died without a word (killed with the machine) is found out by ``refresh``:
its job is marked failed, with that reason.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine, select

from recoque.core.models import Job
from recoque.core.settings import Settings, get_settings
from recoque.core.store import (
    create_store_engine,
    detached_get,
    detached_row,
    session_scope,
)

HOST = socket.gethostname()
ERROR_LINES = 25          # lines of output kept with a failed job, for its user
VANISHED = "le calcul s'est arrêté sans rendre compte (processus disparu : arrêt de la machine ou du serveur ?)"


def start(settings: Settings, engine: Engine, *, kind: str, command: list[str], started_by: str) -> Job:
    """Record a job of ``kind`` running ``recoque <command…>`` and launch it in the background."""
    folder = settings.var_dir / "jobs"
    folder.mkdir(parents=True, exist_ok=True)
    with session_scope(engine) as session:
        job = Job(kind=kind, command=list(command), status="running", started_by=started_by,
                  started_at=datetime.now(UTC), host=HOST, log_path="")
        session.add(job)
        session.flush()
        job.log_path = str(folder / f"{job.id}.log")
    child = subprocess.Popen([sys.executable, "-m", "recoque.core.jobs", str(job.id)],
                             stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                             start_new_session=True, env=os.environ | settings.child_environment())
    with session_scope(engine) as session:
        session.get(Job, job.id).pid = child.pid
    job.pid = child.pid
    return job


def get(engine: Engine, job_id: int) -> Job | None:
    return detached_get(engine, Job, job_id)


def latest(engine: Engine, kind: str) -> Job | None:
    """The latest job of ``kind``, its state brought up to date (None before the first)."""
    job = detached_row(engine, select(Job).where(Job.kind == kind).order_by(Job.id.desc()).limit(1))
    return refresh(engine, job) if job is not None else None


def running(engine: Engine, kind: str) -> Job | None:
    """The job of ``kind`` running now, if any."""
    job = latest(engine, kind)
    return job if job is not None and job.status == "running" else None


def failure(engine: Engine, kind: str) -> Job | None:
    """The latest job of ``kind`` when it failed: what the page shows until a run succeeds."""
    job = latest(engine, kind)
    return job if job is not None and job.status == "failed" else None


def refresh(engine: Engine, job: Job) -> Job:
    """A running job whose supervisor is gone from this machine is marked failed."""
    if job.status == "running" and job.host == HOST and job.pid and not _alive(job.pid):
        # the supervisor may have just recorded the end: read again before concluding
        job = get(engine, job.id) or job
        if job.status == "running":
            _finish(engine, job.id, status="failed", exit_code=None, error=VANISHED)
            job = get(engine, job.id) or job
    return job


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)   # signal 0 probes, sends nothing
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:   # a finished child of this process not yet reaped is a zombie: gone for us
        done, _ = os.waitpid(pid, os.WNOHANG)
        return done == 0
    except ChildProcessError:
        return True


def _finish(engine: Engine, job_id: int, *, status: str, exit_code: int | None, error: str | None) -> None:
    with session_scope(engine) as session:
        job = session.get(Job, job_id)
        job.status, job.exit_code, job.ended_at = status, exit_code, datetime.now(UTC)
        job.error = error[-4000:] if error else None


def tail(path: Path, lines: int = ERROR_LINES) -> str:
    """The last ``lines`` non-empty lines of a log file."""
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""
    return "\n".join([line.rstrip() for line in text.splitlines() if line.strip()][-lines:])


def supervise(job_id: int) -> int:
    """Run the job's command (in this process's settings), record how it ended; its exit status."""
    engine = create_store_engine(get_settings().sqlalchemy_url)
    job = get(engine, job_id)
    if job is None:
        return 2
    log = Path(job.log_path)
    with log.open("ab") as out:
        try:
            code = subprocess.call([sys.executable, "-m", "recoque.cli", *job.command], stdin=subprocess.DEVNULL,
                                   stdout=out, stderr=subprocess.STDOUT)
        except OSError as exc:
            out.write(f"{exc}\n".encode())
            code = 127
    _finish(engine, job_id, status="done" if code == 0 else "failed", exit_code=code,
            error=None if code == 0 else (tail(log) or f"le calcul s'est terminé avec le code {code}"))
    return code


if __name__ == "__main__":  # pragma: no cover - run by start() in its own process
    sys.exit(supervise(int(sys.argv[1])))
