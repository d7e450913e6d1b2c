"""Tests of both sides of Dolibarr's sqlfilters language: our builder and the simulator's reader."""
