"""Pure analysis: DataFrames in, results out. No IPython, tornado or MLflow here."""
