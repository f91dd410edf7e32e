# Guidelines may be written in Markdown (shown rendered and sanitised) or stay plain text, as all were before.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0005_label_patterns_match_whole_values"),
    ]

    operations = [
        migrations.AddField(
            model_name="project",
            name="guidelines_format",
            field=models.CharField(
                choices=[("plain", "Plain text"), ("markdown", "Markdown")],
                default="plain",
                help_text="How to show them.",
                max_length=16,
            ),
        ),
        migrations.AlterField(
            model_name="project",
            name="guidelines",
            field=models.TextField(blank=True, help_text="Annotation guidelines.", max_length=50000),
        ),
        migrations.AddConstraint(
            model_name="project",
            constraint=models.CheckConstraint(
                condition=models.Q(("guidelines_format__in", ["plain", "markdown"])),
                name="project_guidelines_format_valid",
            ),
        ),
    ]
