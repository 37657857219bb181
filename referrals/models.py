"""Referral codes, shares, visits, sign-ups and their attribution.

Friend contact data never appears here in the clear: sign-ups, live-customer rows and
claims hold keyed hashes only (see `backend.accounts.identifiers`), and visits hold a
salted daily visitor hash, never an IP address or user agent.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Case, F, Q, Value, When
from django.utils import timezone

from backend.accounts.identifiers import IdentifierKind
from referrals.codes import format_code


class Campaign(models.Model):
    """Set up by sales ops: a period and the perk the friend gets (never money for the
    employee). Codes may be tied to a campaign; its perk shows on the landing page."""

    name = models.CharField(max_length=100, unique=True)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    friend_perk_nl = models.CharField(
        "friend's perk (Dutch)", max_length=200, help_text="e.g. 'Eerste maand gratis'"
    )
    friend_perk_en = models.CharField(
        "friend's perk (English)", max_length=200, help_text="e.g. 'First month free'"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-starts_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")),
                name="referrals_campaign_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def is_running(self, at: object = None) -> bool:
        moment = at or timezone.now()
        return self.starts_at <= moment < self.ends_at  # type: ignore[operator]

    def perk(self, language: str) -> str:
        return self.friend_perk_nl if language == "nl" else self.friend_perk_en


class ReferralCode(models.Model):
    """A speakable code (stored canonical, 10 symbols without the dash).

    Every active employee has exactly one live personal code; they may add labelled extra
    codes and revoke them. Revoking the personal code issues a new one. When the employee
    leaves, every code is frozen: it stays readable but no longer attributes.
    """

    code = models.CharField(max_length=10, unique=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="referral_codes"
    )
    is_personal = models.BooleanField(default=False)
    label = models.CharField(max_length=60, blank=True)
    campaign = models.ForeignKey(
        Campaign, on_delete=models.PROTECT, null=True, blank=True, related_name="codes"
    )
    created_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)
    frozen_at = models.DateTimeField(
        null=True, blank=True, help_text="Set when the owner left; a frozen code never attributes."
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["owner"],
                condition=Q(is_personal=True, revoked_at__isnull=True),
                name="referrals_referralcode_one_live_personal_per_owner",
            ),
        ]
        indexes = [
            models.Index(fields=["owner", "-created_at", "-id"], name="referrals_code_owner_idx"),
        ]

    def __str__(self) -> str:
        return self.display

    @property
    def display(self) -> str:
        return format_code(self.code)

    @property
    def status(self) -> str:
        if self.revoked_at is not None:
            return "revoked"
        if self.frozen_at is not None:
            return "frozen"
        return "active"


class ShareChannel(models.TextChoices):
    WHATSAPP = "whatsapp", "WhatsApp"
    SMS = "sms", "SMS"
    EMAIL = "email", "Email"
    QR = "qr", "QR code"
    COPY = "copy", "Copied link"
    OTHER = "other", "Other"


class Share(models.Model):
    """An answer (optional) and a code sent to a friend, behind an unguessable token."""

    token = models.CharField(max_length=32, unique=True)
    employee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="shares"
    )
    code = models.ForeignKey(ReferralCode, on_delete=models.PROTECT, related_name="shares")
    article = models.ForeignKey(
        "knowledge.Article",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="shares",
    )
    channel = models.CharField(max_length=10, choices=ShareChannel.choices)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["employee", "-created_at", "-id"], name="referrals_share_employee_idx"
            ),
            models.Index(fields=["created_at"], name="referrals_share_created_idx"),
        ]

    def __str__(self) -> str:
        return f"share {self.token[:6]}… ({self.channel})"


class VisitSalt(models.Model):
    """A random salt per day for visitor hashes, deleted after two days: once it is gone,
    nobody (not even with every secret of the server) can link a visit to a visitor."""

    day = models.DateField(unique=True)
    salt = models.CharField(max_length=64)

    def __str__(self) -> str:
        return f"salt {self.day}"


class Visit(models.Model):
    """One visitor opening a share on one day; repeat views that day count once.

    Past the retention period `purge_visitor_data` erases the visitor hash and the exact
    time: the row stays as an anonymous count for its share and day."""

    share = models.ForeignKey(Share, on_delete=models.CASCADE, related_name="visits")
    day = models.DateField()
    # NULL once erased: unlike "", NULLs never collide in the unique constraint below.
    visitor_hash = models.CharField(max_length=64, null=True, blank=True)  # noqa: DJ001
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["share", "day", "visitor_hash"],
                name="referrals_visit_unique_share_day_visitor",
            ),
        ]
        indexes = [models.Index(fields=["day"], name="referrals_visit_day_idx")]

    def __str__(self) -> str:
        return f"visit {self.day} share {self.share_id}"


class FeedbackReason(models.TextChoices):
    CLEAR = "clear", "Clear answer"
    SOLVED = "solved", "Solved my question"
    UNCLEAR = "unclear", "Hard to understand"
    INCOMPLETE = "incomplete", "Something is missing"
    OUTDATED = "outdated", "Out of date"
    OTHER = "other", "Other"


class ShareFeedback(models.Model):
    """The friend's 'did this help?'. One answer per visitor per share per day; a second
    answer the same day replaces the first."""

    share = models.ForeignKey(Share, on_delete=models.CASCADE, related_name="feedback")
    day = models.DateField()
    visitor_hash = models.CharField(max_length=64, null=True, blank=True)  # noqa: DJ001
    helpful = models.BooleanField()
    reason = models.CharField(max_length=12, choices=FeedbackReason.choices, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "share feedback"
        constraints = [
            models.UniqueConstraint(
                fields=["share", "day", "visitor_hash"],
                name="referrals_sharefeedback_unique_share_day_visitor",
            ),
        ]

    def __str__(self) -> str:
        return f"{'helpful' if self.helpful else 'not helpful'} share {self.share_id}"


class SalesChannel(models.TextChoices):
    ONLINE = "online", "Online shop"
    APP = "app", "App"
    STORE = "store", "Own store"
    TELESALES = "telesales", "Telesales"
    DEALER = "dealer", "Dealer"
    OTHER = "other", "Other"


# Channels where someone already earns a commission: attribution there needs a human look.
COMMISSIONED_CHANNELS = frozenset({SalesChannel.TELESALES, SalesChannel.DEALER})


class Signup(models.Model):
    """A new customer reported by the sign-up system. (source, external_id) is the
    idempotency key; `payload_hash` tells a repeated delivery from a changed one."""

    source = models.CharField(max_length=50)
    external_id = models.CharField(max_length=100)
    occurred_at = models.DateTimeField()
    presented_code = models.CharField(max_length=32, blank=True)
    share_token = models.CharField(max_length=64, blank=True)
    email_hash = models.CharField(max_length=64, blank=True)
    phone_hash = models.CharField(max_length=64, blank=True)
    account_hash = models.CharField(max_length=64, blank=True)
    product = models.CharField(max_length=100, blank=True)
    sales_channel = models.CharField(max_length=10, choices=SalesChannel.choices)
    is_new_customer = models.BooleanField()
    activated_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    payload_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "external_id"],
                name="referrals_signup_unique_source_external_id",
            ),
        ]
        indexes = [
            models.Index(
                fields=["email_hash"],
                name="referrals_signup_email_idx",
                condition=~Q(email_hash=""),
            ),
            models.Index(
                fields=["phone_hash"],
                name="referrals_signup_phone_idx",
                condition=~Q(phone_hash=""),
            ),
            models.Index(
                fields=["account_hash"],
                name="referrals_signup_account_idx",
                condition=~Q(account_hash=""),
            ),
            models.Index(fields=["created_at"], name="referrals_signup_created_idx"),
            models.Index(fields=["occurred_at"], name="referrals_signup_occurred_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.source}:{self.external_id}"

    def customer_hashes(self) -> dict[str, str]:
        hashes = {
            IdentifierKind.EMAIL: self.email_hash,
            IdentifierKind.PHONE: self.phone_hash,
            IdentifierKind.ACCOUNT: self.account_hash,
        }
        return {str(kind): value for kind, value in hashes.items() if value}


class AttributionStatus(models.TextChoices):
    UNATTRIBUTED = "unattributed", "Unattributed"
    PENDING = "pending", "Pending"
    NEEDS_REVIEW = "needs_review", "Needs review"
    CONFIRMED = "confirmed", "Confirmed"
    REJECTED = "rejected", "Rejected"
    REVERSED = "reversed", "Reversed"


LIVE_STATUSES = frozenset(
    {AttributionStatus.PENDING, AttributionStatus.NEEDS_REVIEW, AttributionStatus.CONFIRMED}
)


# The ops queue shows attributions that need review first: 1 for them, 0 for the rest.
# The queue orders by this expression and an index is built on exactly it.
REVIEW_RANK = Case(
    When(status="needs_review", then=Value(1)),
    default=Value(0),
    output_field=models.IntegerField(),
)


class Attribution(models.Model):
    """Who a sign-up counts for, and why: `trace` holds one line per rule evaluated.

    `version` grows with every change; a decision sends the version it saw and gets a
    409 when the record changed since. Status changes go through
    `referrals.services.attribution` only, which writes an AttributionEvent for each.
    """

    signup = models.OneToOneField(Signup, on_delete=models.PROTECT, related_name="attribution")
    employee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="attributions",
    )
    code = models.ForeignKey(
        ReferralCode, on_delete=models.PROTECT, null=True, blank=True, related_name="attributions"
    )
    share = models.ForeignKey(
        Share, on_delete=models.PROTECT, null=True, blank=True, related_name="attributions"
    )
    article = models.ForeignKey(
        "knowledge.Article",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="attributions",
    )
    status = models.CharField(max_length=12, choices=AttributionStatus.choices)
    reason = models.CharField(max_length=32, blank=True)
    # Every review signal that fired (`reason` holds the first): filtering by any finds it.
    review_signals = models.JSONField(default=list, blank=True)
    trace = models.JSONField(default=list)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    # The sign-up's occurred_at, copied (it never changes) so that reports by period count
    # attributions from one index, without joining the sign-ups.
    occurred_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=AttributionStatus.values),
                name="referrals_attribution_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(version__gte=1), name="referrals_attribution_version_positive"
            ),
            models.CheckConstraint(
                condition=Q(status=AttributionStatus.UNATTRIBUTED, employee__isnull=True)
                | ~Q(status=AttributionStatus.UNATTRIBUTED),
                name="referrals_attribution_unattributed_has_no_employee",
            ),
        ]
        indexes = [
            models.Index(
                fields=["employee", "-created_at", "-id"], name="referrals_attr_employee_idx"
            ),
            models.Index(fields=["status", "-created_at", "-id"], name="referrals_attr_status_idx"),
            models.Index(fields=["reason", "-created_at", "-id"], name="referrals_attr_reason_idx"),
            models.Index(fields=["occurred_at", "status"], name="referrals_attr_occurred_idx"),
            models.Index(fields=["updated_at"], name="referrals_attr_updated_idx"),
            models.Index(
                REVIEW_RANK.desc(),
                F("created_at").desc(),
                F("id").desc(),
                name="referrals_attr_queue_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"attribution {self.pk} ({self.status})"

    @property
    def is_live(self) -> bool:
        return self.status in LIVE_STATUSES


class AttributionEvent(models.Model):
    """Append-only audit of every status change. Never updated or deleted: the admin
    shows it read-only and, on PostgreSQL, a trigger refuses UPDATE and DELETE."""

    attribution = models.ForeignKey(Attribution, on_delete=models.PROTECT, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Empty for the system (rules, sign-up system, daily finalisation).",
    )
    from_employee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Set when the attribution moved to another employee: who had it.",
    )
    to_employee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Set when the attribution moved to another employee: who has it now.",
    )
    from_status = models.CharField(max_length=12, blank=True)
    to_status = models.CharField(max_length=12)
    reason = models.CharField(max_length=32, blank=True)
    note = models.TextField(blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["attribution", "at"], name="referrals_event_attr_idx")]

    def __str__(self) -> str:
        return f"{self.from_status or '∅'} → {self.to_status} ({self.reason})"


class LiveCustomer(models.Model):
    """One row per customer identifier hash of a live attribution (pending, needs review,
    confirmed). The unique hash is what makes `duplicate_customer` a database rule:
    rows are written in the same transaction as the attribution and removed when it
    stops being live."""

    value_hash = models.CharField(max_length=64)
    kind = models.CharField(max_length=10, choices=IdentifierKind.choices)
    attribution = models.ForeignKey(
        Attribution, on_delete=models.CASCADE, related_name="live_customers"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["value_hash"], name="referrals_livecustomer_unique_hash"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.value_hash[:12]}…"


class ClaimStatus(models.TextChoices):
    OPEN = "open", "Open"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"


class Claim(models.Model):
    """An employee's 'I helped this friend' for a sign-up the rules missed. The friend's
    identifier is hashed on arrival; sales ops decide."""

    employee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="referral_claims"
    )
    kind = models.CharField(max_length=10, choices=IdentifierKind.choices)
    value_hash = models.CharField(max_length=64)
    note = models.TextField(max_length=1000, blank=True)
    signup = models.ForeignKey(
        Signup,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="claims",
        help_text="The sign-up whose customer hash matches, when one is known.",
    )
    status = models.CharField(max_length=10, choices=ClaimStatus.choices, default=ClaimStatus.OPEN)
    created_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decision_note = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["employee", "value_hash"],
                condition=Q(status="open"),
                name="referrals_claim_one_open_per_employee_customer",
            ),
        ]
        indexes = [
            models.Index(fields=["employee", "-created_at", "-id"], name="referrals_claim_emp_idx"),
            models.Index(fields=["status", "-created_at"], name="referrals_claim_status_idx"),
        ]

    def __str__(self) -> str:
        return f"claim {self.pk} ({self.status})"


class CustomerErasure(models.Model):
    """Audit of a friend's erasure request (`manage.py erase_customer`): when, by whom, by
    which kind of identifier and what it touched. The identifier itself is not kept."""

    at = models.DateTimeField(default=timezone.now)
    requested_by = models.CharField(max_length=150)
    identifier_kinds = models.CharField(max_length=30)
    signups = models.PositiveIntegerField()
    claims = models.PositiveIntegerField()

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"erasure {self.at:%Y-%m-%d %H:%M} ({self.signups} sign-ups)"


class FunnelDimension(models.TextChoices):
    ALL = "all", "All"
    DEPARTMENT = "department", "Department"
    TEAM = "team", "Team"
    CAMPAIGN = "campaign", "Campaign"
    CHANNEL = "channel", "Share channel"
    ARTICLE = "article", "Answer"
    EMPLOYEE = "employee", "Employee"


class FunnelDaily(models.Model):
    """Shares, visits and attributions of one day, per value of one report dimension, for
    days that are over. Built by `manage.py rollup_funnel`; the funnel report reads it for
    those days and the raw tables for the days after.

    `key` is the dimension's value as text: a department name, "department<TAB>team", a
    campaign or article id, a channel, or "" for none (and for dimension `all`).
    """

    day = models.DateField()
    dimension = models.CharField(max_length=12, choices=FunnelDimension.choices)
    key = models.CharField(max_length=250, blank=True)
    shares = models.PositiveIntegerField(default=0)
    visits = models.PositiveIntegerField(default=0)
    # Attributions by the day their sign-up occurred, with their status as of the rollup;
    # a later run counts again every day whose attributions changed since.
    signups = models.PositiveIntegerField(default=0)
    attributed = models.PositiveIntegerField(default=0)
    pending = models.PositiveIntegerField(default=0)
    needs_review = models.PositiveIntegerField(default=0)
    confirmed = models.PositiveIntegerField(default=0)
    rejected = models.PositiveIntegerField(default=0)
    reversed = models.PositiveIntegerField(default=0)
    expired = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["dimension", "day", "key"], name="referrals_funneldaily_unique_key"
            ),
        ]
        indexes = [
            # "Answers that convert" reads only the rows with confirmed sign-ups.
            models.Index(
                fields=["dimension", "day"],
                condition=Q(confirmed__gt=0),
                name="referrals_funneldaily_conf_idx",
            ),
            # The shares of a few chosen answers over a period.
            models.Index(fields=["dimension", "key", "day"], name="referrals_funneldaily_key_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.dimension}={self.key}"


class FunnelRollup(models.Model):
    """How far FunnelDaily reaches: every day before `rolled_until` is in it (none while
    it is null). One row."""

    rolled_until = models.DateField(null=True, blank=True)
    # When the last run began: attributions changed since are counted again next run.
    checked_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"funnel rolled up until {self.rolled_until}"
