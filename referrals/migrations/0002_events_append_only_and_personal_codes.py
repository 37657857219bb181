"""Attribution events become append-only in the database (PostgreSQL), and every active
employee who existed before referral codes gets a personal code."""

from django.db import migrations

APPEND_ONLY = """
CREATE OR REPLACE FUNCTION referrals_attributionevent_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'attribution events are append-only (%% refused)', TG_OP
        USING ERRCODE = 'restrict_violation';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER referrals_attributionevent_append_only
    BEFORE UPDATE OR DELETE ON referrals_attributionevent
    FOR EACH ROW EXECUTE FUNCTION referrals_attributionevent_refuse_change();
"""
DROP_APPEND_ONLY = """
DROP TRIGGER IF EXISTS referrals_attributionevent_append_only ON referrals_attributionevent;
DROP FUNCTION IF EXISTS referrals_attributionevent_refuse_change();
"""


def events_append_only(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(APPEND_ONLY)


def events_changeable(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP_APPEND_ONLY)


def issue_personal_codes(apps, schema_editor):
    from referrals.codes import generate_code

    Employee = apps.get_model("accounts", "Employee")
    ReferralCode = apps.get_model("referrals", "ReferralCode")
    have = set(
        ReferralCode.objects.filter(is_personal=True, revoked_at__isnull=True).values_list(
            "owner_id", flat=True
        )
    )
    missing = Employee.objects.filter(is_active=True).exclude(pk__in=have).values_list(
        "pk", flat=True
    )
    taken = set(ReferralCode.objects.values_list("code", flat=True))
    rows = []
    for pk in missing.iterator():
        code = generate_code()
        while code in taken:
            code = generate_code()
        taken.add(code)
        rows.append(ReferralCode(code=code, owner_id=pk, is_personal=True))
    ReferralCode.objects.bulk_create(rows, batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [
        ("referrals", "0001_initial"),
        ("accounts", "0002_roles"),
    ]

    operations = [
        migrations.RunPython(events_append_only, events_changeable),
        migrations.RunPython(issue_personal_codes, migrations.RunPython.noop),
    ]
