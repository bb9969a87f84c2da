"""Police force areas: boundaries, the cross-border rule, and the 1 km national grid squares."""
