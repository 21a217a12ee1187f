"""The connector framework: one provider per network, pure parsers over the network's
real payloads, HTTP through one egress guard. Listening reads posts through it; the
inbox will send and receive through the same providers."""
