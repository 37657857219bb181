from django.urls import path

from knowledge.apis import article_editing, articles, browse, feedback, questions

urlpatterns = [
    path("articles/", articles.ArticleListApi.as_view(), name="knowledge-articles"),
    path("articles/<slug:slug>/", articles.ArticleDetailApi.as_view(), name="knowledge-article"),
    path(
        "articles/<slug:slug>/publish/",
        article_editing.ArticlePublishApi.as_view(),
        name="knowledge-article-publish",
    ),
    path(
        "articles/<slug:slug>/archive/",
        article_editing.ArticleArchiveApi.as_view(),
        name="knowledge-article-archive",
    ),
    path(
        "articles/<slug:slug>/verify/",
        article_editing.ArticleVerifyApi.as_view(),
        name="knowledge-article-verify",
    ),
    path(
        "articles/<slug:slug>/revisions/",
        article_editing.ArticleRevisionListApi.as_view(),
        name="knowledge-article-revisions",
    ),
    path(
        "articles/<slug:slug>/feedback/",
        feedback.ArticleFeedbackApi.as_view(),
        name="knowledge-article-feedback",
    ),
    path("categories/", browse.CategoryListApi.as_view(), name="knowledge-categories"),
    path("notices/", browse.NoticeListApi.as_view(), name="knowledge-notices"),
    path("insights/", browse.InsightsApi.as_view(), name="knowledge-insights"),
    path("questions/", questions.QuestionListApi.as_view(), name="knowledge-questions"),
    path(
        "questions/<int:question_id>/",
        questions.QuestionDetailApi.as_view(),
        name="knowledge-question",
    ),
    path(
        "questions/<int:question_id>/answers/",
        questions.AnswerCreateApi.as_view(),
        name="knowledge-question-answers",
    ),
    path(
        "questions/<int:question_id>/publish/",
        questions.QuestionPublishApi.as_view(),
        name="knowledge-question-publish",
    ),
    path(
        "answers/<int:answer_id>/accept/",
        questions.AnswerAcceptApi.as_view(),
        name="knowledge-answer-accept",
    ),
]
