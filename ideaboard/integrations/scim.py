"""SCIM 2.0 (RFC 7643 resources, RFC 7644 protocol) ↔ Ideaboard accounts: what a User
resource means for us, what a PATCH changes, and the resource we answer with.

Written for what the two big directories actually send:
- Okta: POST a full User; PUT the full User to update; PATCH
  `{"op": "replace", "value": {"active": false}}` (no path) to deactivate; never DELETE.
- Microsoft Entra ID: `filter=userName eq "…"` before creating; PATCH operations with
  capitalised ops ("Replace", "Add"), paths such as `active`, `displayName`,
  `emails[type eq "work"].value`, `name.givenName` and the enterprise extension's
  `urn:…:enterprise:2.0:User:department`, booleans sometimes as the strings "True"/"False";
  DELETE when a user leaves the app's scope.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from ideaboard.models import Level

CORE_USER = "urn:ietf:params:scim:schemas:core:2.0:User"
ENTERPRISE_USER = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
LIST_RESPONSE = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
ERROR = "urn:ietf:params:scim:api:messages:2.0:Error"
UNSET = object()  # an attribute the request did not mention: left as it is


class ScimError(Exception):
    """An RFC 7644 §3.12 error: HTTP status, optional scimType, detail."""

    def __init__(self, status: int, detail: str, scim_type: str | None = None):
        super().__init__(detail)
        self.status, self.detail, self.scim_type = status, detail, scim_type

    def body(self) -> dict:
        body = {"schemas": [ERROR], "status": str(self.status), "detail": self.detail}
        if self.scim_type:
            body["scimType"] = self.scim_type
        return body


@dataclass(frozen=True)
class LevelMapping:
    attribute: str  # e.g. "urn:…:ideaboard:2.0:User:level", or "title"
    values: dict[str, str] = field(default_factory=dict)  # directory value → Level value

    def level(self, value: object) -> Level | None:
        """The level a directory value means, or None when it means none we know."""
        if not isinstance(value, str):
            return None
        chosen = self.values.get(value, self.values.get(value.strip(), value.strip().lower()))
        try:
            return Level(chosen)
        except ValueError:
            return None

    @property
    def split(self) -> tuple[str | None, str]:
        """(extension schema or None, attribute name)."""
        schema, _, name = self.attribute.rpartition(":")
        return (schema or None), name


@dataclass(frozen=True)
class DirectoryUser:
    """What the directory says about a person; UNSET where it said nothing."""
    user_name: str
    external_id: object = UNSET
    email: object = UNSET
    display_name: object = UNSET
    active: object = UNSET
    department: object = UNSET  # a name, None (no department) or UNSET
    level: object = UNSET       # a Level, or UNSET


def _bool(value: object, name: str) -> bool:
    """SCIM booleans; Entra sends "True"/"False" as strings in PATCH."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    raise ScimError(400, f"{name} must be a boolean", "invalidValue")


def _text(value: object, name: str, limit: int = 254) -> str:
    if not isinstance(value, str) or not value.strip() or len(value) > limit or \
            "\x00" in value:
        raise ScimError(400, f"{name} must be a non-empty string of at most {limit} "
                             "characters", "invalidValue")
    return value.strip()


def _primary_email(emails: object) -> object:
    if not isinstance(emails, list) or not emails:
        return UNSET
    chosen = next((e for e in emails if isinstance(e, dict) and e.get("primary")), None) or \
        next((e for e in emails if isinstance(e, dict) and e.get("type") == "work"), None) or \
        emails[0]
    if not isinstance(chosen, dict) or "value" not in chosen:
        return UNSET
    return _text(chosen["value"], "emails.value")


def _name(name: object) -> object:
    if not isinstance(name, dict):
        return UNSET
    if isinstance(name.get("formatted"), str) and name["formatted"].strip():
        return name["formatted"].strip()
    parts = [name.get(key) for key in ("givenName", "familyName")]
    joined = " ".join(part.strip() for part in parts if isinstance(part, str) and part.strip())
    return joined or UNSET


