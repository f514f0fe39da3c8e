"""What each receiver gets: our signed JSON, or the message a chat tool's incoming webhook
expects, in the endpoint's language. Built at send time from the event's stored public facts.

Chat payloads follow each tool's documented incoming-webhook format:
- Feishu / Lark custom bot: `msg_type: "post"` rich text (`content.post.<zh_cn|en_us>`);
- DingTalk group robot: `msgtype: "markdown"` (`markdown.title`, `markdown.text`);
- WeCom group robot: `msgtype: "markdown"` (`markdown.content`, at most 4,096 bytes);
- Slack incoming webhook: `text` (the notification fallback) and Block Kit `blocks`;
- Microsoft Teams (Workflows "post to a channel when a webhook request is received", and the
  older incoming webhooks): a `message` whose attachment is an Adaptive Card (v1.4).
User text is escaped for each tool's markup, so a title cannot smuggle a link or mention.
"""
from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass, field

from flask_babel import gettext as _

from ideaboard.anonymity import ANONYMOUS_NAME
from ideaboard.catalog import speaking
from ideaboard.integrations.signing import (
    SIGNATURE_HEADER,
    dingtalk_signed_url,
    feishu_sign,
    generic_signature,
)
from ideaboard.models import WebhookDelivery, WebhookEndpoint, WebhookEvent, WebhookFormat

MAX_LINE = 600  # a rationale or outcome is quoted up to this many characters
WECOM_MAX_BYTES = 4096


@dataclass(frozen=True)
class Request:
    """One HTTP POST to make."""
    url: str
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Message:
    """An event in words, in the endpoint's language."""
    title: str
    lines: list[str]
    url: str
    button: str


def status_label(status: str) -> str:
    return {"escalated": _("escalated"), "under_review": _("under review"),
            "accepted": _("accepted"), "declined": _("declined"),
            "needs_info": _("needs more information"), "merged": _("merged"),
            "in_progress": _("in progress"), "done": _("done")}.get(status, status)


def _clip(text: str) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= MAX_LINE else text[:MAX_LINE - 1] + "…"


def author_name(idea: dict) -> str:
    return str(ANONYMOUS_NAME) if idea["author"]["anonymous"] else idea["author"]["name"]


def describe(payload: dict, base_url: str) -> Message:
    """The message for an event (call inside `speaking(locale)`)."""
    kind = payload["event"]
    idea, campaign = payload.get("idea"), payload["campaign"]
    button = _("Open in Ideaboard")
    if idea is None:
        url = base_url + campaign["path"]
        if kind == "campaign.opened":
            lines = [_("Open until %(date)s", date=campaign["closes_at"][:10])] \
                if campaign["closes_at"] else []
            return Message(_("Leadership is asking: “%(title)s”", title=campaign["title"]),
                           lines, url, button)
        return Message(_("Closed: “%(title)s”", title=campaign["title"]), [], url, button)
    title, url = idea["title"], base_url + idea["path"]
    where = _("In “%(campaign)s” · by %(author)s · %(date)s", campaign=campaign["title"],
              author=author_name(idea), date=idea["posted"][:10])
    if kind == "idea.posted":
        return Message(_("New idea: “%(title)s”", title=title), [where], url, button)
    if kind == "idea.escalated":
        return Message(_("“%(title)s” went to leadership for a public answer.", title=title),
                       [_("Answer due %(date)s", date=payload["escalation"]["due"]), where],
                       url, button)
    if kind == "idea.decided":
        decision = payload["decision"]
        return Message(_("Leadership answered “%(title)s”: %(status)s",
                         title=title, status=status_label(decision["status"])),
                       [_clip(decision["rationale"])], url, button)
    if kind == "idea.challenged":
        challenge = payload["challenge"]
        heading = (_("A challenge reopened the decision on “%(title)s”", title=title)
                   if challenge["status"] == "reopened" else
                   _("The decision on “%(title)s” is being challenged", title=title))
        return Message(heading, [_("%(count)d of %(needed)d co-signers",
                                   count=challenge["cosigners"], needed=challenge["threshold"])],
                       base_url + challenge["path"], button)
    if kind == "idea.funded":
        funding = payload["funding"]
        parts = []
        if funding["amount"]:
            parts.append(f"{funding['amount']:,} {funding['currency']}")
        if funding["people_weeks"]:
            parts.append(_("%(n)d people-weeks", n=funding["people_weeks"]))
        return Message(_("“%(title)s” was funded by %(n)d colleagues in “%(round)s”",
                         title=title, n=funding["backers"], round=funding["round"]),
                       [" · ".join(parts)] if parts else [], url, button)
    return Message(_("Delivered: “%(title)s”", title=title), [_clip(payload["outcome"])],
                   url, button)


# --- escaping for each tool's markup ---------------------------------------------------------

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|>~<])")


def markdown_text(text: str) -> str:
    """Plain text inside Markdown (DingTalk, WeCom, Teams): every markup character escaped."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


def slack_text(text: str) -> str:
    """Slack's mrkdwn: &, < and > are the control characters (links, mentions)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _json(data: dict) -> bytes:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()


