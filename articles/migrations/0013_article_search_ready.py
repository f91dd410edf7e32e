"""Articles enter the full-text index in the background (articles.search_index).

The GIN index of migration 0002 becomes partial, over the articles marked `search_ready`, so that adding an
article does not compute its text's tsvector; a small index over the articles still waiting lets searches
match those one by one. Articles stored before are marked ready. Nothing but the field on SQLite.
"""

from django.contrib.postgres.indexes import GinIndex
from django.db import migrations, models
from django.db.models import Q

from articles.models.article import search_vector

OLD_INDEX = "article_search_gin"
READY_INDEX = "article_search_ready_gin"
WAITING_INDEX = "article_search_waiting"


def partial_indexes(apps, schema_editor):
    Article = apps.get_model("articles", "Article")
    Article.objects.update(search_ready=True)
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX IF EXISTS {OLD_INDEX}")
    schema_editor.add_index(Article, GinIndex(search_vector(), name=READY_INDEX, condition=Q(search_ready=True)))
    schema_editor.add_index(Article, models.Index(fields=["id"], name=WAITING_INDEX, condition=Q(search_ready=False)))


def whole_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    Article = apps.get_model("articles", "Article")
    schema_editor.execute(f"DROP INDEX IF EXISTS {READY_INDEX}")
    schema_editor.execute(f"DROP INDEX IF EXISTS {WAITING_INDEX}")
    schema_editor.add_index(Article, GinIndex(search_vector(), name=OLD_INDEX))


class Migration(migrations.Migration):
    dependencies = [("articles", "0012_job_import_kinds")]

    operations = [
        migrations.AddField(
            model_name="article",
            name="search_ready",
            field=models.BooleanField(
                default=False, editable=False, help_text="In the full-text index (articles.search_index sets it)."
            ),
        ),
        migrations.RunPython(partial_indexes, whole_index),
    ]
