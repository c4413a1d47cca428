"""Tests of the newsmon package: CLI, configuration, daemon wiring."""