JSON_HEADERS = {"Content-Type": "application/json; charset=utf-8"}


def generic_body(event: WebhookEvent, delivery: WebhookDelivery, message: Message,
                 base_url: str) -> dict:
    data = json.loads(json.dumps(event.payload))  # a copy to add absolute links to
    for part in ("idea", "campaign", "challenge"):
        if isinstance(data.get(part), dict) and "path" in data[part]:
            data[part]["url"] = base_url + data[part]["path"]
    if "idea" in data:
        data["idea"]["author"]["name"] = author_name(event.payload["idea"])
    data.pop("event", None)
    return {"id": f"evt_{event.id}", "type": event.kind.value,
            "created_at": event.payload["occurred_at"], "delivery": delivery.id,
            "text": message.title, "data": data}


def build_request(endpoint: WebhookEndpoint, event: WebhookEvent, delivery: WebhookDelivery,
                  base_url: str, now: float | None = None) -> Request:
    """The POST for this delivery, rendered in the endpoint's language and signed."""
    now = time.time() if now is None else now
    base_url = base_url.rstrip("/")
    with speaking(endpoint.locale or "en"):
        message = describe(event.payload, base_url)
        fmt = WebhookFormat(endpoint.format)
        if fmt == WebhookFormat.GENERIC:
            body = _json(generic_body(event, delivery, message, base_url))
            headers = {**JSON_HEADERS, "X-Ideaboard-Event": event.kind.value,
                       "X-Ideaboard-Delivery": str(delivery.id)}
            if endpoint.secret:
                headers[SIGNATURE_HEADER] = generic_signature(endpoint.secret, body, int(now))
            return Request(endpoint.url, body, headers)
        if fmt == WebhookFormat.FEISHU:
            return Request(endpoint.url, _json(feishu(message, endpoint, int(now))), JSON_HEADERS)
        if fmt == WebhookFormat.DINGTALK:
            url = (dingtalk_signed_url(endpoint.url, endpoint.secret, int(now * 1000))
                   if endpoint.secret else endpoint.url)
            return Request(url, _json(dingtalk(message)), JSON_HEADERS)
        if fmt == WebhookFormat.WECOM:
            return Request(endpoint.url, _json(wecom(message)), JSON_HEADERS)
        if fmt == WebhookFormat.SLACK:
            return Request(endpoint.url, _json(slack(message)), JSON_HEADERS)
        return Request(endpoint.url, _json(teams(message)), JSON_HEADERS)


def feishu(message: Message, endpoint: WebhookEndpoint, timestamp: int) -> dict:
    language = "zh_cn" if (endpoint.locale or "").startswith("zh") else "en_us"
    content = [[{"tag": "text", "text": line}] for line in message.lines if line]
    content.append([{"tag": "a", "text": message.button, "href": message.url}])
    body = {"msg_type": "post",
            "content": {"post": {language: {"title": message.title, "content": content}}}}
    if endpoint.secret:
        body = {"timestamp": str(timestamp), "sign": feishu_sign(endpoint.secret, timestamp),
                **body}
    return body


def _markdown_lines(message: Message) -> list[str]:
    return [markdown_text(line) for line in message.lines if line]


def dingtalk(message: Message) -> dict:
    text = "\n\n".join([f"#### {markdown_text(message.title)}", *_markdown_lines(message),
                        f"[{markdown_text(message.button)}]({message.url})"])
    return {"msgtype": "markdown", "markdown": {"title": message.title[:100], "text": text}}


def wecom(message: Message) -> dict:
    link = f"[{markdown_text(message.button)}]({message.url})"
    lines = [f"**{markdown_text(message.title)}**", *(f"> {line}" for line in
                                                     _markdown_lines(message))]
    content = "\n".join([*lines, link])
    while len(content.encode()) > WECOM_MAX_BYTES and len(lines) > 1:
        lines[-1] = lines[-1][: max(0, len(lines[-1]) - 200)] + "…"
        if len(lines[-1]) <= 3:
            lines.pop()
        content = "\n".join([*lines, link])
    return {"msgtype": "markdown", "markdown": {"content": content}}


def slack(message: Message) -> dict:
    text = "\n".join([f"*<{message.url}|{slack_text(message.title)}>*",
                      *(slack_text(line) for line in message.lines if line)])
    return {"text": message.title,
            "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": text}},
                       {"type": "actions", "elements": [{
                           "type": "button", "url": message.url,
                           "text": {"type": "plain_text", "text": message.button}}]}]}


def teams(message: Message) -> dict:
    body = [{"type": "TextBlock", "text": markdown_text(message.title), "weight": "Bolder",
             "size": "Medium", "wrap": True}]
    body += [{"type": "TextBlock", "text": line, "wrap": True}
             for line in _markdown_lines(message)]
    card = {"$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
            "type": "AdaptiveCard", "version": "1.4", "body": body,
            "actions": [{"type": "Action.OpenUrl", "title": message.button, "url": message.url}]}
    return {"type": "message", "attachments": [{
        "contentType": "application/vnd.microsoft.card.adaptive", "contentUrl": None,
        "content": card}]}
