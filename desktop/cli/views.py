"""Saved views and rules: ``views`` and ``rules`` (list, add, delete, enable, try, apply)."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, TextIO

from desktop.cli.output import CliError, print_json, print_listing
from desktop.core.models import VIEWS

if TYPE_CHECKING:
    from desktop.core.library import Library
    from desktop.core.rules import Rule
    from desktop.core.saved_views import SavedView


def saved_view_key(lib: Library, view: str) -> str:
    """``view`` itself for a built-in, digest or tag view; else the saved view it names
    (``saved:ID``), with the search index opened to answer it."""
    if view in VIEWS or view.startswith(("digest:", "tag:")):
        return view
    from desktop.core.saved_views import SavedViewError

    try:
        saved = lib.saved_views.get(view)
    except SavedViewError:
        return view  # the views say it is unknown, as before saved views
    if saved.error:
        raise CliError(f"the saved view {saved.name!r} cannot be shown: {saved.error}")
    open_index(lib)
    return saved.key


def open_index(lib: Library) -> None:
    """Open the search index of a library opened without it (saved views and rules ask it)."""
    if lib.index.generation < 0:
        lib.index.open()


def cmd_views(lib: Library, args: argparse.Namespace, out: TextIO) -> int:
    """List saved views with their counts; add, rename, move or delete one."""
    from desktop.core.saved_views import SavedViewError

    open_index(lib)
    try:
        if args.add:
            lib.saved_views.add(*args.add)
        elif args.rename:
            lib.saved_views.rename(*args.rename)
        elif args.move:
            name, delta = args.move
            try:
                places = int(delta)
            except ValueError as exc:
                raise CliError(f"--move takes a number of places, not {delta!r}") from exc
            lib.saved_views.move(name, places)
        elif args.delete is not None:
            lib.saved_views.delete(args.delete)
    except SavedViewError as exc:
        raise CliError(str(exc)) from exc
    views = lib.saved_views.all()
    counts = lib.saved_views.counts()

    def line(v: SavedView) -> str:
        c = counts[v.key]
        state = f"cannot run: {v.error}" if v.error else f"{c.unread} unread of {c.total}"
        return f"{v.position:>3}  {v.name}  [{v.query}]  {state}"

    print_listing(
        out,
        views,
        as_json=args.json,
        to_json=lambda v: {
            **v.to_json(),
            "total": counts[v.key].total,
            "unread": counts[v.key].unread,
        },
        to_line=line,
        noun="saved view",
    )
    return 0


def cmd_rules(lib: Library, args: argparse.Namespace, out: TextIO) -> int:
    """List rules; add, delete, try or apply one."""
    from desktop.core.rules import RuleError

    action = args.rules_command or "list"
    try:
        if action == "add":
            acts = [a for a in ("star", "queue", "archive", "mute") if getattr(args, a)]
            rule = lib.rules.add(args.name, args.query, acts, tag=args.tag)
            if not args.json:
                out.write(f"added rule {rule.name!r}: {rule.query} -> {rule.describe()}\n")
        elif action == "delete":
            rule = lib.rules.delete(args.name)
            if not args.json:
                out.write(f"deleted rule {rule.name!r}\n")
        elif action in ("enable", "disable"):
            lib.rules.set_enabled(args.name, action == "enable")
        elif action in ("try", "apply"):
            open_index(lib)
            outcome = (
                lib.rules.try_rule(args.name)
                if action == "try"
                else lib.rules.apply(args.name).outcomes[0]
            )
            if args.json:
                print_json({"action": action, **outcome.to_json()}, out)
                return 0 if outcome.error is None else 1
            verb = "would change" if action == "try" else "changed"
            out.write(f"{outcome.summary()}\n")
            out.write(f"{outcome.matched} papers match; {verb} {sum(outcome.changed.values())}\n")
            return 0 if outcome.error is None else 1
    except RuleError as exc:
        raise CliError(str(exc)) from exc
    if args.json or action == "list":

        def line(r: Rule) -> str:
            state = "" if r.enabled else "  (off)"
            if r.error:
                state += f"  cannot run: {r.error}"
            return f"{r.position:>3}  {r.name}  [{r.query}] -> {r.describe()}{state}"

        print_listing(
            out,
            lib.rules.all(),
            as_json=args.json,
            to_json=lambda r: r.to_json(),
            to_line=line,
            noun="rule",
        )
    return 0
