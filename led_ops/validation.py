"""The restore-test checks live in functions.shared.validation; led-ops imports them from there.

This file stays only because cdk_constructs/drills.py still names it, by path, as a file of the
restore-validation function's bundle. Delete it when that entry goes (the bundler adds the shared
modules a handler imports by itself).
"""

from functions.shared.validation import Check, ValidationResult, quote_identifier, split_table_name, validate_database

__all__ = ["Check", "ValidationResult", "quote_identifier", "split_table_name", "validate_database"]
