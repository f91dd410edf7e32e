# Workflow history: one row per assignment transition (assigned, submitted, approved ...).

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0002_article_search_index"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="AssignmentEvent",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("action", models.CharField(max_length=20)),
                ("from_state", models.CharField(blank=True, max_length=20)),
                (
                    "to_state",
                    models.CharField(
                        choices=[
                            ("assigned", "Assigned"),
                            ("in_progress", "In progress"),
                            ("submitted", "Submitted"),
                            ("changes_requested", "Changes requested"),
                            ("approved", "Approved"),
                        ],
                        max_length=20,
                    ),
                ),
                ("message", models.TextField(blank=True, max_length=5000)),
                ("created_at", models.DateTimeField(auto_now_add=True, db_index=True)),
                (
                    "actor",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "assignment",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="events", to="articles.assignment"
                    ),
                ),
            ],
            options={
                "ordering": ["assignment", "created_at", "id"],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(
                            ("to_state__in", ["assigned", "in_progress", "submitted", "changes_requested", "approved"])
                        ),
                        name="assignment_event_to_state_valid",
                    )
                ],
            },
        ),
    ]
