"""The deployment rehearsal on one machine: several "machines" as network namespaces, real processes, real
faults, and a report of what was stored. Started by rehearsal/run (as root); see docs/deploy.md, "Rehearsal".

Topology (10.77.N.0/24 is the veth link between the host and machine N):

    host namespace: PostgreSQL (a throwaway cluster on its own port), HAProxy on 127.0.0.1:18480
                    (rehearsal/haproxy.cfg), `recover_jobs`, the load client, and the news site that URL
                    imports fetch from (rehearsal/news.py) on 10.77.9.1:18481, an address of its own on the
                    veth pair rh-web (both ends in the host), routed to from each machine over its veth
    rh-app1 (10.77.1.2): gunicorn app server 1 + job worker 1 (`db_worker`)
    rh-app2 (10.77.2.2): gunicorn app server 2 + job worker 2

Production settings (DEBUG off, a random SECRET_KEY, BEHIND_PROXY), one shared job-results directory (the
shared filesystem a deployment would mount); URL imports may fetch from private addresses and the news
site's port, for the rehearsal only. During the load one app server and one worker (while it runs a job,
a URL import when one runs there in time) are killed with SIGKILL and restarted a few seconds later.
Afterwards every acknowledged write is looked up in the database, duplicates are counted, every export
and URL-import job must have finished exactly once and every address of an import be stored as exactly
one article; then pg_dump, restore into a fresh database and compare. Everything is removed at the end, also
after an error or Ctrl+C: processes, namespaces and veths, the cluster and its files.

The report is printed and written to rehearsal/results/<form>.json; the exit status is 1 when a figure
that must be zero is not (CI runs the short form).
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

import check  # noqa: E402
import load  # noqa: E402
import news  # noqa: E402

PYTHON = str(ROOT / ".venv" / "bin" / "python")
GUNICORN = str(ROOT / ".venv" / "bin" / "gunicorn")
MACHINES = (1, 2)
PG_PORT = 55432
LB_HOST, LB_PORT = "127.0.0.1", 18480
DATABASE = "rehearsal"
FORMS = {
    # seconds of load, people (annotators + reviewers), articles, spans each, characters each; editors who
    # import, URL-import lists (each a job) and addresses in each (every one a page of its own)
    "full": {
        "seconds": 60,
        "annotators": 40,
        "reviewers": 10,
        "articles": 400,
        "spans": 30,
        "chars": 3000,
        "importers": 3,
        "import_lists": 6,
        "addresses": 30,
    },
    "short": {
        "seconds": 25,
        "annotators": 40,
        "reviewers": 10,
        "articles": 250,
        "spans": 30,
        "chars": 3000,
        "importers": 2,
        "import_lists": 4,
        "addresses": 25,
    },
}
WEB_LINK = "rh-web"  # the news site's own address lives on this veth pair (both ends in the host namespace)
STALE_AFTER = 15  # recover_jobs: a worker silent this long is dead (the least it accepts: three heartbeats)
DRAIN_SECONDS = 90  # after the load: time for queued and recovered jobs to finish


def log(message: str) -> None:
    print(f"[{datetime.now(UTC):%H:%M:%S}] {message}", flush=True)


def sh(*command: str, check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run(command, check=check, capture_output=True, text=True)


def postgres_bin() -> Path:
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parent.parent.name))
    if not versions:
        raise SystemExit("PostgreSQL's server binaries are missing (apt-get install postgresql).")
    return versions[-1].parent


class Stack:
    """Every process, namespace and file the rehearsal made, so that all of it goes away at the end."""

    def __init__(self, work: Path):
        self.work = work
        work.chmod(0o755)  # PostgreSQL's own user reaches its data directory inside
        (work / "owner.pid").write_text(str(os.getpid()))
        self.processes: dict[str, subprocess.Popen] = {}
        self.bin = postgres_bin()
        self.pgdata = work / "pgdata"
        self.results = work / "job-results"
        self.results.mkdir()
        self.logs = HERE / "results" / "logs"  # kept after the run (the work directory is not)
        shutil.rmtree(self.logs, ignore_errors=True)
        self.logs.mkdir(parents=True)
        self.secret = secrets.token_urlsafe(50)

    # network ----------------------------------------------------------------------------------------

    @staticmethod
    def remove_network() -> None:
        for machine in MACHINES:
            sh("ip", "netns", "del", f"rh-app{machine}", check=False)
            sh("ip", "link", "del", f"rh-veth{machine}", check=False)
        sh("ip", "link", "del", WEB_LINK, check=False)

    def network(self) -> None:
        """One namespace per machine, linked to the host by a veth pair (10.77.N.1 host side, .2 inside); the
        news site's address on a veth pair of its own in the host (the kernel has no dummy links here), and a
        route to it from each machine through its veth. The host delivers it locally: no forwarding, and the
        machines reach nothing beyond the host."""
        self.remove_network()  # what an interrupted run may have left
        sh("ip", "link", "add", WEB_LINK, "type", "veth", "peer", "name", f"{WEB_LINK}i")
        sh("ip", "addr", "add", f"{news.ADDRESS}/32", "dev", WEB_LINK)
        sh("ip", "link", "set", f"{WEB_LINK}i", "up")
        sh("ip", "link", "set", WEB_LINK, "up")
        for machine in MACHINES:
            ns, host_end, inner_end = f"rh-app{machine}", f"rh-veth{machine}", f"rh-veth{machine}i"
            sh("ip", "netns", "add", ns)
            sh("ip", "link", "add", host_end, "type", "veth", "peer", "name", inner_end)
            sh("ip", "link", "set", inner_end, "netns", ns)
            sh("ip", "addr", "add", f"10.77.{machine}.1/24", "dev", host_end)
            sh("ip", "link", "set", host_end, "up")
            sh("ip", "netns", "exec", ns, "ip", "addr", "add", f"10.77.{machine}.2/24", "dev", inner_end)
            sh("ip", "netns", "exec", ns, "ip", "link", "set", inner_end, "up")
            sh("ip", "netns", "exec", ns, "ip", "link", "set", "lo", "up")
            sh("ip", "netns", "exec", ns, "ip", "route", "add", f"{news.ADDRESS}/32", "via", f"10.77.{machine}.1")

    # PostgreSQL -------------------------------------------------------------------------------------

    def as_postgres(self, *command: str) -> None:
        done = subprocess.run(["runuser", "-u", "postgres", "--", *command], capture_output=True, text=True)
        if done.returncode:
            raise RuntimeError(f"{command[0]} failed: {done.stderr or done.stdout}")

    def postgres(self) -> None:
        """A throwaway cluster on its own port, listening on the host ends of the veths: the machine's main
        cluster is left alone."""
        self.pgdata.mkdir()
        shutil.chown(self.pgdata, "postgres", "postgres")
        self.as_postgres(str(self.bin / "initdb"), "-D", str(self.pgdata), "-U", "postgres", "-A", "trust", "--no-sync")
        with open(self.pgdata / "pg_hba.conf", "a") as hba:
            hba.write("host all postgres 10.77.0.0/16 trust\n")  # the rehearsal's machines only
        addresses = ",".join(["127.0.0.1", *(f"10.77.{machine}.1" for machine in MACHINES)])
        options = (
            f"-p {PG_PORT} -c listen_addresses={addresses} -c unix_socket_directories={self.pgdata} "
            "-c max_connections=200"
        )
        self.as_postgres(
            str(self.bin / "pg_ctl"),
            "-D",
            str(self.pgdata),
            "-l",
            str(self.pgdata / "log"),
            "-o",
            options,
            "-w",
            "start",
        )
        subprocess.run(
            [str(self.bin / "createdb"), "-h", "127.0.0.1", "-p", str(PG_PORT), "-U", "postgres", DATABASE], check=True
        )

    def stop_postgres(self) -> None:
        if (self.pgdata / "postmaster.pid").exists():
            subprocess.run(
                [
                    "runuser",
                    "-u",
                    "postgres",
                    "--",
                    str(self.bin / "pg_ctl"),
                    "-D",
                    str(self.pgdata),
                    "-m",
                    "fast",
                    "-w",
                    "stop",
                ],
                check=False,
                capture_output=True,
            )

    # processes --------------------------------------------------------------------------------------

    def env(self, database_host: str) -> dict[str, str]:
        return {
            **{name: value for name, value in os.environ.items() if name in ("PATH", "LANG", "LC_ALL", "HOME")},
            "DATABASE_URL": f"postgres://postgres@{database_host}:{PG_PORT}/{DATABASE}",
            "DEBUG": "0",
            "SECRET_KEY": self.secret,
            "HTTPS": "0",
            "ALLOWED_HOSTS": ",".join([LB_HOST, *(f"10.77.{machine}.2" for machine in MACHINES)]),
            "BEHIND_PROXY": "1",
            "JOB_RESULTS_DIR": str(self.results),
            "JOB_RETRY_SECONDS": "1",
            "URL_IMPORT_ALLOW_PRIVATE": "1",  # the news site is on a private address …
            "URL_IMPORT_ALLOWED_PORTS": f"80,443,{news.PORT}",  # … and port: for the rehearsal only
            "LOG_LEVEL": "WARNING",
        }

    def start(self, name: str, command: list[str], *, machine: int | None = None, database_host: str = "127.0.0.1"):
        prefix = ["ip", "netns", "exec", f"rh-app{machine}"] if machine else []
        output = open(self.logs / f"{name}.log", "ab")
        self.processes[name] = subprocess.Popen(
            prefix + command,
            cwd=ROOT,
            env=self.env(database_host),
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: a kill takes the master and all its workers
        )

    def app_server(self, machine: int) -> None:
        self.start(
            f"app{machine}",
            [
                GUNICORN,
                "annotator.wsgi",
                "--bind",
                f"10.77.{machine}.2:8000",
                "--workers",
                "2",
                "--threads",
                "4",
                "--timeout",
                "60",
            ],
            machine=machine,
            database_host=f"10.77.{machine}.1",
        )

    def worker(self, machine: int) -> None:
        self.start(
            f"worker{machine}",
            [
                PYTHON,
                "manage.py",
                "db_worker",
                "--no-reload",
                "--no-startup-delay",
                "--interval",
                "0.5",
                "--worker-id",
                f"rh-worker-{machine}",
            ],
            machine=machine,
            database_host=f"10.77.{machine}.1",
        )

    def kill(self, name: str) -> None:
        """SIGKILL the whole process group, as a machine losing power would."""
        process = self.processes.pop(name)
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()

    def stop_all(self) -> None:
        for process in self.processes.values():
            try:
                os.killpg(process.pid, signal.SIGTERM)
            except ProcessLookupError:
                continue
        deadline = time.monotonic() + 10
        for process in self.processes.values():
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        self.processes.clear()

    def cleanup(self) -> None:
        self.stop_all()
        self.stop_postgres()
        if (self.pgdata / "log").exists():
            shutil.copy(self.pgdata / "log", self.logs / "postgres.log")
        self.remove_network()
        shutil.rmtree(self.work, ignore_errors=True)


def clear_abandoned() -> None:
    """Remove what a rehearsal killed outright (SIGKILL: its cleanup never ran) left behind: its processes, found
    by its work directory in their environment, its cluster, its files and the namespaces. A rehearsal still
    running is left alone, and this one stops: two at once would share ports and namespace names."""
    for work in Path(tempfile.gettempdir()).glob("rehearsal-*"):
        try:
            owner = int((work / "owner.pid").read_text())
            alive = b"rehearse.py" in Path(f"/proc/{owner}/cmdline").read_bytes()
        except (OSError, ValueError):
            alive = False
        if alive:
            raise SystemExit(f"Another rehearsal is running ({work}); wait for it to finish.")
        marker = f"JOB_RESULTS_DIR={work / 'job-results'}".encode()
        for process in Path("/proc").iterdir():
            try:
                if process.name.isdigit() and marker in (process / "environ").read_bytes().split(b"\0"):
                    os.kill(int(process.name), signal.SIGKILL)
            except OSError:
                continue
        if (work / "pgdata" / "postmaster.pid").exists():
            subprocess.run(
                [
                    "runuser",
                    "-u",
                    "postgres",
                    "--",
                    str(postgres_bin() / "pg_ctl"),
                    "-D",
                    str(work / "pgdata"),
                    "-m",
                    "immediate",
                    "-w",
                    "stop",
                ],
                check=False,
                capture_output=True,
            )
        log(f"removed what an abandoned rehearsal left: {work}")
        shutil.rmtree(work, ignore_errors=True)
    Stack.remove_network()


def wait_for(what: str, probe, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if probe():
            return
        time.sleep(0.3)
    raise RuntimeError(f"{what} did not come up within {seconds:g} s")


def answers(host: str, port: int, token: str) -> bool:
    client = load.Client(host, port, token, load.Record())
    status, _, _ = client.call("probe", "probe", "GET", "/api/v1/projects/")
    client.close()
    return status == 200


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]


def summarise(record: load.Record) -> dict[str, Any]:
    kinds: dict[str, dict[str, int]] = defaultdict(lambda: {"ok": 0, "refused": 0, "failed": 0})
    latency: dict[str, list[float]] = defaultdict(list)
    failures: dict[str, int] = defaultdict(int)  # by kind and status; 0: no answer (the connection broke)
    for kind, endpoint, status, seconds in record.requests:
        outcome = "ok" if 200 <= status < 300 else "refused" if 400 <= status < 500 else "failed"
        kinds[kind][outcome] += 1
        if outcome != "ok":
            failures[f"{kind} {status}"] += 1
        if status:
            latency[endpoint].append(seconds)
    return {
        "requests": dict(sorted(kinds.items())),
        "requests_total": len(record.requests),
        "refused_or_failed_by_status": dict(sorted(failures.items())),
        "retried_writes": dict(record.retried_writes),
        "latency_ms": {
            endpoint: {
                "count": len(values),
                "p50": round(statistics.median(values) * 1000, 1),
                "p95": round(p95(values) * 1000, 1),
            }
            for endpoint, values in sorted(latency.items())
        },
    }


def running_on(dsn: str, worker_id: str, kinds: tuple[str, ...] = ("export", "url_import")) -> int | None:
    """The job of one of these kinds a worker is running now, if any (its task row names the worker)."""
    found = check.rows(
        dsn,
        "SELECT (t.args_kwargs->'args'->>0)::bigint FROM django_tasks_database_dbtaskresult t "
        "JOIN articles_job j ON j.id = (t.args_kwargs->'args'->>0)::bigint "
        "WHERE t.status = 'RUNNING' AND t.worker_ids @> %s::jsonb AND j.status = 'running' AND j.kind = ANY(%s)",
        (json.dumps([worker_id]), list(kinds)),
    )
    return found[0][0] if found else None


def planted_faults(dsn: str, record: load.Record, results: Path, pages: int) -> dict[str, int]:
    """The checks run once more with four faults planted in what the clients saw: a create acknowledged for a
    row that does not exist, an edit whose note is not the one stored, a job that never ran, and a URL-import
    job one of whose addresses (a page the news site does not have) was never stored. Each must be found, or
    the zeros above would prove nothing (without an import job to plant the last one in, it counts as not
    found)."""
    real_create, real_change = record.created[0], next(item for item in record.changed if "note" in item)
    created = [{**real_create, "id": 2**62}]
    changed = [{**real_change, "note": "a note nobody wrote"}]
    writes = check.missing_writes(dsn, created, changed)["missing"]
    jobs = check.jobs_once(dsn, [{"id": 2**62, "repeat_same": True}], results)["not_exactly_once"]
    imported = 0
    if record.imports:
        unknown = news.page_url(pages + 1)
        job = {**record.imports[0], "urls": [*record.imports[0]["urls"], unknown]}
        markers = {unknown: news.marker(pages + 1), **import_markers(record)}
        imported = check.imported_once(dsn, [job], markers, results)["missing"]
    return {"planted": 4, "found": writes + jobs + imported}


def import_lists(spec: dict[str, int]) -> tuple[int, list[list[str]]]:
    """The news site's page count and the URL-import lists: distinct pages, so each address is stored once."""
    size, count = spec["addresses"], spec["import_lists"]
    return size * count, [[news.page_url(size * n + k + 1) for k in range(size)] for n in range(count)]


