from django.db import migrations, models
from django.db.models.functions import Now


def record_left_at(apps, schema_editor):
    # Accounts deactivated before leaving was one action: their leave date is unknown,
    # the moment of this migration is the best available.
    Employee = apps.get_model("accounts", "Employee")
    Employee.objects.filter(is_active=False, left_at__isnull=True).update(left_at=Now())


class Migration(migrations.Migration):
    dependencies = [("accounts", "0003_employee_session_epoch")]

    operations = [
        migrations.RunPython(record_left_at, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="employee",
            constraint=models.CheckConstraint(
                condition=models.Q(is_active=True) | models.Q(left_at__isnull=False),
                name="accounts_employee_inactive_means_left",
            ),
        ),
    ]
