"""The contract: every name, tag and party the stacks, led-ops and the checks must agree on.

Derived here once, imported everywhere (config's derived values, the stacks, led-ops), so no two
places can spell a name differently.
"""
