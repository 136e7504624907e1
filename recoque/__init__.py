"""Recoque: public-service AI platform of the City of Paris.

A digital twin of Paris (real geography, layers, a population) and the services that run on it.
Nothing runs at import time: settings, the store and data are reached through their getters.
"""

__version__ = "0.1.0"
