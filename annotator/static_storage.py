"""Static files in production: whitenoise's compressed, hashed copies, with our JavaScript module imports rewritten.

The site's scripts are ES modules that import each other by relative URL (`import ... from "./offsets.js";`).
Django leaves those URLs alone unless asked, so a hashed module would load its imports by their unhashed names,
which are not cached for ever and can be another version after a deploy.
"""

from whitenoise.storage import CompressedManifestStaticFilesStorage


class ModuleManifestStaticFilesStorage(CompressedManifestStaticFilesStorage):
    """Point each of our modules' `import ... from "./x.js";` at the hashed name of x.js.

    Django's own switch for this (`support_js_module_import_aggregation`) applies its rules to every script,
    and breaks collectstatic on third-party ones: htmx's extensions write `import("../htmx")` in JSDoc types.
    So the same rules apply here to the site's scripts only.
    """

    patterns = CompressedManifestStaticFilesStorage.patterns + (
        ("articles/*.js", CompressedManifestStaticFilesStorage._js_module_import_aggregation_patterns[1]),
    )
