"""Information sharing (ISA, MSA, DSA), bills of materials and routings (BEA,
REA), and the MSME order services of 003: order quantity and re-order point,
the order parallelizer, the custom-specific negotiator and the order tracker.

The calculations are in modules that use the standard library only
(quantities, parallelizer, alert_rules, atp, explosion), so that each rule is
written once and tested without a database; the use cases beside them read
and write the tables of persistence/tables_msme.py and call those modules.
"""
