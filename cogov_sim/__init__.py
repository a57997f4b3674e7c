"""cogov_sim: an agent-based simulation of how Party-mass service centers turn shared presence into co-governance."""

__version__ = "0.1.0"
