"""The kinds of background job and their runners (articles.jobs runs them).

`export`: a whole project in one of the export formats, written by the same code as a download
(export_scope.export with the format's writer) into a file kept JOB_RESULT_DAYS days. It holds what its
starter may see when it runs, so a member who has left the project gets a failed job, not a file.

`url_import` and `file_import`: web addresses fetched and stored one by one, and large uploaded files
imported all or nothing, by a worker (articles.imports.background); owners only, like every import.

`webhook_delivery`: not started here nor run by articles.jobs (an event starts it, articles.webhooks sends
it); registered only for its cancel, which stops the delivery with the job.

`refetch` (articles.watches) and `suggest` (articles.suggesters) register themselves where they are defined.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from articles import suggesters, watches, webhooks  # noqa: F401 (suggesters and watches register kinds)
from articles.access import require, role_in
from articles.errors import InvalidInput
from articles.export_download import download_name, published_scope
from articles.export_scope import ExportScope, export, parse_filters
from articles.exports import FORMATS
from articles.imports import background
from articles.jobs import JobProgress, Runner, register, register_canceller, store_result
from articles.models import Job, JobKind, Project
from articles.permissions import Action

FILTERS = ("label", "author", "status", "since", "until", "include")
EXPORT_FIELDS = frozenset({"format", *FILTERS, "base_url"})


def check_export(project: Project, user, params: Mapping[str, Any]) -> dict[str, Any]:
    """The export's parameters as stored: a format, the filters as export_scope reads them, the site's address.

    Filters are checked as a download checks them (InvalidInput names the field), so a job never fails
    later on input that could have been refused at once.
    """
    unknown = sorted(set(params) - EXPORT_FIELDS)
    if unknown:
        raise InvalidInput({name[:64]: ["Unknown field."] for name in unknown[:20]})
    key = params.get("format") or "json"
    if key not in FORMATS:
        raise InvalidInput.single("format", f"Choose one of: {', '.join(FORMATS)}.")
    base_url = params.get("base_url") or ""
    if not isinstance(base_url, str) or not base_url.startswith(("http://", "https://")):
        raise InvalidInput.single("base_url", "The site's address is missing.")
    filters = parse_filters({name: params[name] for name in FILTERS if params.get(name)})
    return {"format": key, **filters.as_dict(), "base_url": base_url}


def run_export(job: Job, progress: JobProgress) -> None:
    """Write the project's export to the job's result file, counting articles as progress."""
    project, user = job.project, job.created_by
    require(role_in(project, user), Action.EXPORT)
    params = dict(job.params)
    key, base_url = params.pop("format"), params.pop("base_url")
    filters = parse_filters({name: value for name, value in params.items() if value})
    scope = published_scope(ExportScope(project, user, None, filters), key)
    fmt = FORMATS[key]
    store_result(
        job,
        export(scope, key, base_url=base_url, progress=progress),
        name=download_name(scope, key),
        media_type=f"{fmt.media_type}; charset=utf-8",
    )


register(JobKind.EXPORT, Runner(action=Action.EXPORT, check=check_export, run=run_export))
register(
    background.URL_IMPORT,
    Runner(action=Action.IMPORT, check=background.check_url_import, run=background.run_url_import),
)
register(
    background.FILE_IMPORT,
    Runner(action=Action.IMPORT, check=background.check_file_import, run=background.run_file_import),
)
register_canceller(JobKind.WEBHOOK_DELIVERY, webhooks.stop_delivery_job)
