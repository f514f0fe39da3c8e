"""The app's URL map, read at collection time so route × role tests are generated from it.

New routes appear in the parametrised tests automatically; the tests then fail until the
route is classified (access matrix) or its path arguments can be filled (CSRF test).
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from functools import cache

from flask import Flask
from werkzeug.routing import Rule

from ideaboard import create_app
from tests.conftest import base_config

SKIPPED_ENDPOINTS = frozenset({"static", "bootstrap.static"})


@cache
def url_map_app() -> Flask:
    """An app built only to read its routes (no database is touched)."""
    return create_app(base_config("sqlite://"))


def rules(method: str) -> list[Rule]:
    found = [rule for rule in url_map_app().url_map.iter_rules()
             if method in (rule.methods or ()) and rule.endpoint not in SKIPPED_ENDPOINTS]
    return sorted(found, key=lambda rule: rule.rule)


def rule_id(rule: Rule) -> str:
    return f"{rule.endpoint}:{rule.rule}"


def argument_slot(rule: Rule, argument: str) -> tuple[str, str]:
    """(the path segment before the argument, the argument): ("ideas", "public_id")."""
    match = re.search(r"/([^/<]+)/<(?:[^:>]+:)?" + re.escape(argument) + ">", rule.rule)
    return (match.group(1) if match else "", argument)


def build_path(rule: Rule, values: Mapping[tuple[str, str], str]) -> str:
    """Fill every path argument from `values`, keyed by argument_slot; fail loudly if one
    is unknown, so a new route with a new kind of argument is never silently skipped."""
    filled = {}
    for argument in sorted(rule.arguments):
        slot = argument_slot(rule, argument)
        if slot not in values:
            raise AssertionError(
                f"Route {rule.rule} ({rule.endpoint}) has a path argument {slot!r} that this "
                "test cannot fill: create the object in the fixture and add it to the values.")
        filled[argument] = values[slot]
    path = rule.rule
    for argument, value in filled.items():
        path = re.sub(r"<(?:[^:>]+:)?" + re.escape(argument) + ">", value, path)
    return path
