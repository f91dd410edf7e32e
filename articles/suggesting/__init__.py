"""Suggesters' pure parts: the built-in rules that find quotes, their speakers and numeric claims in a text.

Nothing here touches Django or the database; `builtin.suggest(text, language)` is the whole interface
(docs/suggestions.md). Storing and offering what it finds is articles.suggesters and articles.suggestions.
"""
