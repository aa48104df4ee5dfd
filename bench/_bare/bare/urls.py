from django.urls import path

from bare import views

urlpatterns = [
    path("single", views.single),
    path("bulk", views.bulk),
]
