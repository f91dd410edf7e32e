"""A job's result file served over HTTP, for the job page and the API alike (after their permission checks).

Never a public URL: the file is read from the job_results storage and sent as an attachment, with the
same guards as an export download (nosniff, a safe file name, no caching).
"""

from __future__ import annotations

from django.http import FileResponse, Http404

from articles.jobs import result_available, results
from articles.models import Job


def result_response(job: Job) -> FileResponse:
    """Send the job's file, or a 404 when there is none (not succeeded, or expired and pruned)."""
    if not result_available(job):
        raise Http404("This job has no file to download: it has not succeeded, or its file has expired.")
    try:
        handle = results().open(job.result_path, "rb")
    except FileNotFoundError:
        raise Http404("This job's file is no longer stored.") from None
    response = FileResponse(handle, as_attachment=True, filename=job.result_name, content_type=job.result_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
