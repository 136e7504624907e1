"""Background jobs: a command started from a page runs in its own process; how it ended, and
why it failed, reach the store and the page."""

from __future__ import annotations

import subprocess
import sys
import time
from datetime import UTC, datetime

import pytest

from recoque.core import jobs
from recoque.core.models import Job
from recoque.core.store import create_store_engine, migrate, session_scope


@pytest.fixture
def job_settings(settings_for, store_url):
    settings = settings_for(database_url=store_url)
    engine = create_store_engine(store_url)
    migrate(engine)
    yield settings, engine
    engine.dispose()


def _wait(engine, job_id: int, timeout: float = 120.0) -> Job:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = jobs.refresh(engine, jobs.get(engine, job_id))
        if job.status != "running":
            return job
        time.sleep(0.2)
    raise AssertionError(f"job {job_id} still running after {timeout} s")


def test_a_job_that_works_is_recorded_done(job_settings):
    settings, engine = job_settings
    job = jobs.start(settings, engine, kind="test", command=["db", "upgrade"], started_by="tester")
    assert job.status == "running" and job.pid
    done = _wait(engine, job.id)
    assert (done.status, done.exit_code, done.error) == ("done", 0, None)
    assert "Base à jour" in (settings.var_dir / "jobs" / f"{job.id}.log").read_text()
    assert jobs.failure(engine, "test") is None and jobs.running(engine, "test") is None


def test_a_failed_job_keeps_what_it_said(job_settings):
    settings, engine = job_settings
    missing = settings.var_dir / "no-such-scenario.yaml"
    job = jobs.start(settings, engine, kind="test", command=["twin", "run", str(missing)], started_by="tester")
    failed = _wait(engine, job.id)
    assert failed.status == "failed" and failed.exit_code == 2
    assert "Erreur" in failed.error and "no-such-scenario.yaml" in failed.error
    assert jobs.failure(engine, "test").id == job.id


def test_a_job_whose_process_vanished_is_marked_failed(job_settings):
    settings, engine = job_settings
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    with session_scope(engine) as session:
        row = Job(kind="test", command=["heat", "score"], status="running", started_by="tester",
                  started_at=datetime.now(UTC), host=jobs.HOST, pid=gone.pid, log_path=str(settings.var_dir / "x.log"))
        session.add(row)
        session.flush()
        job_id = row.id
    job = jobs.latest(engine, "test")
    assert job.id == job_id and job.status == "failed" and job.error == jobs.VANISHED


def test_the_child_gets_the_same_settings(settings_for):
    settings = settings_for(screening_workers=3, read_cache=False)
    env = settings.child_environment()
    assert env["RECOQUE_VAR_DIR"] == str(settings.var_dir)
    assert env["RECOQUE_SCREENING_WORKERS"] == "3" and env["RECOQUE_READ_CACHE"] == "false"
    assert env["RECOQUE_DATABASE_URL"] == settings.sqlalchemy_url
    assert "RECOQUE_PUBLIC_URL" not in env   # unset stays unset
