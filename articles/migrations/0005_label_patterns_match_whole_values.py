# Label key, colour and shortcut patterns are anchored with \A and \Z: "$" also matched before a final
# newline, so SQLite (whose REGEXP is Python's re.search) accepted a key such as "claim\n". Such keys are
# renamed first (the newline dropped, or the label's id added when that key is taken), or the new
# constraints could not be added. Colours and shortcuts cannot hold one: their maximum length refused it.

import django.core.validators
from django.db import migrations, models

COLOR = "\\A#[0-9A-Fa-f]{6}\\Z"
KEY = "\\A[a-z0-9][a-z0-9_-]{0,31}\\Z"
SHORTCUT = "\\A[1-9]?\\Z"


def drop_trailing_newlines_from_keys(apps, schema_editor):
    Label = apps.get_model("articles", "Label")
    for label in Label.objects.filter(key__endswith="\n"):
        key = label.key.rstrip("\n")
        if Label.objects.filter(project_id=label.project_id, key=key).exists():
            key = f"{key[:20]}-{label.pk}"
        Label.objects.filter(pk=label.pk).update(key=key)


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0004_rate_counters"),
    ]

    operations = [
        migrations.RunPython(drop_trailing_newlines_from_keys, migrations.RunPython.noop),
        migrations.RemoveConstraint(model_name="label", name="label_color_hex"),
        migrations.RemoveConstraint(model_name="label", name="label_key_slug"),
        migrations.RemoveConstraint(model_name="label", name="label_shortcut_digit"),
        migrations.AlterField(
            model_name="label",
            name="color",
            field=models.CharField(
                max_length=7, validators=[django.core.validators.RegexValidator(COLOR, "Use a colour like #1A2B3C.")]
            ),
        ),
        migrations.AlterField(
            model_name="label",
            name="key",
            field=models.CharField(
                max_length=32,
                validators=[
                    django.core.validators.RegexValidator(KEY, "Use lower-case letters, digits, - or _ (at most 32).")
                ],
            ),
        ),
        migrations.AlterField(
            model_name="label",
            name="shortcut",
            field=models.CharField(
                blank=True,
                max_length=1,
                validators=[django.core.validators.RegexValidator(SHORTCUT, "Use one digit from 1 to 9.")],
            ),
        ),
        migrations.AddConstraint(
            model_name="label",
            constraint=models.CheckConstraint(condition=models.Q(("color__regex", COLOR)), name="label_color_hex"),
        ),
        migrations.AddConstraint(
            model_name="label",
            constraint=models.CheckConstraint(condition=models.Q(("key__regex", KEY)), name="label_key_slug"),
        ),
        migrations.AddConstraint(
            model_name="label",
            constraint=models.CheckConstraint(
                condition=models.Q(("shortcut__regex", SHORTCUT)), name="label_shortcut_digit"
            ),
        ),
    ]
