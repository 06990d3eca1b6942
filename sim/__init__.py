"""symbiosis-sim: an agent-based model of industrial and urban symbiosis formation and collapse."""

__version__ = "0.1.0"
