"""Journey permissions (publish, view reports) and the two staff groups.

"Journey editors" build, test and publish journeys; "Report viewers" read journeys,
contacts and reports and change nothing. Staff members still need `is_staff` to sign in.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

JOURNEY_MODELS = [
    "journey",
    "journeyversion",
    "step",
    "messagevariant",
    "enrollment",
    "stepvisit",
    "decisiontrace",
    "contact",
    "contactalias",
    "subscription",
    "event",
    "eventtype",
    "auditentry",
    "source",
]
CHANNEL_MODELS = ["message", "messagestatuschange", "subscriptionchange"]
READ = [f"journeys.view_{model}" for model in JOURNEY_MODELS] + [
    f"channels.view_{model}" for model in CHANNEL_MODELS
]
GROUPS = {
    "Journey editors": [
        *READ,
        "journeys.add_journey",
        "journeys.change_journey",
        "journeys.publish_journey",
        "journeys.view_reports",
    ],
    "Report viewers": [*READ, "journeys.view_reports"],
}


def create_groups(apps, schema_editor):
    # Permissions are normally created after all migrations (post_migrate); make them now.
    for label in ("journeys", "channels"):
        config = apps.get_app_config(label)
        config.models_module = True
        create_permissions(config, apps=apps, verbosity=0)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codes in GROUPS.items():
        group, _ = Group.objects.get_or_create(name=name)
        for code in codes:
            app_label, codename = code.split(".")
            group.permissions.add(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=GROUPS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("channels", "0002_send_due_messages_schedule"),
        ("journeys", "0003_verbose_names"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="journey",
            options={
                "ordering": ["name"],
                "permissions": [
                    ("publish_journey", "Can publish, pause, resume and archive journeys"),
                    ("view_reports", "Can view journey reports"),
                ],
            },
        ),
        migrations.RunPython(create_groups, remove_groups),
    ]
