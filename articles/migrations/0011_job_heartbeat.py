# Background jobs get a heartbeat, so a job whose worker died is found and queued again (articles.jobs.recover).

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0010_webhooks"),
    ]

    operations = [
        migrations.AddField(
            model_name="job",
            name="heartbeat_at",
            field=models.DateTimeField(
                blank=True,
                help_text="When the worker running it last showed it was alive (articles.jobs).",
                null=True,
            ),
        ),
        migrations.AddIndex(
            model_name="job",
            index=models.Index(
                condition=models.Q(("status", "running")), fields=["heartbeat_at"], name="job_running_heartbeat"
            ),
        ),
    ]
