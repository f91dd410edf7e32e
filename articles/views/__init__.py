"""Web pages and htmx fragments, one module per screen family."""
