"""Uploads held between the import preview and its confirmation, or until an import job has read them.

The inputs are kept in the database (articles.models.ImportStaging), the store every app server and worker
shares, so a preview made through one server behind a load balancer is confirmed through another, and a
large file staged by a web server is imported by a worker elsewhere. Each staging is named by a random
token and keeps the uploader's file names only as names to show (INPUT-7). A confirmation takes it once,
only for the same user and project (AUTHZ-8), and deletes it; previews older than an hour are swept
away whenever a new staging is made. A staging read by a job stays until that job has finished with it.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import asdict, dataclass
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from articles.fetching import Page
from articles.imports import Batch, read, read_page
from articles.models import ImportStaging

MAX_AGE_SECONDS = 3600
TOKEN = re.compile(r"\A[A-Za-z0-9_-]{32}\Z")


@dataclass(frozen=True)
class StagedFile:
    """One input of an import: a file (name and format), or a fetched page (its url and media type)."""

    name: str
    format: str = "auto"
    url: str = ""
    content_type: str = ""
    charset: str = ""

    def read(self, data: bytes) -> Batch:
        if self.url:
            return read_page(Page(self.url, self.content_type, self.charset or None, data))
        return read(self.name, data, self.format)


Entries = list[tuple[StagedFile, bytes]]


def batches(entries: Entries) -> list[Batch]:
    """Read every staged input into a batch (readers never raise for bad content)."""
    return [entry.read(data) for entry, data in entries]


def _sweep() -> None:
    """Delete previews nobody confirmed within the hour (a job's inputs wait for their job)."""
    cutoff = timezone.now() - timedelta(seconds=MAX_AGE_SECONDS)
    ImportStaging.objects.filter(job__isnull=True, created_at__lt=cutoff).delete()


def stage(entries: Entries, *, user_id: int, project_id: int) -> str:
    """Keep the inputs for a later confirmation (or an import job); return the token that names them."""
    _sweep()
    token = secrets.token_urlsafe(24)
    manifest = [{**asdict(entry), "size": len(data)} for entry, data in entries]
    ImportStaging.objects.create(
        token=token, user_id=user_id, project_id=project_id, files=manifest, data=b"".join(data for _, data in entries)
    )
    return token


def _entries(staging: ImportStaging) -> Entries:
    data, offset, entries = bytes(staging.data), 0, []
    for described in staging.files:
        item = dict(described)
        size = item.pop("size")
        entries.append((StagedFile(**item), data[offset : offset + size]))
        offset += size
    return entries


def _mine(token: str, user_id: int, project_id: int):
    return ImportStaging.objects.filter(token=token, user_id=user_id, project_id=project_id)


def claim(token: str, *, user_id: int, project_id: int) -> Entries | None:
    """Take the inputs staged under `token` by this user for this project, once, and delete them.

    The row is locked and deleted in one transaction, and only the confirmation whose DELETE removed it
    gets the inputs: of two confirmations at the same moment (on one server or two), one imports and the
    other gets None. Someone else's token, an expired one or one that a job holds gives None too.
    """
    if not TOKEN.match(token or ""):
        return None
    cutoff = timezone.now() - timedelta(seconds=MAX_AGE_SECONDS)
    with transaction.atomic():
        staging = (
            _mine(token, user_id, project_id)
            .filter(job__isnull=True, created_at__gte=cutoff)
            .select_for_update()
            .first()
        )
        if staging is None:
            return None
        _, deleted = ImportStaging.objects.filter(pk=staging.pk).delete()
        if not deleted.get(ImportStaging._meta.label):
            return None  # another confirmation deleted it first
        return _entries(staging)


def hand_to(token: str, job_id: int) -> None:
    """Keep the staged inputs for the job that imports them (no sweep takes them meanwhile)."""
    ImportStaging.objects.filter(token=token).update(job_id=job_id)


def exists(token: str, *, user_id: int, project_id: int) -> bool:
    return bool(TOKEN.match(token or "")) and _mine(token, user_id, project_id).exists()


def load(token: str, *, user_id: int, project_id: int) -> Entries | None:
    """Read the inputs an import job was given, leaving them in place (a retried job reads them again)."""
    staging = _mine(token, user_id, project_id).first() if TOKEN.match(token or "") else None
    return None if staging is None else _entries(staging)


def discard(token: str) -> None:
    """Delete staged inputs no longer needed (their job finished, or was never started)."""
    ImportStaging.objects.filter(token=token).delete()
