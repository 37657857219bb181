from django.db import models


class Role(models.TextChoices):
    """Roles are Django groups of these names; staff (is_staff) is the administrator."""

    EDITOR = "editor", "Knowledge editor"
    SALES_OPS = "sales_ops", "Sales operations"


# Model permissions each role group holds in the admin, as "app_label.codename". Synced
# after every migrate (see AccountsConfig.ready), so a new model only needs a line here.
ROLE_PERMISSIONS: dict[Role, list[str]] = {
    Role.EDITOR: [
        "knowledge.add_article",
        "knowledge.change_article",
        "knowledge.view_article",
        "knowledge.view_articlerevision",
        "knowledge.add_category",
        "knowledge.change_category",
        "knowledge.view_category",
        "knowledge.view_articlefeedback",
        "knowledge.view_searchlog",
        "knowledge.change_question",
        "knowledge.view_question",
        "knowledge.view_answer",
        # What friends said about shared answers.
        "referrals.view_sharefeedback",
    ],
    Role.SALES_OPS: [
        # Campaigns are set up by sales ops; the rest of referrals they review, read-only
        # here (decisions go through the API so that every change is an audited event).
        "referrals.add_campaign",
        "referrals.change_campaign",
        "referrals.view_campaign",
        "referrals.view_referralcode",
        "referrals.view_share",
        "referrals.view_signup",
        "referrals.view_attribution",
        # The review workspace's approve/reject actions (through the decision service).
        "referrals.change_attribution",
        "referrals.view_attributionevent",
        "referrals.view_claim",
        "referrals.view_sharefeedback",
    ],
}
