"""A project's suggesters: owners switch them on or off and register HTTP endpoints, under one set of rules.

The built-in suggester exists in every project and can only be switched on or off. An HTTP suggester has a
name, a public http(s) address (checked by the guard outgoing requests share, articles.fetching) and a
time limit of 1 to 60 seconds.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from django.db import IntegrityError, transaction

from articles.access import require, role_in
from articles.errors import InvalidInput
from articles.fetching import FetchPolicy, check_outgoing_url
from articles.models import Project, Suggester, SuggesterKind
from articles.permissions import Action
from articles.suggesters import suggesters_changed

NAME_PATTERN = r"\A[a-z0-9][a-z0-9_-]{0,63}\Z"
EDITABLE = ("name", "url", "enabled", "timeout_seconds")


def _url(value: object) -> str:
    return check_outgoing_url(
        value,
        FetchPolicy.from_settings(),
        missing="Give the address that receives the articles.",
        private="This address is not public; suggesters are called at public addresses only.",
    )


def _clean(values: Mapping[str, Any], suggester: Suggester | None) -> dict[str, Any]:
    unknown = set(values) - set(EDITABLE)
    if unknown:
        raise InvalidInput({name: ["Suggesters have no such field."] for name in sorted(unknown)})
    builtin = suggester is not None and suggester.kind == SuggesterKind.BUILTIN
    if builtin and set(values) - {"enabled"}:
        raise InvalidInput.single("non_field_errors", "The built-in suggester can only be switched on or off.")
    clean: dict[str, Any] = {}
    if "name" in values:
        if not isinstance(values["name"], str) or not re.fullmatch(NAME_PATTERN, values["name"]):
            raise InvalidInput.single("name", "Use lower-case letters, digits, - or _ (at most 64).")
        clean["name"] = values["name"]
    if "url" in values:
        clean["url"] = _url(values["url"])
    if "enabled" in values:
        if not isinstance(values["enabled"], bool):
            raise InvalidInput.single("enabled", "Send true or false.")
        clean["enabled"] = values["enabled"]
    if "timeout_seconds" in values:
        seconds = values["timeout_seconds"]
        if isinstance(seconds, bool) or not isinstance(seconds, int) or not 1 <= seconds <= 60:
            raise InvalidInput.single("timeout_seconds", "Use a whole number of seconds from 1 to 60.")
        clean["timeout_seconds"] = seconds
    return clean


def _saved(suggester: Suggester) -> Suggester:
    try:
        with transaction.atomic():
            suggester.save()
    except IntegrityError:
        raise InvalidInput.single("name", "This project already has a suggester with this name.") from None
    suggesters_changed()
    return suggester


def register_suggester(project: Project, *, by, **values: Any) -> Suggester:
    """Register an HTTP suggester (owners do); it is switched on unless `enabled` says otherwise."""
    require(role_in(project, by), Action.MANAGE_PROJECT)
    missing = [name for name in ("name", "url") if values.get(name) in (None, "")]
    if missing:
        raise InvalidInput({name: ["This field is required."] for name in missing})
    clean = {"enabled": True, **_clean(values, None)}
    return _saved(Suggester(project=project, kind=SuggesterKind.HTTP, **clean))


def update_suggester(suggester: Suggester, *, by, changes: Mapping[str, Any]) -> Suggester:
    """Switch a suggester on or off, or change an HTTP suggester's name, address or time limit (owners do)."""
    require(role_in(suggester.project, by), Action.MANAGE_PROJECT)
    for name, value in _clean(changes, suggester).items():
        setattr(suggester, name, value)
    return _saved(suggester)


def delete_suggester(suggester: Suggester, *, by) -> None:
    """Remove an HTTP suggester with its suggestions (owners do); the built-in one is only switched off."""
    require(role_in(suggester.project, by), Action.MANAGE_PROJECT)
    if suggester.kind == SuggesterKind.BUILTIN:
        raise InvalidInput.single("non_field_errors", "The built-in suggester cannot be removed; switch it off.")
    Suggester.objects.filter(pk=suggester.pk).delete()
    suggesters_changed()
