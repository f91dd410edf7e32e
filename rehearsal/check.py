"""What the rehearsal checks in the database afterwards: every acknowledged write is there, nothing is
stored twice, every export and URL-import job finished exactly once, every address of an import stored
as exactly one article; and a backup restored into a fresh database holds the same rows and the same texts.

Reads the tables with plain SQL (psycopg2), as an auditor would, not through the app's code.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
from collections import defaultdict
from pathlib import Path
from typing import Any

import psycopg2


def rows(dsn: str, sql: str, params: tuple = ()) -> list[tuple]:
    connection = psycopg2.connect(dsn)
    try:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()
    finally:
        connection.close()


def missing_writes(dsn: str, created: list[dict], changed: list[dict]) -> dict[str, Any]:
    """Acknowledged writes not found: a create without its row (same article, author, label and span), an
    edit or review without the history row of its version holding what it set, or an annotation whose
    version is below one acknowledged."""
    stored = {
        row[0]: row[1:]
        for row in rows(
            dsn,
            'SELECT a.id, a.article_id, a.author_id, l.key, a.start, a."end", a.version FROM articles_annotation a '
            "JOIN articles_label l ON l.id = a.label_id WHERE a.id = ANY(%s)",
            ([item["id"] for item in created + changed],),
        )
    }
    missing_creates = [
        item
        for item in created
        if stored.get(item["id"], ())[:5]
        != (item["article"], item["author"], item["label"], item["start"], item["end"])
    ]
    history: dict[tuple[int, int], dict] = {}
    for annotation_id, snapshot in rows(
        dsn,
        "SELECT annotation_id, snapshot FROM articles_annotationevent WHERE annotation_id = ANY(%s)",
        ([item["id"] for item in changed],),
    ):
        history[(annotation_id, int(snapshot.get("version", 0)))] = snapshot
    missing_changes = []
    for item in changed:
        field = "note" if "note" in item else "status"
        snapshot = history.get((item["id"], item["version"]))
        row = stored.get(item["id"])
        if snapshot is None or snapshot.get(field) != item[field] or row is None or row[5] < item["version"]:
            missing_changes.append(item)
    return {
        "acknowledged_creates": len(created),
        "acknowledged_changes": len(changed),
        "missing_creates": len(missing_creates),
        "missing_changes": len(missing_changes),
        "missing": len(missing_creates) + len(missing_changes),
        "examples": (missing_creates + missing_changes)[:5],
    }


def duplicates(dsn: str) -> dict[str, int]:
    """Rows stored twice: the same span by the same author, two history rows for one version of an
    annotation, two jobs for one idempotency key, two articles of a project with the same text."""
    spans = rows(
        dsn,
        "SELECT count(*) FROM (SELECT 1 FROM articles_annotation "
        'GROUP BY article_id, author_id, label_id, start, "end" HAVING count(*) > 1) twins',
    )[0][0]
    events = rows(
        dsn,
        "SELECT count(*) FROM (SELECT 1 FROM articles_annotationevent GROUP BY annotation_id, snapshot->>'version' "
        "HAVING count(*) > 1) twins",
    )[0][0]
    jobs = rows(
        dsn,
        "SELECT count(*) FROM (SELECT 1 FROM articles_job GROUP BY project_id, kind, idempotency_key "
        "HAVING count(*) > 1) twins",
    )[0][0]
    articles = rows(
        dsn,
        "SELECT count(*) FROM (SELECT 1 FROM articles_article GROUP BY project_id, text_sha256 "
        "HAVING count(*) > 1) twins",
    )[0][0]
    return {
        "annotations": spans,
        "history_versions": events,
        "jobs": jobs,
        "articles": articles,
        "total": spans + events + jobs + articles,
    }


def jobs_once(dsn: str, started: list[dict], results_dir: Path) -> dict[str, Any]:
    """Each job the clients started (exports or URL imports): succeeded, its runner finished it once (one task
    that answered "succeeded"; any other delivery was "skipped"), one result file, and the same job for a
    repeated request."""
    ids = [job["id"] for job in started]
    jobs = {
        row[0]: row[1:]
        for row in rows(
            dsn, "SELECT id, project_id, status, attempts, error FROM articles_job WHERE id = ANY(%s)", (ids,)
        )
    }
    runs: dict[int, int] = defaultdict(int)
    for (job_id,) in rows(
        dsn,
        "SELECT (args_kwargs->'args'->>0)::bigint FROM django_tasks_database_dbtaskresult "
        "WHERE status = 'SUCCESSFUL' AND return_value = '\"succeeded\"'::jsonb",
    ):
        runs[job_id] += 1
    orphaned_tasks = rows(dsn, "SELECT count(*) FROM django_tasks_database_dbtaskresult WHERE status = 'RUNNING'")[0][0]
    once, problems = 0, []
    for job in started:
        project, status, attempts, error = jobs.get(job["id"], (None, "missing", 0, ""))
        files = list((results_dir / f"jobs/{project}/{job['id']}").glob("*")) if project else []
        if status == "succeeded" and runs[job["id"]] == 1 and len(files) == 1 and job["repeat_same"]:
            once += 1
        else:
            problems.append(
                {"job": job["id"], "status": status, "runs": runs[job["id"]], "files": len(files), "error": error}
            )
    return {
        "started": len(started),
        "finished_exactly_once": once,
        "not_exactly_once": len(problems),
        "retried_after_a_dead_worker": sum(1 for job in started if jobs.get(job["id"], (0, 0, 1))[2] > 1),
        "task_rows_left_running_by_the_killed_worker": orphaned_tasks,
        "problems": problems[:10],
    }


def imported_once(dsn: str, imports: list[dict], markers: dict[str, str], results_dir: Path) -> dict[str, Any]:
    """Each address of each URL-import job that succeeded: exactly one article of the job's project holds the
    page's marker sentence (`markers`: address -> the sentence only its page has), and the job's report (its
    result file) names that article for the address, as stored or as already there."""
    jobs = {
        row[0]: row[1:]
        for row in rows(
            dsn,
            "SELECT id, project_id, status, result_path FROM articles_job WHERE id = ANY(%s)",
            ([job["id"] for job in imports],),
        )
    }
    projects = {project for project, _, _ in jobs.values()}
    holding: dict[tuple[int, str], list[int]] = defaultdict(list)  # (project, marker) -> articles holding it
    for project, marker, article in rows(
        dsn,
        "SELECT a.project_id, m, a.id FROM unnest(%s::text[]) m "
        "JOIN articles_article a ON a.project_id = ANY(%s) AND strpos(a.text, m) > 0",
        (sorted(set(markers.values())), sorted(projects)),
    ):
        holding[(project, marker)].append(article)
    addresses = stored_once = missing = twice = report_mismatches = 0
    per_job, problems = {}, []
    for job in imports:
        project, status, result_path = jobs.get(job["id"], (None, "missing", ""))
        if status != "succeeded":
            continue  # jobs_once counts it
        report = _report(results_dir, result_path)
        once = 0
        for url in job["urls"]:
            addresses += 1
            found = holding.get((project, markers.get(url, "")), [])
            line = report.get(url, {})
            if not found:
                missing += 1
            elif len(found) > 1:
                twice += 1
            elif line.get("outcome") not in ("stored", "duplicate") or line.get("article") != found[0]:
                report_mismatches += 1
            else:
                once += 1
                continue
            problems.append({"job": job["id"], "url": url, "articles": found, "report": line})
        stored_once += once
        per_job[job["id"]] = {"addresses": len(job["urls"]), "stored_once": once}
    return {
        "jobs_succeeded": len(per_job),
        "addresses": addresses,
        "stored_once": stored_once,
        "missing": missing,
        "stored_more_than_once": twice,
        "report_mismatches": report_mismatches,
        "not_stored_once": missing + twice + report_mismatches,
        "by_job": per_job,
        "problems": problems[:10],
    }


def _report(results_dir: Path, result_path: str) -> dict[str, dict]:
    """A URL-import job's report (its result file), by address; empty when the file is missing or unreadable."""
    try:
        report = json.loads((results_dir / result_path).read_text())
    except (OSError, ValueError):
        return {}
    return {line["url"]: line for line in report.get("addresses", [])}


