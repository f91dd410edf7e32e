"""Webhooks: hooks registered per project, and the log of their deliveries (articles.webhooks)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0009_import_staging"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="Webhook",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("url", models.URLField(max_length=2000)),
                ("events", models.JSONField(default=list, help_text="The WebhookEvent values this hook receives.")),
                ("active", models.BooleanField(default=True)),
                (
                    "secret",
                    models.CharField(
                        help_text="Signs every delivery; shown only when made or rotated.", max_length=100
                    ),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("updated_at", models.DateTimeField(auto_now=True)),
                ("secret_rotated_at", models.DateTimeField(blank=True, null=True)),
                (
                    "created_by",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "project",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="webhooks", to="articles.project"
                    ),
                ),
            ],
            options={"ordering": ["created_at", "id"]},
        ),
        migrations.CreateModel(
            name="WebhookDelivery",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "event",
                    models.CharField(
                        choices=[
                            ("annotation.created", "Annotation created"),
                            ("annotation.updated", "Annotation changed"),
                            ("annotation.deleted", "Annotation deleted"),
                            ("annotation.reviewed", "Review decision on a span"),
                            ("work.submitted", "Work submitted"),
                            ("work.approved", "Work approved"),
                            ("article.revised", "Article revised (not sent yet)"),
                        ],
                        max_length=40,
                    ),
                ),
                ("body", models.TextField(help_text="The JSON sent, exactly (a replay sends it again).")),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("pending", "Waiting"),
                            ("sending", "Sending"),
                            ("succeeded", "Delivered"),
                            ("failed", "Failed"),
                        ],
                        default="pending",
                        max_length=16,
                    ),
                ),
                ("attempts", models.PositiveSmallIntegerField(default=0)),
                ("response_code", models.PositiveSmallIntegerField(blank=True, null=True)),
                (
                    "duration_ms",
                    models.PositiveIntegerField(blank=True, help_text="How long the last try took.", null=True),
                ),
                ("error", models.CharField(blank=True, help_text="Why the last try failed.", max_length=300)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("last_attempt_at", models.DateTimeField(blank=True, null=True)),
                ("next_attempt_at", models.DateTimeField(blank=True, null=True)),
                (
                    "replay_of",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="articles.webhookdelivery",
                    ),
                ),
                (
                    "webhook",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="deliveries", to="articles.webhook"
                    ),
                ),
            ],
            options={
                "ordering": ["-id"],
                "indexes": [models.Index(fields=["webhook", "-id"], name="delivery_webhook_newest")],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("status__in", ["pending", "sending", "succeeded", "failed"])),
                        name="delivery_status_valid",
                    )
                ],
            },
        ),
    ]
