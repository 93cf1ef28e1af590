"""The ``kg`` command line."""
