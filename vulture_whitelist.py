"""Names a framework calls by name, which vulture cannot see called (scripts/dead_code.py).

Each line says who calls it. Code behind a framework's decorator (routes, template tags,
admin actions, signal receivers) needs no line here: scripts/dead_code.py skips it.
"""

from vulture.whitelist_utils import Whitelist

_ = Whitelist()

# Django: settings name these by dotted path (INSTALLED_APPS, MIDDLEWARE, LOGGING,
# TEMPLATES' context processors).
_.ChannelsConfig
_.JourneysConfig
_.AcmeConfig
_.EventApiBodyMiddleware
_.PrivateByDefaultMiddleware
_.ContentSecurityPolicy
_.JsonFormatter
_.widget_context
# Stepwise: STEPWISE_CHANNELS names each channel class by dotted path.
_.EmailChannel
_.SmsChannel
_.InAppChannel
_.WebhookChannel
_.PushChannel

# Django: hooks it calls on our subclasses (models, admin, forms, commands, checks).
_.Meta
_.lookups  # SimpleListFilter
_.changelist_view  # ModelAdmin
_.add_arguments  # BaseCommand
_.app_configs  # a system check's signature
_.model_admin  # SimpleListFilter.lookups' signature

# django-q2: tasks and schedules are queued by dotted path (journeys/run/schedules.py,
# channels/delivery/queue.py, journeys/reports/snapshots.py).
_.breakdown_compute
_.deliver_messages
_.send_due_messages
_.team_notify_send
_.sweep_events
_.sweep_wakeups

# django-ninja: HttpBasicAuth.authenticate's signature; the parser's hook.
_.password
_.parse_body

# python-liquid: the output node's render hook.
_.render_to_output

# prometheus-client: a custom collector's hook.
_.collect

# Signal handlers' signatures (signal.signal, django-axes' user_locked_out).
_.signum
_.frame
_.kw

# Tests' teardown is their reason to exist: the chat's thread pool and its listener
# thread outlive a test otherwise (tests/conftest.py).
_.close_pool
_.stop_listener

# Channel keys are branch chan's to settle (channels/registry.py); unused here today.
_.channel_keys
_.subscription_keys

# Django admin: allowed_permissions = ("export",) calls has_export_permission by name.
_.has_export_permission
_.has_erase_permission
_.has_publish_permission
# INSTALLED_APPS names the admin's config; the config names the site by dotted path.
_.StepwiseAdminConfig
_.StepwiseAdminSite
# The roles matrix: tests/security/test_roles.py walks every page and action through these,
# and holds docs/security.md's table to table_markdown(); that test is their reason to exist.
_.all_actions
_.admin_page
_.table_markdown
# The builder's test-send form reads it in a template: channel.browser_test_key.
_.browser_test_key
