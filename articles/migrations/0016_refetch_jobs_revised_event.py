# Re-fetching watched articles is a job (articles.watches), and "article.revised" is a webhook event that is sent.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0015_article_revisions"),
    ]

    operations = [
        migrations.AlterField(
            model_name="job",
            name="kind",
            field=models.CharField(
                choices=[
                    ("export", "Export file"),
                    ("url_import", "Import from the web"),
                    ("file_import", "Import of large files"),
                    ("webhook_delivery", "Webhook delivery"),
                    ("refetch", "Re-fetch of an article"),
                ],
                max_length=32,
            ),
        ),
        migrations.AlterField(
            model_name="webhookdelivery",
            name="event",
            field=models.CharField(
                choices=[
                    ("annotation.created", "Annotation created"),
                    ("annotation.updated", "Annotation changed"),
                    ("annotation.deleted", "Annotation deleted"),
                    ("annotation.reviewed", "Review decision on a span"),
                    ("work.submitted", "Work submitted"),
                    ("work.approved", "Work approved"),
                    ("article.revised", "New article revision"),
                ],
                max_length=40,
            ),
        ),
    ]
