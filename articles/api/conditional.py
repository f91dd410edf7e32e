"""Optimistic concurrency over HTTP: ETags out, If-Match in (CONC-1).

Articles and annotations carry a `version`; their ETag names it. Every PATCH or DELETE of one must
send `If-Match`: the ETag the client last read (412 with the current state when it moved on), or `*`
to overwrite deliberately. A missing If-Match is a 428, so no client loses someone's edit by accident.
The version check itself happens in the domain's single guarded UPDATE, so a race between the check
here and the write still ends in a 412, never in a lost update.
"""

from __future__ import annotations

from rest_framework.request import Request

from articles.api.exceptions import PreconditionRequired
from articles.errors import ANY_VERSION, StaleVersion
from articles.models import Annotation, Article, Assignment, Link


def etag_of(obj: Article | Annotation | Assignment | Link) -> str:
    """Return the strong ETag of an article, annotation, link or assignment: it changes with every version."""
    if isinstance(obj, (Annotation, Link)):
        return obj.etag
    return f'"{"s" if isinstance(obj, Assignment) else "r"}{obj.pk}v{obj.version}"'


def expected_version(request: Request, obj: Article | Annotation | Assignment | Link) -> int:
    """Return the version the client's If-Match vouches for (ANY_VERSION for `*`: whatever is stored when
    the write happens, atomically); raise 428 without it, 412 when stale."""
    header = request.headers.get("If-Match")
    if header is None or not header.strip():
        raise PreconditionRequired()
    tags = {tag.strip() for tag in header.split(",")}
    if "*" in tags:
        return ANY_VERSION
    if etag_of(obj) in tags:
        return obj.version
    raise StaleVersion(obj)