def import_markers(record: load.Record) -> dict[str, str]:
    """Each imported address's marker sentence (what only its page holds), for the checks."""
    pages = {url for job in record.imports for url in job["urls"]}
    return {url: news.marker(news.page_number(url)) for url in pages}


def reaches_news_site(machine: int) -> bool:
    """The news site answers a connection from inside a machine's namespace, as its worker will open one (no
    page is fetched: the site's log counts the imports' fetches only)."""
    probe = f"import socket; socket.create_connection(({news.ADDRESS!r}, {news.PORT}), timeout=2).close()"
    return sh("ip", "netns", "exec", f"rh-app{machine}", PYTHON, "-c", probe, check=False).returncode == 0


def set_up(stack: Stack, spec: dict[str, int]) -> dict[str, Any]:
    """Namespaces, the cluster, the schema and the seed, then the servers, workers, recovery and load balancer,
    each waited for. Returns the seed (project, people with tokens, articles)."""
    log("network namespaces and veths")
    stack.network()
    log(f"PostgreSQL: a throwaway cluster on port {PG_PORT}")
    stack.postgres()
    log("migrate and seed")
    env = stack.env("127.0.0.1")
    subprocess.run([PYTHON, "manage.py", "migrate", "--no-input", "-v", "0"], cwd=ROOT, env=env, check=True)
    sizes = [str(spec[key]) for key in ("annotators", "reviewers", "articles", "spans", "chars", "importers")]
    seeded = subprocess.run(
        [PYTHON, str(HERE / "seed.py"), *sizes], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    )
    seed = json.loads(seeded.stdout)
    log("two app servers, two workers, recover_jobs, HAProxy, the news site")
    pages, _ = import_lists(spec)
    stack.start("news", [PYTHON, str(HERE / "news.py"), "--pages", str(pages)])
    for machine in MACHINES:
        stack.app_server(machine)
        stack.worker(machine)
    stack.start("recover", [PYTHON, "manage.py", "recover_jobs", "--every", "5", "--stale-after", str(STALE_AFTER)])
    stack.start("haproxy", ["haproxy", "-db", "-f", str(HERE / "haproxy.cfg")])
    for machine in MACHINES:
        wait_for(f"app server {machine}", lambda m=machine: answers(f"10.77.{m}.2", 8000, seed["owner_token"]))
    wait_for("the load balancer", lambda: answers(LB_HOST, LB_PORT, seed["owner_token"]))
    for machine in MACHINES:
        wait_for(f"the news site from machine {machine}", lambda m=machine: reaches_news_site(m))
    return seed


