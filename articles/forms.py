"""Forms of the web interface: they check the shape of input; the domain modules decide the rest."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.contrib.auth.models import User

from articles.access import MAX_ID
from articles.errors import InvalidInput
from articles.models import Annotation, ArticleStatus, Label, Project, Visibility
from articles.models.projects import GuidelinesFormat

MAX_OFFSET = 2**31 - 1


def whole_number(value: Any) -> int | None:
    """The integer a form field or query parameter holds, else None: also for numbers beyond 64 bits,
    which no database column holds (SQLite would raise OverflowError)."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if abs(number) <= MAX_ID else None


def add_domain_errors(form: forms.Form, error: InvalidInput) -> None:
    """Show a domain error on the form field it names, or above the form."""
    for field, messages in error.errors.items():
        target = field if field in form.fields else None
        for message in messages if isinstance(messages, list) else [messages]:
            form.add_error(target, str(message))


class ArticleForm(forms.Form):
    """A news article pasted by hand; article_write.create_article does the real checks."""

    title = forms.CharField(max_length=500)
    byline = forms.CharField(max_length=300, required=False, help_text="Who wrote it.")
    outlet = forms.CharField(max_length=200, required=False, help_text="Where it was published.")
    url = forms.URLField(max_length=2000, required=False, assume_scheme="https", label="URL")
    published = forms.DateField(
        required=False, label="Publication date", widget=forms.DateInput(attrs={"type": "date"})
    )
    language = forms.CharField(max_length=16, required=False, initial="en", help_text="For example en, de, ar.")
    text = forms.CharField(
        strip=False,
        widget=forms.Textarea(attrs={"rows": 14, "spellcheck": "false"}),
        help_text="Paste the article's plain text. Paragraph breaks are kept.",
    )

    def clean_text(self) -> str:
        text = self.cleaned_data["text"]
        if not text.strip():
            raise forms.ValidationError("The article text is empty.")
        return text

    def clean_url(self) -> str:
        url = self.cleaned_data["url"]
        if url and not url.lower().startswith(("http://", "https://")):
            raise forms.ValidationError("Give an http:// or https:// address.")
        return url

    def article_fields(self) -> dict[str, Any]:
        """Return keyword arguments for article_write.create_article."""
        data = self.cleaned_data
        published = data.get("published")
        return {
            "title": data["title"],
            "text": data["text"],
            "byline": data["byline"],
            "outlet": data["outlet"],
            "url": data["url"],
            "language": data["language"] or "en",
            "published_at": datetime.datetime.combine(published, datetime.time(12), tzinfo=datetime.UTC)
            if published
            else None,
        }


class ArticleFilterForm(forms.Form):
    """Search and filters of a project's article list; unknown values are reported, never passed on."""

    q = forms.CharField(required=False, max_length=200, label="Search")
    status = forms.ChoiceField(required=False, choices=[("", "Any status"), *ArticleStatus.choices])
    label = forms.ChoiceField(required=False)
    author = forms.ChoiceField(required=False, label="Annotated by")

    def __init__(self, data=None, *, labels: list[Label], members: list[User]):
        super().__init__(data)
        self.fields["label"].choices = [("", "Any label"), *((label.key, label.name) for label in labels)]
        self.fields["author"].choices = [("", "Anyone"), *((str(user.pk), user.get_username()) for user in members)]

    def filters(self) -> dict[str, str]:
        """Return the valid, non-empty filters (invalid ones are dropped and shown as errors)."""
        self.is_valid()
        return {name: value for name, value in getattr(self, "cleaned_data", {}).items() if value}


class AnnotationCreateForm(forms.Form):
    """A new span: code-point offsets from the browser, or only a quote for the server to find."""

    label = forms.CharField(max_length=32)
    start = forms.IntegerField(required=False, min_value=0, max_value=MAX_OFFSET)
    end = forms.IntegerField(required=False, min_value=0, max_value=MAX_OFFSET)
    quote = forms.CharField(required=False, strip=False, max_length=100_000)
    prefix = forms.CharField(required=False, strip=False, max_length=64)
    suffix = forms.CharField(required=False, strip=False, max_length=64)

    def span(self) -> dict[str, Any]:
        """Return keyword arguments for annotation_write.create_annotation (besides author and label)."""
        data = self.cleaned_data
        fields: dict[str, Any] = {"quote": data["quote"] or None}
        if data["start"] is not None or data["end"] is not None:
            fields.update(start=data["start"], end=data["end"])
        else:
            fields.update(prefix=data["prefix"], suffix=data["suffix"])
        return fields


def _attribute_field(spec: dict[str, Any]) -> forms.Field:
    title = str(spec.get("label") or spec.get("name"))
    if spec.get("type") == "choice":
        choices = [("", "—"), *((str(choice), str(choice)) for choice in spec.get("choices", []))]
        return forms.ChoiceField(label=title, required=False, choices=choices)
    widget = forms.URLInput if spec.get("type") == "url" else forms.TextInput
    return forms.CharField(label=title, required=False, max_length=2000, widget=widget)


