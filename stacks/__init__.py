"""One module per stack; stacks only compose constructs."""
