"""Who may see and do what in the staff pages: the one table of roles.

Four roles: report viewers and journey editors (groups made by migration), administrators
(superusers) and staff in no group. `ADMIN_PAGES` says, for every model in the admin, who
may list and open it, change, add and delete, and run each of its actions; `STAFF_PAGES`
does the same for the builder, the reports and the admin's own pages. The groups get
exactly `GROUP_PERMISSIONS`. tests/security/test_roles.py opens every page and runs every
action as each role and asserts this table; docs/security.md prints it (`table_markdown`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum


class Role(StrEnum):
    NO_GROUP = "Staff with no group"
    VIEWER = "Report viewer"
    EDITOR = "Journey editor"
    ADMIN = "Administrator"


Who = frozenset[Role]
NOBODY: Who = frozenset()
ADMINS: Who = frozenset({Role.ADMIN})
EDITORS: Who = frozenset({Role.EDITOR, Role.ADMIN})
EVERY_GROUP: Who = frozenset({Role.VIEWER, Role.EDITOR, Role.ADMIN})
EVERY_STAFF: Who = frozenset(Role)

# The staff groups behind two of the roles; administrators are superusers.
GROUP_NAMES = {Role.VIEWER: "Report viewers", Role.EDITOR: "Journey editors"}

_JOURNEY_MODELS = (
    "journey",
    "journeyversion",
    "step",
    "messagevariant",
    "enrollment",
    "stepvisit",
    "decisiontrace",
    "contact",
    "contactalias",
    "subscription",
    "event",
    "eventtype",
    "auditentry",
)
_CHANNEL_MODELS = ("message", "messagestatuschange", "subscriptionchange")
_READ = frozenset(
    [f"journeys.view_{model}" for model in _JOURNEY_MODELS]
    + [f"channels.view_{model}" for model in _CHANNEL_MODELS]
    + ["journeys.view_reports"]
)
# Never `journeys.view_source`: a source's page shows its identity secrets.
GROUP_PERMISSIONS: Mapping[Role, frozenset[str]] = {
    Role.VIEWER: _READ,
    Role.EDITOR: _READ
    | {"journeys.add_journey", "journeys.change_journey", "journeys.publish_journey"},
}
# Seeing identity secrets (the Source page) takes this permission: administrators only.
SEE_SECRETS = "journeys.view_identitysecret"


@dataclass(frozen=True)
class AdminPage:
    """One model in the admin: who may list and open it, change, add, delete, and run
    each action (keyed by the action's name)."""

    model: str
    words: str
    see: Who
    change: Who = NOBODY
    add: Who = NOBODY
    delete: Who = NOBODY
    actions: Mapping[str, Who] = field(default_factory=dict)

    def all_actions(self) -> dict[str, Who]:
        """Its own actions, and the admin's "delete selected" where anyone may delete."""
        return {**self.actions, **({"delete_selected": self.delete} if self.delete else {})}


@dataclass(frozen=True)
class StaffPage:
    """A page or form of the builder, the reports or the admin: who may open (GET) it and
    who may send it (POST); None where the page takes no such request."""

    url_name: str
    words: str
    get: Who | None = None
    post: Who | None = None


_PUBLISH_ACTIONS = (
    "action_publish_draft_old_versions_drain",
    "action_publish_draft_move_contacts_by_step_id",
    "action_pause",
    "action_resume",
    "action_archive",
)

ADMIN_PAGES: tuple[AdminPage, ...] = (
    AdminPage(
        "journeys.Journey",
        "Journeys: status, versions, history; publish, pause, resume, archive",
        see=EVERY_GROUP,
        change=EDITORS,
        actions=dict.fromkeys(_PUBLISH_ACTIONS, EDITORS),
    ),
    AdminPage("journeys.Enrollment", "Enrollments and step visits", see=EVERY_GROUP),
    AdminPage("journeys.DecisionTrace", "Decision traces", see=EVERY_GROUP, delete=ADMINS),
    AdminPage("journeys.AuditEntry", "The audit log", see=EVERY_GROUP),
    AdminPage(
        "journeys.Contact",
        "Contacts: traits, messages, journeys; export and erase (privacy requests)",
        see=EVERY_GROUP,
        actions={"export_selected": ADMINS, "erase_selected": ADMINS},
    ),
    AdminPage("journeys.Event", "Events", see=EVERY_GROUP, delete=ADMINS),
    AdminPage("journeys.EventType", "The event catalogue", see=EVERY_GROUP, delete=ADMINS),
    AdminPage("channels.Message", "Messages and what happened to them", see=EVERY_GROUP),
    AdminPage("channels.SubscriptionChange", "Subscription changes", see=EVERY_GROUP),
    AdminPage(
        "journeys.Source",
        "Sources: write keys (shown once), identity secrets; revoke, rotate, retire",
        see=ADMINS,
        change=ADMINS,
        add=ADMINS,
        actions={
            "revoke": ADMINS,
            "rotate_identity_secret": ADMINS,
            "retire_old_identity_secrets": ADMINS,
        },
    ),
    AdminPage(
        "journeys.SecretKey",
        "Secret server keys (shown once); revoke",
        see=ADMINS,
        change=ADMINS,
        add=ADMINS,
        actions={"revoke": ADMINS},
    ),
    AdminPage(
        "journeys.KeywordReply",
        "The bot's keyword replies",
        see=ADMINS,
        change=ADMINS,
        add=ADMINS,
        delete=ADMINS,
    ),
    AdminPage(
        "channels.DeliverySettings",
        "Delivery settings: quiet hours, frequency cap, senders",
        see=ADMINS,
        change=ADMINS,
    ),
    AdminPage(
        "channels.SuppressedAddress",
        "Suppressed addresses (bounced, complained); deleting one allows sending again",
        see=ADMINS,
        delete=ADMINS,
    ),
    AdminPage("auth.User", "Staff accounts", see=ADMINS, change=ADMINS, add=ADMINS, delete=ADMINS),
    AdminPage("auth.Group", "Groups", see=ADMINS, change=ADMINS, add=ADMINS, delete=ADMINS),
    AdminPage(
        "otp_totp.TOTPDevice",
        "Two-factor devices",
        see=ADMINS,
        change=ADMINS,
        add=ADMINS,
        delete=ADMINS,
    ),
    AdminPage(
        "axes.AccessAttempt",
        "Log-in lock-outs",
        see=ADMINS,
        change=ADMINS,
        delete=ADMINS,
        actions={"cleanup_expired_attempts": ADMINS},
    ),
    AdminPage("axes.AccessLog", "Log-ins", see=ADMINS, change=ADMINS, delete=ADMINS),
    AdminPage("axes.AccessFailureLog", "Failed log-ins", see=ADMINS, change=ADMINS, delete=ADMINS),
    AdminPage(
        "django_q.Schedule",
        "Worker schedules",
        see=ADMINS,
        change=ADMINS,
        add=ADMINS,
        delete=ADMINS,
    ),
    AdminPage(
        "django_q.Success",
        "Worker tasks done",
        see=ADMINS,
        change=ADMINS,
        delete=ADMINS,
        actions={"resubmit_task": ADMINS},
    ),
    AdminPage(
        "django_q.Failure",
        "Worker tasks failed",
        see=ADMINS,
        change=ADMINS,
        delete=ADMINS,
        actions={"resubmit_task": ADMINS},
    ),
    AdminPage("django_q.OrmQ", "Worker queue", see=ADMINS, change=ADMINS, delete=ADMINS),
)

STAFF_PAGES: tuple[StaffPage, ...] = (
    StaffPage("admin:index", "The admin's home", get=EVERY_STAFF),
    StaffPage("admin:journeys_journey_import", "Import a journey (admin)", EDITORS, EDITORS),
    StaffPage("admin:journeys_journey_export", "Export a journey (admin)", get=EVERY_GROUP),
    StaffPage("admin:channels_message_rendered", "An email as sent", get=EVERY_GROUP),
    StaffPage("admin:otp_totp_totpdevice_config", "A two-factor device's set-up", get=ADMINS),
    StaffPage("admin:otp_totp_totpdevice_qrcode", "A two-factor device's QR code", get=ADMINS),
    StaffPage("builder:journey-list", "Builder: the journey list", get=EVERY_GROUP),
    StaffPage("builder:journey-new", "Builder: new journey", post=EDITORS),
    StaffPage("builder:journey-import", "Builder: import", get=EDITORS, post=EDITORS),
    StaffPage("builder:journey-export", "Builder: export", get=EVERY_GROUP),
    StaffPage("builder:journey-duplicate", "Builder: duplicate a journey", post=EDITORS),
    StaffPage("builder:journey-archive", "Builder: archive", get=EDITORS, post=EDITORS),
    StaffPage("builder:canvas", "Builder: the canvas", get=EVERY_GROUP),
    StaffPage("builder:outline", "Builder: the outline", get=EVERY_GROUP),
    StaffPage("builder:trigger", "Builder: the trigger", get=EVERY_GROUP, post=EDITORS),
    StaffPage("builder:step-insert", "Builder: add a step", post=EDITORS),
    StaffPage("builder:history", "Builder: undo, redo", post=EDITORS),
    StaffPage("builder:step-editor", "Builder: a step", get=EVERY_GROUP, post=EDITORS),
    StaffPage("builder:step-delete", "Builder: delete a step", get=EVERY_GROUP, post=EDITORS),
    StaffPage("builder:step-move", "Builder: move a step", post=EDITORS),
    StaffPage("builder:step-duplicate", "Builder: copy a step", post=EDITORS),
    StaffPage("builder:preview", "Builder: preview as a contact", get=EVERY_GROUP),
    StaffPage("builder:people", "Builder: who is at a step", get=EVERY_GROUP),
    StaffPage("builder:test-send", "Builder: send a test to oneself", post=EDITORS),
    StaffPage("builder:languages", "Builder: a message's languages", get=EVERY_GROUP),
    StaffPage("builder:languages-save", "Builder: save a language version", post=EDITORS),
    StaffPage("builder:checks", "Builder: problems", get=EVERY_GROUP),
    StaffPage("builder:dry-run", "Builder: dry run", get=EVERY_GROUP, post=EVERY_GROUP),
    StaffPage("builder:backtest", "Builder: backtest", post=EVERY_GROUP),
    StaffPage("builder:publish", "Builder: publish", get=EDITORS, post=EDITORS),
    StaffPage("builder:status", "Builder: pause, resume", get=EDITORS, post=EDITORS),
    StaffPage("builder:versions", "Builder: versions", get=EVERY_GROUP),
    StaffPage("builder:version", "Builder: one version", get=EVERY_GROUP),
    StaffPage("builder:restore", "Builder: restore a version", post=EDITORS),
    StaffPage("reports:overview", "Reports: every live journey", get=EVERY_GROUP),
    StaffPage("reports:journey", "Reports: a journey", get=EVERY_GROUP),
    StaffPage("reports:csv", "Reports: a table as CSV", get=EVERY_GROUP),
    StaffPage("reports:xlsx", "Reports: a table as Excel", get=EVERY_GROUP),
    StaffPage("reports:dropoff", "Reports: who is stuck at a step", get=EVERY_GROUP),
    StaffPage("reports:dropoff-csv", "Reports: a drop-off list as CSV", get=EVERY_GROUP),
    StaffPage(
        "reports:dropoff-action",
        "Reports: exit, move on or message people in a drop-off list",
        post=EDITORS,
    ),
    StaffPage("inbox:list", "Inbox: what people wrote that the bot could not answer", EVERY_GROUP),
    StaffPage("inbox:conversation", "Inbox: one person's conversation", get=EVERY_GROUP),
    StaffPage("inbox:answer", "Inbox: answer a person in the chat", post=EDITORS),
)


# The actions in words, for the docs' table.
ACTION_WORDS = {
    "action_publish_draft_old_versions_drain": "publish (old versions drain)",
    "action_publish_draft_move_contacts_by_step_id": "publish (move contacts by step)",
    "action_pause": "pause",
    "action_resume": "resume",
    "action_archive": "archive",
    "export_selected": "export",
    "erase_selected": "erase",
    "revoke": "revoke",
    "rotate_identity_secret": "rotate identity secrets",
    "retire_old_identity_secrets": "retire old identity secrets",
    "cleanup_expired_attempts": "clean up expired lock-outs",
    "resubmit_task": "run again",
}


def admin_page(model: str) -> AdminPage:
    return next(page for page in ADMIN_PAGES if page.model == model)


def _cell(who: Who | None, role: Role) -> str:
    if who is None:
        return ""
    return "yes" if role in who else "—"


def _row(cells: Iterable[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def table_markdown() -> str:
    """The table as Markdown, as docs/security.md prints it (a test keeps them equal)."""
    roles = list(Role)
    lines = [_row(["what", "may", *(role.value for role in roles)])]
    lines.append(_row(["---"] * (len(roles) + 2)))
    for page in ADMIN_PAGES:
        doings = {"see": page.see, "change": page.change, "add": page.add}
        doings |= {"delete": page.delete}
        doings |= {ACTION_WORDS[name]: who for name, who in page.actions.items()}
        for number, (doing, who) in enumerate((d, w) for d, w in doings.items() if w):
            lines.append(
                _row([page.words if number == 0 else "", doing, *(_cell(who, r) for r in roles)])
            )
    for staff_page in STAFF_PAGES:
        for method, maybe in (("open", staff_page.get), ("send", staff_page.post)):
            if maybe is not None:
                cells = [_cell(maybe, role) for role in roles]
                lines.append(_row([staff_page.words, method, *cells]))
    return "\n".join(lines)
