"""``python -m sim.docs_gen``: write or check docs/parameters.md."""

import sys

from sim.docs_gen import main

sys.exit(main())
