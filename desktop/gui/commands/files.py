"""Getting digests in: import files or a folder, paste a digest; reload; quit."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from desktop.core.importing.paste import choose_paste
from desktop.gui.commands.registry import command
from desktop.gui.dialogs.import_dialog import PasteDialog

if TYPE_CHECKING:
    from desktop.gui.context import WindowContext


@command("import-files", label="Import files…", menu="File", icon="import", toolbar=True)
def import_files(ctx: WindowContext) -> None:
    """Import digest files."""
    paths = ctx.ask_paths(False)
    if paths:
        ctx.jobs.start_import(paths)


@command("import-folder", label="Import folder…", menu="File", icon="import")
def import_folder(ctx: WindowContext) -> None:
    """Import every digest file in a folder."""
    paths = ctx.ask_paths(True)
    if paths:
        ctx.jobs.start_import(paths)


def pasted_name(now: dt.datetime | None = None) -> str:
    """The digest name of a paste: ``Pasted 2024-05-08 14:03:59``."""
    return "Pasted " + (now or dt.datetime.now()).strftime("%Y-%m-%d %H:%M:%S")


def import_pasted(ctx: WindowContext, text: str, name: str) -> None:
    """Import pasted digest text and show the new digest."""
    result = ctx.library.importer.import_text(text, name)
    if result.status == "failed":
        ctx.say(f"Nothing imported: {result.error}")
        return
    if result.status == "unchanged":
        ctx.say("This text was already imported")
        return
    ctx.library.rules.record_import_undo([result])  # the rules' effects: one undo step
    ctx.say(f"Pasted digest: {result.summary()}")
    if result.digest_id is not None:
        ctx.set_view(f"digest:{result.digest_id}")


@command(
    "paste-digest", label="Paste digest", menu="Edit", icon="paste", toolbar=True, scope="list"
)
def paste_digest(ctx: WindowContext) -> None:
    """Import a digest from the clipboard, after a preview."""
    plain = ctx.clipboard_text()
    html = ctx.clipboard_html()
    if not plain.strip() and not (html or "").strip():
        ctx.say("The clipboard holds no text to import")
        return
    # The HTML a browser copies beside the text knows each paper's arXiv id: preferred when it
    # yields papers with ids, else the text.
    text = choose_paste(plain, html, ctx.library.today()).text
    name = pasted_name()
    dialog = PasteDialog(ctx.library.importer.preview_text(text), name, ctx.dialog_parent)
    dialog.accepted.connect(lambda: import_pasted(ctx, text, name))
    ctx.show_dialog(dialog)


@command("reload", label="Reload library", menu="File")
def reload_library(ctx: WindowContext) -> None:
    """Reload the lists and counts (after changes made by the command line)."""
    ctx.reload()
    ctx.say("Reloaded")


@command("quit", label="Quit", menu="File")
def quit_app(ctx: WindowContext) -> None:
    """Quit Digest Desk."""
    ctx.close_window()
