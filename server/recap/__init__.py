"""The recap of an event: what went out, how the audience answered, and the figures sampled meanwhile."""
