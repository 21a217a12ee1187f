"""E-commerce from tracked events: catalogue, carts, orders, per-customer metrics."""
