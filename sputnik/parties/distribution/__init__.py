"""Prospect distribution (issue 3, V3): the rule engine (engine.py), working hours
(schedule.py), reads for the leads, inbox and report pages (selectors.py), the
escalation job (escalation.py, run by the Huey task in tasks.py) and the admin.

Writes go through sputnik.parties.services.distribution.
"""
