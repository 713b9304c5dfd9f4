"""The lifecycle kernel every kind of record with states uses."""
