# SPDX-License-Identifier: Apache-2.0
"""The one exception type for errors a user can cause; the CLI prints it as one line."""


class EieError(Exception):
    """A problem with the user's input, files or environment (not a bug in eie)."""


class Terminated(BaseException):
    """SIGTERM, raised like KeyboardInterrupt so that every ``finally`` runs before the exit."""
