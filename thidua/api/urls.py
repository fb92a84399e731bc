from django.urls import path

from . import views
from .api import api
from .gateway import wrap

urlpatterns = [
    # Every API view answers in the client's language and replays idempotent writes.
    path("api/v1/", wrap(api.urls)),
    path("account/tokens/", views.tokens, name="api_tokens"),
    path("account/tokens/<int:pk>/revoke/", views.revoke_token, name="api_token_revoke"),
]
