# The organisation, user, plan and item admin lives in admin_core; the
# reviewers' queue in admin_review. Both register on import.
from . import admin_core, admin_review  # noqa: F401
