"""Uploads held between the import preview and its confirmation.

The preview stores what was uploaded (or fetched) under a random token in a private directory, with
names we generate (never the uploader's file names: INPUT-7). The confirmation takes it, once, only
for the same user and project (AUTHZ-8) and deletes it; stagings older than an hour are swept away
whenever a new one is made. The directory must be shared by the web workers (one host, or a shared
volume): IMPORT_STAGING_DIR, by default a folder in the system's temporary directory.
"""

from __future__ import annotations

import json
import re
import secrets
import shutil
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from django.conf import settings

from articles.fetching import Page
from articles.imports import Batch, read, read_page

MAX_AGE_SECONDS = 3600
TOKEN = re.compile(r"\A[A-Za-z0-9_-]{32}\Z")


def staging_dir() -> Path:
    return Path(settings.IMPORT_STAGING_DIR)


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


def batches(entries: list[tuple[StagedFile, bytes]]) -> list[Batch]:
    """Read every staged input into a batch (readers never raise for bad content)."""
    return [entry.read(data) for entry, data in entries]


def _sweep(root: Path) -> None:
    cutoff = time.time() - MAX_AGE_SECONDS
    for folder in root.iterdir():
        named = TOKEN.match(folder.name) or folder.name.startswith(".taken-")  # left by a worker that died
        if folder.is_dir() and named and folder.stat().st_mtime < cutoff:
            shutil.rmtree(folder, ignore_errors=True)


def stage(entries: list[tuple[StagedFile, bytes]], *, user_id: int, project_id: int) -> str:
    """Keep the inputs for a later confirmation; return the token that names them."""
    root = staging_dir()
    root.mkdir(mode=0o700, parents=True, exist_ok=True)
    _sweep(root)
    token = secrets.token_urlsafe(24)
    folder = root / token
    folder.mkdir(mode=0o700)
    for number, (_entry, data) in enumerate(entries):
        (folder / f"{number}.bin").write_bytes(data)
    manifest = {"user": user_id, "project": project_id, "files": [asdict(entry) for entry, _ in entries]}
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return token


def claim(token: str, *, user_id: int, project_id: int) -> list[tuple[StagedFile, bytes]] | None:
    """Take the inputs staged under `token` by this user for this project, once: the folder is renamed
    away before it is read (an atomic step), so of two confirmations at the same moment one gets the
    inputs and the other None, never a half-read folder. The inputs are gone afterwards."""
    if not TOKEN.match(token or ""):
        return None
    root = staging_dir()
    folder, taken = root / token, root / f".taken-{token}-{secrets.token_hex(8)}"
    try:
        if folder.stat().st_mtime < time.time() - MAX_AGE_SECONDS:
            return None
        folder.rename(taken)
    except OSError:  # never staged, or another confirmation took it first
        return None
    try:
        manifest = json.loads((taken / "manifest.json").read_text(encoding="utf-8"))
        if manifest["user"] != user_id or manifest["project"] != project_id:
            taken.rename(folder)  # not theirs: leave it for its owner
            return None
        return [
            (StagedFile(**entry), (taken / f"{number}.bin").read_bytes())
            for number, entry in enumerate(manifest["files"])
        ]
    finally:
        shutil.rmtree(taken, ignore_errors=True)
