"""A third-party Maestro plugin for the tests: the ``inline`` compute backend and the ``prediction_range`` check."""
