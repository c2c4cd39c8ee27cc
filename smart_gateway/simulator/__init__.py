"""Simulated ERPs of the demo network, talking to the gateway only over SOAP."""
