from django.urls import path

from . import api, feeds, views

app_name = "statements"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("articles/<slug:slug>/", views.ArticleDetailView.as_view(), name="article-detail"),
    path("speakers/", views.SpeakerListView.as_view(), name="speaker-list"),
    path("speakers/<slug:slug>/", views.SpeakerDetailView.as_view(), name="speaker-detail"),
    path("topics/", views.TopicListView.as_view(), name="topic-list"),
    path("topics/<slug:slug>/", views.TopicDetailView.as_view(), name="topic-detail"),
    path("sources/<slug:slug>/", views.SourceDetailView.as_view(), name="source-detail"),
    path("quotes/<int:pk>/", views.QuoteDetailView.as_view(), name="quote-detail"),
    path("statements/<int:pk>/", views.StatementDetailView.as_view(), name="statement-detail"),
    path("search/", views.SearchView.as_view(), name="search"),
    path("search/articles/", views.ArticleSearchView.as_view(), name="article-search"),
    path("search/export/", views.search_export, name="search-export"),
    path("feeds/quotes/", feeds.LatestQuotesFeed(), name="feed-quotes"),
    path("feeds/speakers/<slug:slug>/", feeds.SpeakerQuotesFeed(), name="feed-speaker"),
    path("feeds/topics/<slug:slug>/", feeds.TopicQuotesFeed(), name="feed-topic"),
    path("feeds/search/", feeds.SearchQuotesFeed(), name="feed-search"),
    path("alerts/subscribe/", views.alert_subscribe, name="alert-subscribe"),
    path("alerts/confirm/<str:token>/", views.alert_confirm, name="alert-confirm"),
    path("alerts/unsubscribe/<str:token>/", views.alert_unsubscribe, name="alert-unsubscribe"),
    path("api/v1/", api.api_index, name="api-index"),
    path("api/v1/speakers/", api.speaker_list, name="api-speaker-list"),
    path("api/v1/speakers/<slug:slug>/", api.speaker_detail, name="api-speaker-detail"),
    path("api/v1/topics/", api.topic_list, name="api-topic-list"),
    path("api/v1/topics/<slug:slug>/", api.topic_detail, name="api-topic-detail"),
    path("api/v1/quotes/", api.quote_list, name="api-quote-list"),
    path("api/v1/quotes/<int:pk>/", api.quote_detail, name="api-quote-detail"),
    path("api/v1/search/", api.search, name="api-search"),
]
