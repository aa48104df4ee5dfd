"""Roles as one table (journeys/admin/roles.py): no group sees a source's page (it shows the
identity secrets), and exporting or erasing a contact gets a permission of its own, which
only administrators hold."""

from django.db import migrations

GROUPS = ("Journey editors", "Report viewers")


def drop_source_view(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    view_source = Permission.objects.filter(
        content_type__app_label="journeys", codename="view_source"
    )
    for group in Group.objects.filter(name__in=GROUPS):
        group.permissions.remove(*view_source)


def restore_source_view(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    view_source = Permission.objects.filter(
        content_type__app_label="journeys", codename="view_source"
    )
    for group in Group.objects.filter(name__in=GROUPS):
        group.permissions.add(*view_source)


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("journeys", "0012_iso_contact_problems"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="contact",
            options={
                "permissions": [
                    ("export_contact", "Can export a contact's data (privacy request)"),
                    ("erase_contact", "Can erase a contact (privacy request)"),
                ]
            },
        ),
        migrations.RunPython(drop_source_view, restore_source_view),
    ]
