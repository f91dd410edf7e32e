"""Full-text search index on PostgreSQL: a GIN index over exactly the tsvector that
ArticleQuerySet.search queries. SQLite has no tsvector (search falls back to matching words there),
so this migration does nothing on other databases.
"""

from django.contrib.postgres.indexes import GinIndex
from django.db import migrations

from articles.models.article import search_vector

INDEX_NAME = "article_search_gin"


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.add_index(apps.get_model("articles", "Article"), GinIndex(search_vector(), name=INDEX_NAME))


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX_NAME}")


class Migration(migrations.Migration):
    dependencies = [("articles", "0001_initial")]
    operations = [migrations.RunPython(create_index, drop_index)]
