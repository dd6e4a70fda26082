"""`python -m mitwirken.server.cli …` is the `mitwirken` command (the tests run it so)."""

import sys

from mitwirken.server.cli import main

sys.exit(main())
