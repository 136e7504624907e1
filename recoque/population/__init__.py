"""A synthetic population of Paris calibrated on INSEE census tables and Filosofi incomes.

``margins`` reads the published tables per IRIS; ``ipf`` fits and integerises; ``synthesis``
draws households and persons; ``attributes`` adds what the services need; ``schema`` types the
records (synthetic or real); ``storage`` writes Parquet partitioned by arrondissement and
queries it with DuckDB; ``validation`` compares the result with the published tables.
"""