def from_resource(resource: object, levels: LevelMapping) -> DirectoryUser:
    """A full User resource (POST, PUT)."""
    if not isinstance(resource, dict):
        raise ScimError(400, "the body must be a SCIM User resource", "invalidSyntax")
    user_name = _text(resource.get("userName"), "userName")
    display = resource.get("displayName")
    display_name = (_text(display, "displayName", 80) if isinstance(display, str)
                    and display.strip() else _name(resource.get("name")))
    enterprise = resource.get(ENTERPRISE_USER) or {}
    department = enterprise.get("department", UNSET) if isinstance(enterprise, dict) else UNSET
    external_id = resource.get("externalId", UNSET)
    return DirectoryUser(
        user_name=user_name,
        external_id=None if external_id is None else
        (UNSET if external_id is UNSET else _text(external_id, "externalId")),
        email=_primary_email(resource.get("emails")),
        display_name=display_name,
        active=_bool(resource["active"], "active") if "active" in resource else UNSET,
        department=_department(department),
        level=_level_from(resource, levels),
    )


def _department(value: object) -> object:
    if value is UNSET:
        return UNSET
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return _text(value, "department", 80)


def _level_from(resource: dict, levels: LevelMapping) -> object:
    schema, name = levels.split
    holder = resource.get(schema) if schema else resource
    if not isinstance(holder, dict) or name not in holder:
        return UNSET
    return levels.level(holder[name]) or UNSET


_EMAIL_PATH = re.compile(r'^emails(\[type eq "?(work|\w+)"?\])?(\.value)?$', re.IGNORECASE)


def apply_patch(current: DirectoryUser, body: object, levels: LevelMapping) -> DirectoryUser:
    """Apply an RFC 7644 §3.5.2 PatchOp (as Okta and Entra send it) to `current`."""
    if not isinstance(body, dict) or not isinstance(body.get("Operations"), list):
        raise ScimError(400, "a PatchOp needs a list of Operations", "invalidSyntax")
    for operation in body["Operations"]:
        if not isinstance(operation, dict):
            raise ScimError(400, "each operation must be an object", "invalidSyntax")
        op = str(operation.get("op", "")).lower()
        if op not in ("add", "replace", "remove"):
            raise ScimError(400, f"unsupported op {operation.get('op')!r}", "invalidSyntax")
        path, value = operation.get("path"), operation.get("value")
        if path is None:  # Okta: {"op": "replace", "value": {"active": false, …}}
            if not isinstance(value, dict):
                raise ScimError(400, "an operation without a path needs an object value",
                                "invalidValue")
            for key, item in value.items():
                current = _set(current, key, None if op == "remove" else item, levels)
        else:
            current = _set(current, str(path), None if op == "remove" else value, levels)
    return current


def _set(current: DirectoryUser, path: str, value: object,
         levels: LevelMapping) -> DirectoryUser:
    lowered = path.lower()
    if lowered == "active":
        return replace(current, active=_bool(value, "active"))
    if lowered == "username":
        return replace(current, user_name=_text(value, "userName"))
    if lowered == "externalid":
        return replace(current, external_id=None if value is None
                       else _text(value, "externalId"))
    if lowered == "displayname":
        return replace(current, display_name=_text(value, "displayName", 80)
                       if value is not None else UNSET)
    if lowered in ("name.givenname", "name.familyname", "name.formatted", "name"):
        return current  # the display name comes from displayName, or the whole name
    if _EMAIL_PATH.match(path):
        if isinstance(value, list):
            return replace(current, email=_primary_email(value))
        return replace(current, email=_text(value, "emails.value")
                       if value is not None else UNSET)
    if lowered in (f"{ENTERPRISE_USER}:department".lower(), "department"):
        return replace(current, department=_department(value))
    if lowered == ENTERPRISE_USER.lower() and isinstance(value, dict):
        if "department" in value:
            current = replace(current, department=_department(value["department"]))
        return current
    if lowered == levels.attribute.lower():
        level = levels.level(value)
        return replace(current, level=level) if level else current
    schema, name = levels.split
    if schema and lowered == schema.lower() and isinstance(value, dict) and name in value:
        level = levels.level(value[name])
        return replace(current, level=level) if level else current
    return current  # attributes we do not keep (phone numbers, addresses, roles …)


_FILTER = re.compile(r'^\s*(userName|externalId|emails(?:\.value)?)\s+eq\s+"((?:[^"\\]|\\.)*)"'
                     r'\s*$', re.IGNORECASE)


def parse_filter(text: str) -> tuple[str, str]:
    """`userName eq "…"` (also externalId, emails.value): (attribute, value)."""
    match = _FILTER.match(text or "")
    if not match or "\x00" in text:
        raise ScimError(400, 'supported filters: userName eq "…", externalId eq "…", '
                             'emails.value eq "…"', "invalidFilter")
    attribute = match.group(1).lower()
    value = match.group(2).replace('\\"', '"').replace("\\\\", "\\")
    return ("emails" if attribute.startswith("emails") else attribute), value
