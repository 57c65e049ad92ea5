# SPDX-License-Identifier: Apache-2.0
"""python -m eie: the same command line as the ``eie`` console script."""

import sys

from eie.apps.cli import main

sys.exit(main())
