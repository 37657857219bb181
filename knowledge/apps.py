from django.apps import AppConfig


class KnowledgeConfig(AppConfig):
    name = "knowledge"
    verbose_name = "Knowledge"

    def ready(self) -> None:
        from backend.accounts.extensions import demo_part_register
        from knowledge.demo import demo_knowledge_part

        demo_part_register(demo_knowledge_part)