def break_things(stack: Stack, dsn: str, began: float, seconds: float) -> dict[str, Any]:
    """During the load: SIGKILL app server 1 at 30 % of it, and worker 2 once it runs a job (from 40 %, at the
    latest at 75 %; a URL import when one runs there before 65 %, else any); each restarted 3 s later."""

    def now() -> float:
        return round(time.monotonic() - began, 1)

    faults: dict[str, Any] = {}
    time.sleep(max(0.0, began + seconds * 0.3 - time.monotonic()))
    stack.kill("app1")
    faults["app1_killed_at_s"] = now()
    log("SIGKILL app server 1")
    time.sleep(3)
    stack.app_server(1)
    faults["app1_restarted_at_s"] = now()
    log("app server 1 restarted")
    time.sleep(max(0.0, began + seconds * 0.4 - time.monotonic()))
    victim = running_on(dsn, "rh-worker-2", ("url_import",))
    while victim is None and time.monotonic() < began + seconds * 0.75:
        time.sleep(0.2)
        kinds = ("url_import",) if time.monotonic() < began + seconds * 0.65 else ("export", "url_import")
        victim = running_on(dsn, "rh-worker-2", kinds)
    stack.kill("worker2")
    faults["worker2_killed_at_s"] = now()
    faults["job_running_on_the_killed_worker"] = victim
    log(f"SIGKILL worker 2 (running job {victim})")
    time.sleep(3)
    stack.worker(2)
    faults["worker2_restarted_at_s"] = now()
    return faults


