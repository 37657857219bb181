from __future__ import annotations

from typing import Any, ClassVar

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.crypto import salted_hmac

from backend.accounts.identifiers import IdentifierKind
from backend.accounts.roles import Role


class Language(models.TextChoices):
    NL = "nl", "Nederlands"
    EN = "en", "English"


class EmployeeManager(BaseUserManager["Employee"]):
    use_in_migrations = True

    def get_by_natural_key(self, username: str | None) -> Employee:
        return self.get(email=(username or "").strip().lower())

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> Employee:
        employee = self.model(email=email.strip().lower(), **extra)
        employee.set_password(password)
        employee.save(using=self._db)
        return employee

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> Employee:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)


class Employee(AbstractBaseUser, PermissionsMixin):
    """An employee of the telecom, and so a Customer Experience Officer.

    Email is the login (stored lower-case). Roles are groups (see `Role`); `is_staff` is
    the administrator. Leaving sets `is_active=False` and `left_at`; the row stays, so
    their past attributions keep their owner.
    """

    email = models.EmailField(max_length=254, unique=True)
    employee_number = models.CharField(max_length=32, unique=True)
    display_name = models.CharField(max_length=150)
    department = models.CharField(max_length=100, blank=True, db_index=True)
    team = models.CharField(max_length=100, blank=True, db_index=True)
    language = models.CharField(max_length=2, choices=Language.choices, default=Language.NL)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(
        default=False, help_text="Administrators can use the Django admin."
    )
    left_at = models.DateTimeField(null=True, blank=True)
    ranking_opt_out = models.BooleanField(
        default=False, help_text="Never shown by name in team or company rankings."
    )
    date_joined = models.DateTimeField(default=timezone.now)
    external_id = models.CharField(
        max_length=255,
        blank=True,
        help_text="The identity provider's id for this person (SCIM `externalId`).",
    )
    scim_deleted_at = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        help_text=(
            "When the identity provider deleted this user over SCIM: SCIM answers 404 for "
            "them from then on. Cleared when they return."
        ),
    )
    session_epoch = models.PositiveIntegerField(
        default=0,
        editable=False,
        help_text="Raised to end every session; tokens carry the value they were issued under.",
    )

    objects = EmployeeManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = ["employee_number", "display_name"]

    class Meta:
        ordering = ["display_name", "id"]
        constraints = [
            models.UniqueConstraint(Lower("email"), name="accounts_employee_unique_email"),
            models.CheckConstraint(
                condition=models.Q(left_at__isnull=True) | models.Q(is_active=False),
                name="accounts_employee_left_means_inactive",
            ),
            # Every way out goes through `employee_leave`, which records the date.
            models.CheckConstraint(
                condition=models.Q(is_active=True) | models.Q(left_at__isnull=False),
                name="accounts_employee_inactive_means_left",
            ),
            # A user the provider deleted has left (`scim_user_delete`) until they return.
            models.CheckConstraint(
                condition=models.Q(scim_deleted_at__isnull=True) | models.Q(is_active=False),
                name="accounts_employee_scim_deleted_means_left",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.display_name} <{self.email}>"

    def clean(self) -> None:
        super().clean()
        self.email = self.email.strip().lower()

    def save(self, *args: Any, **kwargs: Any) -> None:
        # The epoch only ever rises through one UPDATE ... SET session_epoch = epoch + 1
        # (`employee_sessions_end`); a full save of an instance loaded before it (the admin
        # form does one) must not write the old value back and revive ended sessions.
        if kwargs.get("update_fields") is None and not self._state.adding:
            deferred = self.get_deferred_fields()  # as Django does: loaded fields only
            kwargs["update_fields"] = [
                field.name
                for field in self._meta.concrete_fields
                if not field.primary_key
                and field.name != "session_epoch"
                and field.attname not in deferred
            ]
        super().save(*args, **kwargs)

    def _get_session_auth_hash(self, secret: str | None = None) -> str:
        # Django's admin sessions end with the API's: on a password change (Django's own
        # rule) and when the session epoch is raised.
        key_salt = "backend.accounts.models.Employee.get_session_auth_hash"
        value = f"{self.password}:{self.session_epoch}"
        return salted_hmac(key_salt, value, secret=secret, algorithm="sha256").hexdigest()

    @property
    def first_name(self) -> str:
        return self.display_name.split(" ", 1)[0]

    def role_names(self) -> frozenset[str]:
        """Group names, read once per instance (one query), then cached."""
        cached: frozenset[str] | None = getattr(self, "_role_names", None)
        if cached is None:
            cached = frozenset(self.groups.values_list("name", flat=True))
            self._role_names = cached
        return cached

    def has_role(self, role: Role | str) -> bool:
        return str(role) in self.role_names()

    @property
    def roles(self) -> list[str]:
        return sorted(name for name in self.role_names() if name in Role.values)


class EmployeeIdentifier(models.Model):
    """A keyed hash of an employee's own personal email, phone or customer account.

    Used to refuse self-referrals: a friend sign-up whose customer hash equals one of
    these belongs to the employee themselves.
    """

    employee = models.ForeignKey(Employee, on_delete=models.CASCADE, related_name="identifiers")
    kind = models.CharField(max_length=10, choices=IdentifierKind.choices)
    value_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["employee", "kind", "value_hash"],
                name="accounts_employeeidentifier_unique_employee_kind_hash",
            ),
        ]
        indexes = [models.Index(fields=["value_hash"], name="accounts_ident_hash_idx")]

    def __str__(self) -> str:
        return f"{self.kind} {self.value_hash[:12]}…"


class ScimToken(models.Model):
    """A bearer token of an identity provider's SCIM client. The token is shown once, by
    `manage.py create_scim_token NAME`; only its SHA-256 is stored (it is 256 random bits,
    so a fast hash is enough). Revoking is setting `revoked_at` (admin action)."""

    name = models.CharField(max_length=100, unique=True)
    prefix = models.CharField(max_length=12, help_text="The token's first characters.")
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = "SCIM token"

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class UsedIdToken(models.Model):
    """An OpenID Connect ID token that signed someone in: each signs in once. Keyed by the
    SHA-256 of the token's signed claims (not of the whole token: a signature can be
    written differently and still verify), kept until the token has expired."""

    claims_hash = models.CharField(max_length=64, primary_key=True)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = "used ID token"

    def __str__(self) -> str:
        return f"{self.claims_hash[:12]}… until {self.expires_at:%Y-%m-%d %H:%M}"
