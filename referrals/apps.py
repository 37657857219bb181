from django.apps import AppConfig


class ReferralsConfig(AppConfig):
    name = "referrals"
    verbose_name = "Referrals"

    def ready(self) -> None:
        from knowledge.friend_feedback import friend_feedback_reader_register
        from referrals import authentication  # noqa: F401  registers the OpenAPI security scheme
        from referrals.share_outcomes import friend_verdicts

        friend_feedback_reader_register(friend_verdicts)
