"""``python -m sim.cli``: the same as the ``symbiosis`` command."""

from sim.cli import main

main()
