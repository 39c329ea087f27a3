"""What every command shares: the help's look, the console that tells the user, the usage error
(exit 2, one line, before any work) and the check that a folder holds a run."""

from __future__ import annotations

import tempfile
from pathlib import Path

import typer
from rich.console import Console
from typer.core import TyperGroup


def _untyped(param):
    if param is not None:
        param.display_type_rich = lambda ctx: None
    return param


def tidy_help(command) -> None:
    """typer (0.2x) labels each parameter with its Python type (`<bool>`, `<list[Path]>`) and puts
    required arguments in braces; the help shows what a user types instead, as click's does."""
    if getattr(command, "_tidy_help", False):
        return
    command._tidy_help = True
    for param in command.params:
        if param.param_type_name == "argument":
            label = (param.metavar or param.name.upper()) + ("..." if param.nargs != 1 else "")
            param.metavar = label
            param._rich_display_name = param._usage_display_name = lambda label=label: label
            _untyped(param)
        elif getattr(param, "is_flag", False):
            _untyped(param)
    make_help_option = command.get_help_option
    command.get_help_option = lambda ctx: _untyped(make_help_option(ctx))


class TidyHelpGroup(TyperGroup):
    def get_command(self, ctx, cmd_name):
        command = super().get_command(ctx, cmd_name)
        if command is not None:
            tidy_help(command)
        return command

    def get_help_option(self, ctx):
        return _untyped(super().get_help_option(ctx))


console = Console(stderr=True)
USAGE_ERROR = 2


def usage_error(message: str) -> typer.Exit:
    console.print(f"casextract: {message}", soft_wrap=True, highlight=False, markup=False)
    return typer.Exit(USAGE_ERROR)


def writable_folder(out: Path) -> None:
    """`out` is (or can be made) a folder this process can write into; raises a usage error."""
    if out.exists() and not out.is_dir():
        raise usage_error(f"--out {out} is a file, not a folder")
    try:
        out.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=out):
            pass
    except OSError as exc:
        raise usage_error(f"--out {out} is not a folder casextract can write to ({exc.strerror or exc})") from None


def run_folder(out: Path) -> Path:
    """`out` holds a casextract run: the Parquet tables that eval and the review page read; raises a
    usage error."""
    from .schema import TABLES

    if not out.is_dir():
        raise usage_error(f"{out} is not a folder")
    missing = [name for name in TABLES if not (out / f"{name}.parquet").is_file()]
    if missing:
        raise usage_error(f"{out} is not the --out folder of a casextract run (no {missing[0]} table)")
    return out
