"""Response clocks: the policy, working time, each report's clocks, the sweep that flags them, notifications."""
