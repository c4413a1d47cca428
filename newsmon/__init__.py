"""newsmon: the command line, configuration and the daemon that wire crawler, db and alerts."""

__version__ = "0.1.0"
