"""dolisync: mirror Dolibarr tickets and interventions, apply support rules, write back once."""

__version__ = "0.1.0"
