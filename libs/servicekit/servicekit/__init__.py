"""Shared glue of the back-end services (DESIGN.md §3).

Import the submodules you need; this package import stays light so tools that only want
`servicekit.config` or `servicekit.logs` do not pull in eventlet.
"""