def table_counts(dsn: str) -> dict[str, int]:
    tables = [name for (name,) in rows(dsn, "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")]
    return {table: rows(dsn, f'SELECT count(*) FROM "{table}"')[0][0] for table in tables}


def text_hashes(dsn: str) -> tuple[dict[int, str], int]:
    """Each article's stored text_sha256, and how many texts do not hash to it."""
    stored, wrong = {}, 0
    for pk, digest, text in rows(dsn, "SELECT id, text_sha256, text FROM articles_article"):
        stored[pk] = digest
        wrong += hashlib.sha256(text.encode()).hexdigest() != digest
    return stored, wrong


def backup_and_restore(server: str, bin_dir: Path, database: str, restored: str, dump: Path) -> dict[str, Any]:
    """pg_dump the database (custom format), restore it into a fresh database, compare rows and text hashes."""
    host, port = server.split(":")
    base = ["-h", host, "-p", port, "-U", "postgres"]
    subprocess.run([str(bin_dir / "pg_dump"), *base, "-Fc", "-f", str(dump), database], check=True)
    subprocess.run([str(bin_dir / "createdb"), *base, restored], check=True)
    subprocess.run([str(bin_dir / "pg_restore"), *base, "--exit-on-error", "-d", restored, str(dump)], check=True)
    source, target = f"postgres://postgres@{server}/{database}", f"postgres://postgres@{server}/{restored}"
    before, after = table_counts(source), table_counts(target)
    hashes_before, wrong_before = text_hashes(source)
    hashes_after, wrong_after = text_hashes(target)
    differing = sorted(table for table in before.keys() | after.keys() if before.get(table) != after.get(table))
    return {
        "dump_bytes": dump.stat().st_size,
        "tables": len(before),
        "rows": sum(before.values()),
        "tables_with_other_counts": differing,
        "articles": len(hashes_before),
        "text_hashes_differing": sum(hashes_after.get(pk) != digest for pk, digest in hashes_before.items())
        + len(hashes_after.keys() - hashes_before.keys()),
        "texts_not_matching_their_hash": wrong_before + wrong_after,
        "equal": not differing and hashes_before == hashes_after and not (wrong_before or wrong_after),
    }
