"""The Jupyter server extension: REST handlers over the services."""
