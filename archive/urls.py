from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "Statements Archive — curation"
admin.site.site_title = "Statements Archive admin"
admin.site.index_title = "Curation"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("statements.urls")),
]
