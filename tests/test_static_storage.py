"""Production static files: the site's JavaScript modules import each other by their hashed names."""

from __future__ import annotations

import re

from django.conf import settings
from django.core.files.storage import FileSystemStorage

from annotator.static_storage import ModuleManifestStaticFilesStorage

IMPORTED = re.compile(r"""^import\b[^;]*?\bfrom\s*["']([^"']+)["']""", re.MULTILINE)  # import statements only


def collect_site_scripts(root) -> ModuleManifestStaticFilesStorage:
    """Copy and post-process static/articles/*.js as collectstatic does, into `root`."""
    source = FileSystemStorage(location=settings.BASE_DIR / "static")
    storage = ModuleManifestStaticFilesStorage(location=str(root), base_url="/static/")
    names = [name for name in source.listdir("articles")[1] if name.endswith(".js")]
    paths = {f"articles/{name}": (source, f"articles/{name}") for name in names}
    for path in paths:
        with source.open(path) as content:
            storage.save(path, content)
    failures = [result[2] for result in storage.post_process(paths) if isinstance(result[2], Exception)]
    assert failures == []
    return storage


def test_hashed_modules_import_their_modules_by_hashed_name(tmp_path):
    storage = collect_site_scripts(tmp_path)

    def imports_of(name: str) -> list[str]:
        with storage.open(storage.hashed_files[f"articles/{name}"]) as module:
            return IMPORTED.findall(module.read().decode())

    def hashed_url(name: str) -> str:
        return "./" + storage.hashed_files[f"articles/{name}"].removeprefix("articles/")

    assert hashed_url("keyboard.js") != "./keyboard.js"
    assert imports_of("review.js") == [hashed_url(name) for name in ("keyboard.js", "span_adjust.js")]
    assert imports_of("span_adjust.js") == [hashed_url("offsets.js")]
    assert imports_of("annotate.js") == [
        hashed_url(name)
        for name in ("caret.js", "keyboard.js", "links.js", "offsets.js", "span_adjust.js", "suggestions.js")
    ]
    assert imports_of("suggestions.js") == [
        hashed_url(name) for name in ("keyboard.js", "offsets.js", "span_adjust.js")
    ]
    assert imports_of("links.js") == [hashed_url(name) for name in ("caret.js", "keyboard.js")]
