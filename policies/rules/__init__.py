"""One rule per module: `check(resource) -> Result`, a pure function of one synthesized resource
(and, for the rules that must look across resources, the app index it carries)."""
