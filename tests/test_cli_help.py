# SPDX-License-Identifier: Apache-2.0
"""``eie <command> --help`` shows every option's default and says what every positional argument is."""

import argparse

import pytest

from eie.apps.cli import build_parser


def subcommands() -> dict[str, argparse.ArgumentParser]:
    (sub,) = [a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction)]
    return dict(sub.choices)


def test_every_subcommand_is_checked():
    assert {"pack", "inspect", "ref", "sim", "energy", "demo-sim", "bench"} <= set(subcommands())


@pytest.mark.parametrize("command", sorted(subcommands()))
def test_help_shows_defaults_and_positionals(command, run_cli):
    code, out, err = run_cli(command, "--help")
    assert code == 0 and not err
    # argparse wraps help at the terminal's width: compare on single spaces.
    text = " ".join(out.split())
    parser = subcommands()[command]
    for action in parser._actions:
        if action.default is argparse.SUPPRESS:
            continue
        help_text = " ".join(parser._get_formatter()._expand_help(action).split()) if action.help else ""
        assert help_text and help_text in text, f"eie {command}: {action.dest} has no help in --help"
        if action.option_strings and action.default is not None:
            assert "default" in help_text, f"eie {command} {action.option_strings[0]}: default not shown"
        elif not action.option_strings:
            assert action.help, f"eie {command}: positional {action.dest} is not documented"
