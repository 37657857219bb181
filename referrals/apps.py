from django.apps import AppConfig


class ReferralsConfig(AppConfig):
    name = "referrals"
    verbose_name = "Referrals"

    def ready(self) -> None:
        from backend.accounts import employment
        from backend.accounts.extensions import demo_part_register, personal_code_reader_register
        from knowledge.friend_feedback import friend_feedback_reader_register
        from referrals import authentication  # noqa: F401  registers the OpenAPI security scheme
        from referrals.demo import demo_referrals_part
        from referrals.receivers import codes_follow_employment, personal_code_shown
        from referrals.share_outcomes import friend_verdicts

        # Codes are issued at hire, frozen at leave and unfrozen at return.
        for name in ("employees_hired", "employees_left", "employees_returned"):
            getattr(employment, name).connect(
                codes_follow_employment, dispatch_uid=f"referrals.codes.{name}"
            )
        friend_feedback_reader_register(friend_verdicts)
        personal_code_reader_register(personal_code_shown)
        demo_part_register(demo_referrals_part)
