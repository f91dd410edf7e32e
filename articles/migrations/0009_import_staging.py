# Imports that outlive a request (articles.models.imports): previews waiting in the database instead of a local
# directory, so every app server shares them; and what each address of a URL-import job became.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0008_jobs"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="ImportStaging",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("token", models.CharField(max_length=64, unique=True)),
                (
                    "files",
                    models.JSONField(default=list, help_text="Each input's name, format, origin and size, in order."),
                ),
                ("data", models.BinaryField(help_text="The inputs' bytes, one after another, sized by `files`.")),
                ("created_at", models.DateTimeField(auto_now_add=True, db_index=True)),
                (
                    "job",
                    models.ForeignKey(
                        blank=True,
                        help_text="The import job reading these inputs; kept until it finishes (or the job is pruned).",
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="articles.job",
                    ),
                ),
                (
                    "project",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="+", to="articles.project"
                    ),
                ),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="+", to=settings.AUTH_USER_MODEL
                    ),
                ),
            ],
        ),
        migrations.CreateModel(
            name="ImportItem",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("number", models.PositiveIntegerField(help_text="The address's place in the list, from 1.")),
                ("address", models.TextField()),
                (
                    "outcome",
                    models.CharField(
                        choices=[
                            ("pending", "Waiting"),
                            ("stored", "Stored"),
                            ("duplicate", "Already there"),
                            ("failed", "Failed"),
                        ],
                        default="pending",
                        max_length=16,
                    ),
                ),
                ("title", models.CharField(blank=True, max_length=500)),
                (
                    "message",
                    models.TextField(blank=True, help_text="Why it failed or was skipped, for the person importing."),
                ),
                ("attempts", models.PositiveSmallIntegerField(default=0)),
                (
                    "article",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="articles.article",
                    ),
                ),
                (
                    "job",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="import_items", to="articles.job"
                    ),
                ),
            ],
            options={
                "ordering": ["job", "number"],
                "constraints": [
                    models.UniqueConstraint(fields=("job", "number"), name="import_item_number"),
                    models.CheckConstraint(
                        condition=models.Q(("outcome__in", ["pending", "stored", "duplicate", "failed"])),
                        name="import_item_outcome_valid",
                    ),
                ],
            },
        ),
    ]