def rehearse(form: str, stack: Stack) -> dict[str, Any]:
    spec = FORMS[form]
    dsn = f"postgres://postgres@127.0.0.1:{PG_PORT}/{DATABASE}"
    seed = set_up(stack, spec)
    pages, lists = import_lists(spec)

    record = load.Record()
    load_average_before = Path("/proc/loadavg").read_text().strip()
    seconds = spec["seconds"]
    log(f"load: {len(seed['people'])} people and {len(seed['importers'])} importing editors for {seconds} s")
    began = time.monotonic()
    runner = threading.Thread(target=load.run, args=(LB_HOST, LB_PORT, seed, seconds, record, lists), daemon=True)
    runner.start()
    faults = break_things(stack, dsn, began, seconds)
    victim = faults["job_running_on_the_killed_worker"]
    runner.join()
    load_seconds = round(time.monotonic() - began, 1)
    load_average_after = Path("/proc/loadavg").read_text().strip()
    log(f"load done after {load_seconds} s; waiting for jobs to finish")

    ids = [job["id"] for job in record.exports + record.imports]
    unfinished = "SELECT 1 FROM articles_job WHERE id = ANY(%s) AND status IN ('queued', 'running')"
    wait_for("the export and import jobs", lambda: not check.rows(dsn, unfinished, (ids,)), DRAIN_SECONDS)
    drained = max(0.0, round(time.monotonic() - began - load_seconds, 1))
    if victim is not None:
        found = check.rows(dsn, "SELECT kind, status, attempts, error FROM articles_job WHERE id = %s", (victim,))[0]
        faults["killed_job"] = dict(zip(("kind", "status", "attempts", "error"), found, strict=True))
    stack.stop_all()  # a quiet database for the checks and the backup
    log("checks, then pg_dump and restore")
    imported = check.imported_once(dsn, record.imports, import_markers(record), stack.results)
    if victim is not None and victim in imported["by_job"]:
        faults["killed_job"]["addresses_stored_once"] = imported["by_job"][victim]
    served = news.fetches((stack.logs / "news.log").read_text())
    report = {
        "form": form,
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "people": {
            "annotators": spec["annotators"],
            "reviewers": spec["reviewers"],
            "importers": len(seed["importers"]),
        },
        "seed": {"articles": spec["articles"], "spans_each": spec["spans"], "chars_each": spec["chars"]},
        "load_seconds": load_seconds,
        "jobs_drained_after_s": drained,
        "machine": {"cpus": os.cpu_count(), "loadavg_before": load_average_before, "loadavg_after": load_average_after},
        "faults": faults,
        **summarise(record),
        "acknowledged_writes": check.missing_writes(dsn, record.created, record.changed),
        "duplicate_rows": check.duplicates(dsn),
        "jobs": check.jobs_once(dsn, record.exports, stack.results),
        "url_imports": {
            "lists_planned": record.import_lists_planned,
            "lists_started": len(record.imports),
            "news_site": {
                "pages": pages,
                "served": sum(served.values()),
                "served_more_than_once": sum(1 for count in served.values() if count > 1),
            },
            "jobs": check.jobs_once(dsn, record.imports, stack.results),
            "addresses": imported,
        },
        "backup_restore": check.backup_and_restore(
            f"127.0.0.1:{PG_PORT}", stack.bin, DATABASE, f"{DATABASE}_restored", stack.work / "rehearsal.dump"
        ),
    }
    report["planted_faults"] = planted_faults(dsn, record, stack.results, pages)
    report["must_be_zero"] = {
        "acknowledged_writes_missing": report["acknowledged_writes"]["missing"],
        "duplicate_rows": report["duplicate_rows"]["total"],
        "jobs_not_finished_exactly_once": report["jobs"]["not_exactly_once"],
        "url_import_lists_not_started": record.import_lists_planned - len(record.imports),
        "url_import_jobs_not_finished_exactly_once": report["url_imports"]["jobs"]["not_exactly_once"],
        "imported_addresses_not_stored_once": imported["not_stored_once"],
        "backup_restore_differences": 0 if report["backup_restore"]["equal"] else 1,
        "kills_that_missed": int(victim is None),
        "planted_faults_not_found": report["planted_faults"]["planted"] - report["planted_faults"]["found"],
    }
    return report


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--short", action="store_true", help="the short form CI runs (25 s of load)")
    arguments = parser.parse_args()
    if os.geteuid() != 0:
        raise SystemExit("The rehearsal makes network namespaces: run it as root.")
    form = "short" if arguments.short else "full"
    clear_abandoned()
    stack = Stack(Path(tempfile.mkdtemp(prefix="rehearsal-")))
    for signum in (signal.SIGINT, signal.SIGTERM):  # also when started in the background, where SIGINT is ignored
        signal.signal(signum, lambda number, _: sys.exit(128 + number))
    began = time.monotonic()
    try:
        report = rehearse(form, stack)
    finally:
        log("cleaning up: processes, namespaces, the cluster and its files")
        stack.cleanup()
    report["total_seconds"] = round(time.monotonic() - began, 1)
    out = HERE / "results" / f"{form}.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps(report, indent=2))
    bad = {name: value for name, value in report["must_be_zero"].items() if value}
    log(f"report: {out.relative_to(ROOT)}; " + (f"NOT ZERO: {bad}" if bad else "every must-be-zero figure is 0"))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