class AnnotationEditForm(forms.Form):
    """Label, note, boundaries (sent by the adjust control, as code points) and the label's attribute fields
    of one annotation; `version` guards lost updates."""

    version = forms.IntegerField(min_value=1, max_value=MAX_OFFSET, widget=forms.HiddenInput)
    label = forms.ChoiceField(required=False, widget=forms.RadioSelect)
    start = forms.IntegerField(required=False, min_value=0, max_value=MAX_OFFSET, widget=forms.HiddenInput)
    end = forms.IntegerField(required=False, min_value=0, max_value=MAX_OFFSET, widget=forms.HiddenInput)
    note = forms.CharField(
        required=False, max_length=10000, widget=forms.Textarea(attrs={"rows": 3, "placeholder": "Add a note"})
    )

    def __init__(self, data=None, *, annotation: Annotation, labels: list[Label]):
        label = annotation.label
        initial = {"version": annotation.version, "label": label.key, "note": annotation.note}
        super().__init__(data, initial=initial, prefix=None)
        self.annotation = annotation
        self.fields["label"].choices = [(item.key, item.name) for item in labels]
        self.attribute_names: list[str] = []
        for spec in label.fields or []:
            if isinstance(spec, dict) and spec.get("name"):
                name = f"attr-{spec['name']}"
                self.fields[name] = _attribute_field(spec)
                self.initial[name] = (annotation.attributes or {}).get(spec["name"], "")
                self.attribute_names.append(name)

    @property
    def attribute_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.attribute_names]

    def changes(self) -> dict[str, Any]:
        """Return only what the request sent, so a label change alone leaves the note alone."""
        data, changes = self.cleaned_data, {}
        if data.get("label"):
            changes["label"] = data["label"]
        if data.get("start") is not None or data.get("end") is not None:
            changes.update(start=data["start"], end=data["end"])
        if "note" in self.data:
            changes["note"] = data["note"]
        sent = [name for name in self.attribute_names if name in self.data]
        if sent:
            attributes = dict(self.annotation.attributes or {})
            for name in sent:
                key, value = name.removeprefix("attr-"), data[name].strip()
                if value:
                    attributes[key] = value
                else:
                    attributes.pop(key, None)
            changes["attributes"] = attributes
        return changes


class ProjectForm(forms.Form):
    """A project's settings as typed in; project_write.create_project and update_project do the real checks."""

    name = forms.CharField(max_length=200)
    description = forms.CharField(
        max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 3}), help_text="What the team works on."
    )
    guidelines = forms.CharField(
        max_length=50000,
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 14}),
        help_text="What annotators read before they start (the g key opens them while annotating).",
    )
    guidelines_format = forms.ChoiceField(
        choices=GuidelinesFormat.choices,
        initial=GuidelinesFormat.PLAIN,
        widget=forms.RadioSelect,
        label="Guidelines format",
        help_text="Markdown: # headings, **bold**, lists, [links](https://example.org), tables.",
    )
    organisation = forms.CharField(
        max_length=200, required=False, help_text="Publisher named as author of ClaimReview exports."
    )
    factcheck_url_pattern = forms.CharField(
        max_length=500,
        required=False,
        label="Fact-check address pattern",
        widget=forms.TextInput(
            attrs={
                "inputmode": "url",
                "spellcheck": "false",
                "placeholder": "https://factcheck.example.org/checks/{uuid}",
            }
        ),
        help_text="Where each published fact-check lives: the url of ClaimReview exports. {uuid} (or "
        "{annotation_id}) names the claim; {article_id} may be added. Empty: exports leave the url out.",
    )
    visibility = forms.ChoiceField(choices=Visibility.choices, initial=Visibility.SHARED, widget=forms.RadioSelect)
    annotators_per_article = forms.IntegerField(
        min_value=1, max_value=20, initial=1, help_text="How many annotators automatic assignment gives each article."
    )
    revisions_from_imports = forms.BooleanField(
        required=False,
        initial=True,
        label="Imports bring in corrections",
        help_text="An imported article with the external id or web address of a stored one, but other text, "
        "becomes its new revision (its annotations are re-anchored). Off: it is skipped as a duplicate.",
    )
    watch_hourly_days = forms.IntegerField(
        min_value=0,
        max_value=365,
        initial=2,
        label="Watch hourly for (days)",
        help_text="Articles with a web address are fetched again every hour for this many days after publication.",
    )
    watch_daily_days = forms.IntegerField(
        min_value=0,
        max_value=3650,
        initial=30,
        label="Then daily until (days)",
        help_text="…then once a day until this many days after publication. 0 and 0: no watching.",
    )


class ProjectDeleteForm(forms.Form):
    """Deleting a project asks for its name, typed, so that a slip of the mouse deletes nothing."""

    confirm_name = forms.CharField(max_length=200, label="Type the project's name to confirm")

    def __init__(self, data=None, *, project: Project):
        super().__init__(data)
        self.project = project

    def clean_confirm_name(self) -> str:
        typed = self.cleaned_data["confirm_name"]
        if typed.strip() != self.project.name:
            raise forms.ValidationError(f"Type “{self.project.name}” exactly to delete this project.")
        return typed
