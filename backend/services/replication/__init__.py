"""What the database holds about replication: the photos still to copy to the replica store, and the drills."""
