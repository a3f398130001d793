"""URLs of the plans app: the participant's pages and the lifecycle pages."""

from .urls_lifecycle import urlpatterns as lifecycle_patterns
from .urls_participant import urlpatterns as participant_patterns

app_name = "plans"

urlpatterns = participant_patterns + lifecycle_patterns
