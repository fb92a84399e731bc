from django.urls import path

from . import views

urlpatterns = [
    path("<int:pk>/", views.organization_detail, name="organization_detail"),
    path("<int:pk>/units/new/", views.sub_unit_new, name="sub_unit_new"),
]
