"""Test support: per-run broker vhosts and databases, containers, a cuttable TCP proxy."""
