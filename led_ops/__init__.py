"""LED operations: drills and checks shared by the landing zone Lambdas and the led-ops command."""
