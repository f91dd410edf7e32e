# Background jobs (articles.jobs): what users see of slow work, one row per job, its key unique per project and kind.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0007_article_text_lz4"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="Job",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("kind", models.CharField(choices=[("export", "Export file")], max_length=32)),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("queued", "Queued"),
                            ("running", "Running"),
                            ("succeeded", "Succeeded"),
                            ("failed", "Failed"),
                            ("cancelled", "Cancelled"),
                        ],
                        default="queued",
                        max_length=16,
                    ),
                ),
                ("done", models.PositiveIntegerField(default=0, help_text="Steps done so far.")),
                ("total", models.PositiveIntegerField(blank=True, help_text="Steps in all, once known.", null=True)),
                ("error", models.TextField(blank=True, help_text="Why the job failed, for the person who started it.")),
                (
                    "params",
                    models.JSONField(blank=True, default=dict, help_text="What the job's runner needs, as JSON."),
                ),
                (
                    "result_path",
                    models.CharField(
                        blank=True, help_text="The result file's name in the job_results storage.", max_length=500
                    ),
                ),
                (
                    "result_name",
                    models.CharField(blank=True, help_text="The file name a download gets.", max_length=200),
                ),
                ("result_type", models.CharField(blank=True, help_text="The result's media type.", max_length=100)),
                ("result_size", models.BigIntegerField(blank=True, null=True)),
                ("result_expires_at", models.DateTimeField(blank=True, null=True)),
                ("attempts", models.PositiveSmallIntegerField(default=0)),
                ("idempotency_key", models.CharField(max_length=100)),
                (
                    "task_id",
                    models.CharField(blank=True, help_text="The task queue's id of the latest attempt.", max_length=64),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("started_at", models.DateTimeField(blank=True, null=True)),
                ("finished_at", models.DateTimeField(blank=True, db_index=True, null=True)),
                (
                    "created_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="jobs", to=settings.AUTH_USER_MODEL
                    ),
                ),
                (
                    "project",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="jobs", to="articles.project"
                    ),
                ),
            ],
            options={
                "ordering": ["-created_at", "-id"],
                "constraints": [
                    models.UniqueConstraint(fields=("project", "kind", "idempotency_key"), name="job_idempotency_key"),
                    models.CheckConstraint(
                        condition=models.Q(("status__in", ["queued", "running", "succeeded", "failed", "cancelled"])),
                        name="job_status_valid",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("total__isnull", True), ("done__lte", models.F("total")), _connector="OR"),
                        name="job_done_lte_total",
                    ),
                ],
            },
        ),
    ]
