"""The public live page `/live/{slug}`: what an event has posted, for people without a social account."""
