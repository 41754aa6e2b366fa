"""The workshop wing: rooms where a projector and the phones of a room walk the tree together."""
